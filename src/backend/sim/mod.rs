//! The built-in simulated two-region estate: realistic, time-based transitions and fault
//! injection, so the console runs with no AWS account and drills can be rehearsed.

mod accounts;
mod apply;
mod clock;
mod lambda;
mod replicated;
mod rng;
pub mod timings;
mod world;

use std::sync::{Arc, Mutex, MutexGuard};

use async_trait::async_trait;

pub use clock::SimClock;
pub use world::{Faults, WRITES_PER_SECOND};

use super::{Action, ActionOutcome, Backend, BackendError, EndpointStore, ErrorKind};
use crate::config::Estate;
use crate::model::{GlobalReading, Identity, RegionReading, SectionError, Side};
use accounts::SimAccounts;
use rng::Rng;
use world::World;

/// The estate the console runs on when no estate file is found.
pub const BUILT_IN_ESTATE: &str = include_str!("../../../assets/simulated-estate.toml");

pub fn built_in_estate() -> Estate {
    // The built-in file is part of the binary and covered by tests; failing here is a build bug.
    Estate::parse(BUILT_IN_ESTATE, "built-in simulated estate")
        .unwrap_or_else(|e| panic!("built-in estate is invalid: {e}"))
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Fault {
    PrimaryDark,
    ReplicationStopped,
    Throttling,
    StuckStep,
}

pub struct Simulator {
    world: Mutex<World>,
    clock: SimClock,
    /// Decides which calls are throttled; separate from the world's so reads don't shift it.
    throttle_rng: Mutex<Rng>,
    /// Whose credentials each side uses; not part of the world a journal saves.
    accounts: Mutex<SimAccounts>,
}

impl Simulator {
    pub fn new(estate: Estate, seed: u64, clock: SimClock) -> Arc<Simulator> {
        Arc::new(Simulator {
            accounts: Mutex::new(SimAccounts::new(&estate)),
            world: Mutex::new(World::new(estate, seed)),
            clock,
            throttle_rng: Mutex::new(Rng::new(seed.wrapping_add(1))),
        })
    }

    pub fn clock(&self) -> &SimClock {
        &self.clock
    }

    /// The world, moved forward to the clock's now.
    fn world(&self) -> MutexGuard<'_, World> {
        let mut w = self.world.lock().unwrap_or_else(|p| p.into_inner());
        w.advance_to(self.clock.now());
        w
    }

    /// The last transaction id the region's database applied (0: none yet), or None when the
    /// region has no database. Ids are one sequence for the estate, whichever database took
    /// the write, so a replica's figure against its writer's tells how far behind it is.
    pub fn applied_txn(&self, side: Side) -> Option<u64> {
        self.world().applied_txn(side)
    }

    /// How many transactions the application has committed, on any writer, since the world
    /// began (it starts with an hour of writes behind it): ids run from 1 to this.
    pub fn acknowledged_txns(&self) -> u64 {
        self.world().writes.last
    }

    /// Lost writes: transactions a writer acknowledged that none of the databases now serving
    /// as the writer holds. A database serves as the writer while it takes the application's
    /// writes (a writer, available, in a region not dark where the application runs). None
    /// while no database does, e.g. during a promotion or with the application scaled to zero.
    pub fn lost_writes(&self) -> Option<u64> {
        self.world().lost_writes()
    }

    fn accounts(&self) -> MutexGuard<'_, SimAccounts> {
        self.accounts.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// From now on the side's credentials act in another account (a wrong profile).
    pub fn set_account(&self, side: Side, account_id: &str) {
        self.accounts().set_account(side, account_id);
    }

    /// The side's credentials expire (every call of the side fails on them, with the fix), or
    /// are renewed.
    pub fn expire_credentials(&self, side: Side, expired: bool) {
        self.accounts().set_expired(side, expired);
    }

    pub fn faults(&self) -> Faults {
        self.world().faults
    }

    /// Turns a fault on or off; returns whether it is now on.
    pub fn toggle(&self, fault: Fault) -> bool {
        let mut w = self.world();
        let now = w.now;
        let f = &mut w.faults;
        let on = match fault {
            Fault::PrimaryDark => {
                f.primary_dark = !f.primary_dark;
                f.primary_dark
            }
            Fault::ReplicationStopped => {
                f.replication_stopped = !f.replication_stopped;
                f.replication_stopped
            }
            Fault::Throttling => {
                f.throttling = !f.throttling;
                f.throttling
            }
            Fault::StuckStep => {
                f.stuck_step = !f.stuck_step;
                f.stuck_step
            }
        };
        match fault {
            Fault::PrimaryDark => w.dark_since = on.then_some(now),
            Fault::StuckStep if !on => {
                for action in std::mem::take(&mut w.stuck) {
                    // A stuck action that fails on release is dropped: the step's verify reports it.
                    let _ = w.apply(&action);
                }
            }
            _ => {}
        }
        on
    }

    /// A call with expired credentials fails before it is sent; a call to a dark region
    /// hangs; a throttled call fails. All as AWS would do it. Route 53 (no side) goes through
    /// the standby's credentials.
    async fn gate(&self, side: Option<Side>, operation: &str) -> Result<(), BackendError> {
        self.accounts()
            .usable(side.unwrap_or(Side::Standby), operation)?;
        let (dark, throttling, region) = {
            let w = self.world();
            let region = side
                .map(|s| format!("{} ({s})", w.estate.region(s).region))
                .unwrap_or_else(|| "route53".into());
            (
                side.is_some_and(|s| w.is_dark(s)),
                w.faults.throttling,
                region,
            )
        };
        if dark {
            std::future::pending::<()>().await;
        }
        if throttling {
            let mut rng = self.throttle_rng.lock().unwrap_or_else(|p| p.into_inner());
            if rng.chance(0.5) {
                return Err(BackendError::new(
                    ErrorKind::Throttled,
                    &region,
                    operation,
                    "",
                    "Rate exceeded",
                )
                .with_code("ThrottlingException"));
            }
        }
        Ok(())
    }
}

#[async_trait]
impl Backend for Simulator {
    fn mode(&self) -> crate::backend::BackendMode {
        crate::backend::BackendMode::Simulation
    }

    fn data_ledger(&self) -> Option<crate::model::DataLedger> {
        Some(crate::model::DataLedger {
            acknowledged: self.acknowledged_txns(),
            lost: self.lost_writes(),
        })
    }

    async fn read_region(&self, side: Side) -> Result<RegionReading, BackendError> {
        // Credentials that fail, fail every section, as each of AWS's calls would: the region
        // answers, the panels say why they are empty.
        if let Err(e) = self.accounts().usable(side, "describe") {
            let e = SectionError::from(e);
            let reading = self.world().read_region(side);
            return Ok(RegionReading {
                database: reading.database.map(|_| Err(e.clone())),
                services: Err(e.clone()),
                asgs: Err(e.clone()),
                target_groups: Err(e.clone()),
                alarms: Err(e.clone()),
                replicated: reading.replicated.map(|_| Err(e)),
            });
        }
        self.gate(Some(side), "describe").await?;
        Ok(self.world().read_region(side))
    }

    /// The identity is read once and kept by the AWS backend, so a region gone dark since
    /// does not hide it: neither does the simulator's.
    /// The simulated principals hold the policy `iam-policy --operate` writes: every call a
    /// runbook plans is allowed, on credentials that still work.
    async fn simulate_actions(
        &self,
        side: Side,
        actions: &[crate::backend::Action],
    ) -> Result<Vec<crate::model::Permission>, BackendError> {
        self.gate(Some(side), "iam:SimulatePrincipalPolicy").await?;
        Ok(actions
            .iter()
            .filter(|a| !a.is_local())
            .map(|a| crate::model::Permission {
                action: a.api_call().to_string(),
                resource: a.describe(),
                decision: crate::model::Decision::Allowed,
            })
            .collect())
    }

    /// The simulated account has the same generous quotas in both regions.
    async fn quotas(
        &self,
        side: Side,
        kinds: &[crate::model::QuotaKind],
    ) -> Result<Vec<crate::model::QuotaReading>, BackendError> {
        self.gate(Some(side), "servicequotas:GetServiceQuota")
            .await?;
        Ok(kinds
            .iter()
            .map(|kind| crate::model::QuotaReading {
                kind: *kind,
                side,
                value: Some(match kind {
                    crate::model::QuotaKind::FargateVcpu => 4000.0,
                    crate::model::QuotaKind::Ec2OnDemandVcpu => 1152.0,
                    crate::model::QuotaKind::RdsInstances => 40.0,
                }),
            })
            .collect())
    }

    /// Every simulated task is a Fargate task of half a vCPU.
    async fn task_sizes(
        &self,
        side: Side,
        task_definitions: &[String],
    ) -> Result<Vec<crate::model::TaskSize>, BackendError> {
        self.gate(Some(side), "ecs:DescribeTaskDefinition").await?;
        Ok(task_definitions
            .iter()
            .map(|td| crate::model::TaskSize {
                task_definition: td.clone(),
                fargate: true,
                vcpu: Some(0.5),
            })
            .collect())
    }

    async fn identity(&self, side: Side) -> Result<Identity, BackendError> {
        self.accounts().identity(side)
    }

    async fn read_global(&self) -> Result<GlobalReading, BackendError> {
        if let Err(e) = self
            .accounts()
            .usable(Side::Standby, "route53:GetHealthCheckStatus")
        {
            let e = SectionError::from(e);
            let dns = self.world().read_dns().map(|_| Err(e.clone()));
            return Ok(GlobalReading {
                health_checks: Err(e),
                dns,
            });
        }
        self.gate(None, "route53:GetHealthCheckStatus").await?;
        let w = self.world();
        Ok(GlobalReading {
            health_checks: Ok(w.read_health_checks()),
            dns: w.read_dns().map(Ok),
        })
    }

    async fn act(&self, action: &Action) -> Result<ActionOutcome, BackendError> {
        self.gate(action.side(), action.api_call()).await?;
        let mut w = self.world();
        if w.faults.stuck_step {
            w.stuck.push(action.clone());
            return Ok(ActionOutcome {
                summary: format!("{} accepted", action.api_call()),
                change_id: None,
            });
        }
        w.apply(action)
    }

    async fn dns_change_in_sync(&self, change_id: &str) -> Result<bool, BackendError> {
        self.gate(None, "route53:GetChange").await?;
        let w = self.world();
        match w.dns_changes.get(change_id) {
            Some(at) => Ok(*at <= w.now),
            None => Err(BackendError::new(
                ErrorKind::NotFound,
                "route53",
                "route53:GetChange",
                change_id,
                "no such change",
            )
            .with_code("NoSuchChange")),
        }
    }

    async fn read_endpoint(
        &self,
        side: Side,
        store: &EndpointStore,
    ) -> Result<Option<super::StoredEndpoint>, BackendError> {
        self.gate(Some(side), "read endpoint").await?;
        Ok(self.world().read_endpoint(side, store))
    }
}

#[cfg(test)]
mod data_tests;
#[cfg(test)]
mod tests;

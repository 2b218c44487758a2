//! The simulator as a backend: readings of the simulated estate and the actions applied to it,
//! each call through the same gate of faults and credentials.

use async_trait::async_trait;

use super::Simulator;
use crate::backend::{Action, ActionOutcome, Backend, BackendError, EndpointStore, ErrorKind};
use crate::model::{GlobalReading, Identity, RegionReading, SectionError, Side};

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
    ) -> Result<Option<crate::backend::StoredEndpoint>, BackendError> {
        self.gate(Some(side), "read endpoint").await?;
        Ok(self.world().read_endpoint(side, store))
    }
}

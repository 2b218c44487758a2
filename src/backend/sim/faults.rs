//! Fault injection: turning a fault on or off, and what the faults and the credentials do to
//! a call before the simulated estate answers it.

use super::{Fault, Faults, Simulator};
use crate::backend::{BackendError, ErrorKind};
use crate::model::Side;

impl Simulator {
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
    pub(super) async fn gate(
        &self,
        side: Option<Side>,
        operation: &str,
    ) -> Result<(), BackendError> {
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

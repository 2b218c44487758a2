//! `set_asg_capacity` — set min/max/desired of a side's Auto Scaling groups.
//!
//! - inputs: `side`, `to` (`production` | `standby` | `{ min, max, desired }`), `asgs` (default: all)
//! - calls: `autoscaling:UpdateAutoScalingGroup`, only for groups not already at the capacity
//! - waits for: the capacity set and InService ≥ desired, for every group named; at desired
//!   0, until no instance runs (terminating ones included: each may still write)
//! - default timeout: 10 minutes (an instance takes 2–5 to be InService)
//! - fails when: a group does not exist

use std::time::Duration;

use async_trait::async_trait;
use serde::{Deserialize, Serialize};

use super::read::section;
use super::{Kind, StepCx, StepKind};
use crate::backend::Action;
use crate::config::runbook::CapacityTarget;
use crate::config::{Asg, Estate};
use crate::model::{Parts, Side};
use crate::runbook::error::StepError;
use crate::runbook::plan::{StepPlan, Verdict};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SetAsgCapacity {
    pub side: Side,
    pub to: CapacityTarget,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub asgs: Option<Vec<String>>,
}

impl Kind for SetAsgCapacity {
    const NAME: &'static str = "set_asg_capacity";
}

impl SetAsgCapacity {
    fn groups<'a>(&'a self, estate: &'a Estate) -> impl Iterator<Item = &'a Asg> {
        estate.asgs.iter().filter(|a| {
            self.asgs
                .as_ref()
                .is_none_or(|n| n.iter().any(|n| n == a.label()))
        })
    }
}

#[async_trait]
impl StepKind for SetAsgCapacity {
    fn title(&self) -> String {
        format!("set {} ASGs to {}", self.side, self.to)
    }

    fn validate(&self, estate: &Estate) -> Result<(), String> {
        if estate.asgs.is_empty() {
            return Err("expected [[asgs]] in the estate".into());
        }
        for n in self.asgs.iter().flatten() {
            if !estate.asgs.iter().any(|a| a.label() == n) {
                return Err(format!(
                    "expected the name of an ASG in [[asgs]], found {n:?}"
                ));
            }
        }
        Ok(())
    }

    fn default_timeout(&self) -> Duration {
        Duration::from_secs(10 * 60)
    }

    fn sides(&self, _estate: &Estate) -> Vec<Side> {
        vec![self.side]
    }

    async fn preflight(&self, cx: &StepCx<'_>) -> Result<StepPlan, StepError> {
        let side = self.side;
        let reading = cx.reader.read(side, Parts::ASGS).await?;
        let read = section(&reading.asgs, "ASGs", side)?;
        let mut plan = StepPlan::default();
        let mut cur = Vec::new();
        let mut tgt = Vec::new();
        for asg in self.groups(cx.estate()) {
            let name = asg.name_in(side);
            let want = self.to.for_asg(asg);
            let a = read
                .iter()
                .find(|a| a.name == name && a.found)
                .ok_or_else(|| StepError::missing(format!("{side} ASG {name} not found")))?;
            cur.push(format!(
                "{name} {}/{}/{} ({} InService)",
                a.min, a.max, a.desired, a.in_service
            ));
            tgt.push(format!("{name} {}/{}/{}", want.min, want.max, want.desired));
            if (a.min, a.max, a.desired) != (want.min, want.max, want.desired) {
                plan.actions.push(Action::SetAsgCapacity {
                    side,
                    asg: name.to_string(),
                    capacity: want,
                });
            }
        }
        plan.current = format!("min/max/desired: {}", cur.join(", "));
        plan.target = tgt.join(", ");
        Ok(plan)
    }

    async fn verify(&self, cx: &StepCx<'_>) -> Result<Verdict, StepError> {
        let reading = cx.reader.read(self.side, Parts::ASGS).await?;
        let read = section(&reading.asgs, "ASGs", self.side)?;
        let mut waiting = Vec::new();
        for asg in self.groups(cx.estate()) {
            let name = asg.name_in(self.side);
            let want = self.to.for_asg(asg);
            match read.iter().find(|a| a.name == name) {
                // Down to none (writers stopped): done only once no instance runs at all,
                // terminating ones included.
                Some(a)
                    if want.desired == 0
                        && (a.min, a.max, a.desired) == (want.min, want.max, 0)
                        && a.running > 0 =>
                {
                    waiting.push(format!("{name}: {} instances still running", a.running))
                }
                Some(a)
                    if (a.min, a.max, a.desired) == (want.min, want.max, want.desired)
                        && a.in_service >= want.desired => {}
                Some(a) => waiting.push(format!(
                    "{name} {}/{} InService",
                    a.in_service, want.desired
                )),
                None => waiting.push(format!("{name} not read")),
            }
        }
        Ok(if waiting.is_empty() {
            Verdict::Done("InService ≥ desired".into())
        } else {
            Verdict::Pending(waiting.join(", "))
        })
    }
}

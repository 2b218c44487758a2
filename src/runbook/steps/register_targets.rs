//! `register_targets` — register a side's InService ASG instances with their target groups.
//!
//! - inputs: `side`, `target_groups` (default: every group with an `asg`)
//! - calls: `elasticloadbalancing:RegisterTargets` with the instances not yet registered
//! - waits for: every InService instance registered and healthy (a group with no InService
//!   instance is never done: zero targets serve nothing)
//! - default timeout: 5 minutes (ALB default: 30 s × 5 healthy checks)
//! - fails when: the ASG or target group is missing or unreadable

use std::time::Duration;

use async_trait::async_trait;
use serde::{Deserialize, Serialize};

use super::read::{group_state, target_groups_of};
use super::{Kind, StepCx, StepKind};
use crate::backend::Action;
use crate::config::Estate;
use crate::model::{Parts, Side};
use crate::runbook::error::StepError;
use crate::runbook::plan::{StepPlan, Verdict};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RegisterTargets {
    pub side: Side,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target_groups: Option<Vec<String>>,
}

impl Kind for RegisterTargets {
    const NAME: &'static str = "register_targets";
}

#[async_trait]
impl StepKind for RegisterTargets {
    fn title(&self) -> String {
        format!("register {} instances with target groups", self.side)
    }

    fn validate(&self, estate: &Estate) -> Result<(), String> {
        for n in self.target_groups.iter().flatten() {
            match estate.target_groups.iter().find(|t| &t.name == n) {
                None => {
                    return Err(format!(
                        "expected the name of a target group in [[target_groups]], found {n:?}"
                    ));
                }
                Some(t) if t.asg.is_none() => {
                    return Err(format!(
                        "target group {n:?} has no `asg` whose instances to register"
                    ));
                }
                Some(_) => {}
            }
        }
        if !estate.target_groups.iter().any(|t| t.asg.is_some()) {
            return Err("expected a [[target_groups]] entry with an `asg`".into());
        }
        Ok(())
    }

    fn default_timeout(&self) -> Duration {
        Duration::from_secs(5 * 60)
    }

    fn sides(&self, _estate: &Estate) -> Vec<Side> {
        vec![self.side]
    }

    async fn preflight(&self, cx: &StepCx<'_>) -> Result<StepPlan, StepError> {
        let side = self.side;
        let estate = cx.estate();
        let reading = cx.reader.read(side, Parts::ASGS | Parts::TARGETS).await?;
        let mut plan = StepPlan::default();
        let mut cur = Vec::new();
        for tg in target_groups_of(estate, &self.target_groups) {
            let g = group_state(estate, tg, side, &reading)?;
            let missing: Vec<String> = g
                .instances
                .iter()
                .filter(|i| !g.registered.contains(i))
                .cloned()
                .collect();
            cur.push(format!(
                "{}: {} InService, {} registered, {} healthy",
                tg.name,
                g.instances.len(),
                g.registered.len(),
                g.healthy
            ));
            if g.instances.is_empty() {
                plan.warnings
                    .push(format!("{}: no InService instance to register", tg.name));
            }
            if !missing.is_empty() {
                plan.actions.push(Action::RegisterTargets {
                    side,
                    target_group_arn: tg.arn(side).to_string(),
                    targets: missing,
                    port: tg.port,
                });
            }
        }
        plan.current = cur.join("; ");
        plan.target = "every InService instance registered and healthy".into();
        Ok(plan)
    }

    async fn verify(&self, cx: &StepCx<'_>) -> Result<Verdict, StepError> {
        let estate = cx.estate();
        let reading = cx
            .reader
            .read(self.side, Parts::ASGS | Parts::TARGETS)
            .await?;
        let mut waiting = Vec::new();
        for tg in target_groups_of(estate, &self.target_groups) {
            let g = group_state(estate, tg, self.side, &reading)?;
            let all_in = g.instances.iter().all(|i| g.registered.contains(i));
            // A group with no instance serves nothing: zero targets is never healthy.
            if g.instances.is_empty() {
                waiting.push(format!("{}: no InService instance to register", tg.name));
            } else if !all_in || (g.healthy as usize) < g.instances.len() {
                waiting.push(format!(
                    "{}: {}/{} healthy",
                    tg.name,
                    g.healthy,
                    g.instances.len()
                ));
            }
        }
        Ok(if waiting.is_empty() {
            Verdict::Done("targets healthy".into())
        } else {
            Verdict::Pending(waiting.join(", "))
        })
    }
}

//! `force_deployment` — start a new deployment of a side's ECS services (so their tasks pick
//! up a new database endpoint).
//!
//! - inputs: `side`, `services` (default: all)
//! - calls: `ecs:UpdateService` (forceNewDeployment) for each service not yet redeployed by
//!   this run: AWS shows no target state for it, so the journal remembers each call made
//! - waits for: every deployment steady with running ≥ desired
//! - default timeout: 10 minutes
//! - fails when: the services cannot be read

use std::time::Duration;

use async_trait::async_trait;
use serde::{Deserialize, Serialize};

use super::read::{check_services, section, services_of};
use super::{Kind, StepCx, StepKind};
use crate::backend::Action;
use crate::config::Estate;
use crate::model::{Deployment, Side};
use crate::runbook::error::StepError;
use crate::runbook::plan::{StepPlan, Verdict};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ForceDeployment {
    pub side: Side,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub services: Option<Vec<String>>,
}

impl Kind for ForceDeployment {
    const NAME: &'static str = "force_deployment";
}

#[async_trait]
impl StepKind for ForceDeployment {
    fn title(&self) -> String {
        format!("force a new deployment of {} ECS services", self.side)
    }

    fn validate(&self, estate: &Estate) -> Result<(), String> {
        check_services(estate, &self.services)
    }

    fn default_timeout(&self) -> Duration {
        Duration::from_secs(10 * 60)
    }

    async fn preflight(&self, cx: &StepCx<'_>) -> Result<StepPlan, StepError> {
        let side = self.side;
        let estate = cx.estate();
        let reading = cx.reader.region(side).await?;
        let read = section(&reading.services, "services", side)?;
        let ecs = estate
            .ecs
            .as_ref()
            .ok_or_else(|| StepError::missing("no [ecs] in the estate"))?;
        let mut plan = StepPlan::default();
        let mut cur = Vec::new();
        for svc in services_of(estate, &self.services) {
            if let Some(s) = read.iter().find(|s| s.name == svc.name) {
                cur.push(format!(
                    "{} {}",
                    s.name,
                    s.task_definition.clone().unwrap_or_default()
                ));
            }
            let a = Action::ForceDeployment {
                side,
                cluster: ecs.cluster(side).to_string(),
                service: svc.name.clone(),
            };
            if !cx.memo.calls_done.contains(&a.describe()) {
                plan.actions.push(a);
            }
        }
        plan.current = cur.join(", ");
        plan.target = "a new deployment of each, steady".into();
        Ok(plan)
    }

    async fn verify(&self, cx: &StepCx<'_>) -> Result<Verdict, StepError> {
        let reading = cx.reader.region(self.side).await?;
        let read = section(&reading.services, "services", self.side)?;
        let waiting: Vec<String> = services_of(cx.estate(), &self.services)
            .filter_map(|svc| match read.iter().find(|s| s.name == svc.name) {
                Some(s) if s.deployment == Deployment::Steady && s.running >= s.desired => None,
                Some(s) => Some(format!(
                    "{} deploying ({}/{})",
                    s.name, s.running, s.desired
                )),
                None => Some(format!("{} not read", svc.name)),
            })
            .collect();
        Ok(if waiting.is_empty() {
            Verdict::Done("deployments steady".into())
        } else {
            Verdict::Pending(waiting.join(", "))
        })
    }
}

//! `force_deployment` — start a new deployment of a side's ECS services (so their tasks pick
//! up a new database endpoint).
//!
//! - inputs: `side`, `services` (default: all)
//! - calls: `ecs:UpdateService` (forceNewDeployment) for each service not yet redeployed by
//!   this run
//! - waits for: every deployment steady with running ≥ desired
//! - default timeout: 10 minutes
//! - fails when: the services or their deployments cannot be read
//!
//! AWS shows no target state for a forced deployment, only a new PRIMARY deployment. So the
//! run remembers in its journal each deployment it made (the id `UpdateService` answered), and
//! a service counts as redeployed by this run when:
//! - its call was answered in this run (the journal holds the call and the new id), or
//! - its call was in flight when the run stopped (crash, lost answer) and its PRIMARY
//!   deployment now differs from the one read just before the call (recorded with the call's
//!   intent): the call was applied, or another deployment replaced it since, which picks up
//!   the new endpoint just as well.
//!
//! The memory is the run's: resuming a run never redeploys, while a new run of the runbook
//! (`drconsole run NAME --new`, or the console starting one) redeploys every service. Telling
//! "this run's change is there" needs no clock shared with AWS: ids are compared, not times.
use std::time::Duration;

use async_trait::async_trait;
use serde::{Deserialize, Serialize};

use super::read::{check_services, section, services_now, services_of};
use super::{Kind, StepCx, StepKind};
use crate::backend::Action;
use crate::config::Estate;
use crate::model::{Deployment, Parts, Side};
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

    fn sides(&self, _estate: &Estate) -> Vec<Side> {
        vec![self.side]
    }

    async fn preflight(&self, cx: &StepCx<'_>) -> Result<StepPlan, StepError> {
        let side = self.side;
        let estate = cx.estate();
        let (read, cluster) = services_now(cx, side).await?;
        let names: Vec<String> = services_of(estate, &self.services)
            .map(|s| s.name.clone())
            .collect();
        let mut plan = StepPlan::default();
        let mut cur = Vec::new();
        for name in &names {
            if let Some(s) = read.iter().find(|s| &s.name == name) {
                cur.push(format!(
                    "{} {}",
                    s.name,
                    s.task_definition.clone().unwrap_or_default()
                ));
            }
            let a = Action::ForceDeployment {
                side,
                cluster: cluster.clone(),
                service: name.clone(),
            };
            if cx.memo.done(&a) {
                continue;
            }
            let now = read
                .iter()
                .find(|s| &s.name == name)
                .and_then(|s| s.primary_deployment.as_ref());
            if let Some(i) = cx.memo.in_flight_for(&a)
                && now.is_some()
                && now != i.before.as_ref()
            {
                plan.warnings.push(format!(
                    "{name}: the deployment sent before the run stopped is there ({} replaced {})",
                    now.map_or("?", String::as_str),
                    i.before.as_deref().unwrap_or("none")
                ));
                continue;
            }
            if let Some(id) = now {
                crate::runbook::plan::set_by_call(&mut plan.before, &a, id.clone());
            }
            plan.actions.push(a);
        }
        plan.current = cur.join(", ");
        plan.target = "a new deployment of each, steady".into();
        Ok(plan)
    }

    async fn verify(&self, cx: &StepCx<'_>) -> Result<Verdict, StepError> {
        let reading = cx.reader.read(self.side, Parts::SERVICES).await?;
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

//! `scale_services` — set the desired count of a side's ECS services.
//!
//! - inputs: `side`, `to` (`production` | `standby` | a number), `services` (default: all)
//! - calls: `ecs:UpdateService` (desiredCount), only for services not already at the count
//! - waits for: running = desired and the deployment steady, for every service named
//! - default timeout: 5 minutes (a Fargate task starts in 30–90 s)
//! - fails when: a service is missing or not ACTIVE

use std::time::Duration;

use async_trait::async_trait;
use serde::{Deserialize, Serialize};

use super::read::{check_services, section, services_now, services_of};
use super::{Kind, StepCx, StepKind};
use crate::backend::Action;
use crate::config::Estate;
use crate::config::runbook::Count;
use crate::model::{Deployment, Parts, Side};
use crate::runbook::error::StepError;
use crate::runbook::plan::{StepPlan, Verdict};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScaleServices {
    pub side: Side,
    pub to: Count,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub services: Option<Vec<String>>,
}

impl Kind for ScaleServices {
    const NAME: &'static str = "scale_services";
}

#[async_trait]
impl StepKind for ScaleServices {
    fn title(&self) -> String {
        format!("scale {} ECS services to {}", self.side, self.to)
    }

    fn validate(&self, estate: &Estate) -> Result<(), String> {
        check_services(estate, &self.services)
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
        let (read, cluster) = services_now(cx, side).await?;
        let mut plan = StepPlan::default();
        let mut cur = Vec::new();
        let mut tgt = Vec::new();
        for svc in services_of(estate, &self.services) {
            let want = self.to.for_service(svc);
            let s = read.iter().find(|s| s.name == svc.name).ok_or_else(|| {
                StepError::missing(format!("{side} service {} not read", svc.name))
            })?;
            if !s.exists() {
                return Err(StepError::missing(format!(
                    "{side} service {} is {}",
                    svc.name, s.status
                )));
            }
            cur.push(format!("{} {}/{}", s.name, s.running, s.desired));
            tgt.push(format!("{} {want}/{want}", s.name));
            if s.desired != want {
                plan.actions.push(Action::ScaleService {
                    side,
                    cluster: cluster.clone(),
                    service: svc.name.clone(),
                    desired: want,
                });
            }
        }
        plan.current = format!("running/desired: {}", cur.join(", "));
        plan.target = tgt.join(", ");
        Ok(plan)
    }

    async fn verify(&self, cx: &StepCx<'_>) -> Result<Verdict, StepError> {
        let reading = cx.reader.read(self.side, Parts::SERVICES).await?;
        let read = section(&reading.services, "services", self.side)?;
        let mut waiting = Vec::new();
        for svc in services_of(cx.estate(), &self.services) {
            let want = self.to.for_service(svc);
            match read.iter().find(|s| s.name == svc.name) {
                Some(s)
                    if s.desired == want
                        && s.running == want
                        && s.deployment == Deployment::Steady => {}
                Some(s) => waiting.push(format!("{} {}/{}", s.name, s.running, want)),
                None => waiting.push(format!("{} not read", svc.name)),
            }
        }
        Ok(if waiting.is_empty() {
            Verdict::Done("every service running its desired count, steady".into())
        } else {
            Verdict::Pending(format!("running/desired: {}", waiting.join(", ")))
        })
    }
}

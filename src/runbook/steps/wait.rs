//! `wait` — wait until a condition holds (lag below a bound, health checks healthy, ...).
//!
//! - inputs: `until`, one condition (see [`crate::config::runbook::Condition`])
//! - calls: none; reads what the condition needs
//! - waits for: the condition
//! - default timeout: 5 minutes for health checks (interval × failure threshold), else 10
//! - fails when: the condition does not hold in time

use std::time::Duration;

use async_trait::async_trait;
use serde::{Deserialize, Serialize};

use super::condition::eval;
use super::{Kind, Milestone, StepCx, StepKind};
use crate::config::Estate;
use crate::config::runbook::{Condition, side_name};
use crate::runbook::error::StepError;
use crate::runbook::plan::{StepPlan, Verdict};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Wait {
    pub until: Condition,
}

impl Kind for Wait {
    const NAME: &'static str = "wait";
}

#[async_trait]
impl StepKind for Wait {
    fn title(&self) -> String {
        format!("wait until {}", self.until)
    }

    fn validate(&self, estate: &Estate) -> Result<(), String> {
        self.until.check(estate)
    }

    fn default_timeout(&self) -> Duration {
        match self.until {
            Condition::HealthCheckHealthy(_) => Duration::from_secs(5 * 60),
            _ => Duration::from_secs(10 * 60),
        }
    }

    /// A side seen healthy marks the end of the RTO the report measures.
    fn milestone(&self, estate: &Estate) -> Option<Milestone> {
        let side = match &self.until {
            Condition::HealthCheckHealthy(h) => side_name(h).or_else(|| {
                estate
                    .health_checks
                    .iter()
                    .find(|c| &c.id == h)
                    .map(|c| c.region)
            }),
            Condition::RegionHealthy(side) => Some(*side),
            _ => None,
        };
        side.map(Milestone::Healthy)
    }

    async fn preflight(&self, cx: &StepCx<'_>) -> Result<StepPlan, StepError> {
        let (_, detail) = eval(&self.until, cx.reader).await?;
        Ok(StepPlan {
            current: detail,
            target: self.until.to_string(),
            ..StepPlan::default()
        })
    }

    async fn verify(&self, cx: &StepCx<'_>) -> Result<Verdict, StepError> {
        let (ok, detail) = eval(&self.until, cx.reader).await?;
        Ok(if ok {
            Verdict::Done(detail)
        } else {
            Verdict::Pending(detail)
        })
    }
}

//! `wait` — wait until a condition holds (lag below a bound, health checks healthy, ...).
//!
//! - inputs: `until`, one condition (see [`crate::config::runbook::Condition`]); `hold`
//!   (optional): how long the condition must hold without a break before the step is done
//! - calls: none; reads what the condition needs
//! - waits for: the condition (for `hold`, when given)
//! - default timeout: 5 minutes for health checks (interval × failure threshold), else 10
//! - fails when: the condition does not hold in time

use std::sync::Mutex;
use std::time::Duration;

use async_trait::async_trait;
use serde::{Deserialize, Serialize};
use tokio::time::Instant;

use super::condition::eval;
use super::{Kind, Milestone, StepCx, StepKind};
use crate::config::runbook::{Condition, side_name};
use crate::config::{Estate, HumanDuration};
use crate::model::Side;
use crate::runbook::error::StepError;
use crate::runbook::plan::{StepPlan, Verdict};

#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Wait {
    pub until: Condition,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hold: Option<HumanDuration>,
    /// Since when the condition has held without a break (this run only: a resumed run
    /// starts counting again).
    #[serde(skip)]
    held_since: Mutex<Option<Instant>>,
}

impl Wait {
    pub fn until(until: Condition) -> Wait {
        Wait {
            until,
            hold: None,
            held_since: Mutex::new(None),
        }
    }
    pub fn holding(mut self, hold: Duration) -> Wait {
        self.hold = Some(HumanDuration(hold));
        self
    }
}

impl Kind for Wait {
    const NAME: &'static str = "wait";
}

#[async_trait]
impl StepKind for Wait {
    fn title(&self) -> String {
        match &self.hold {
            Some(h) => format!("wait until {} for {h}", self.until),
            None => format!("wait until {}", self.until),
        }
    }

    fn validate(&self, estate: &Estate) -> Result<(), String> {
        self.until.check(estate)
    }

    fn default_timeout(&self) -> Duration {
        let base = match self.until {
            Condition::HealthCheckHealthy(_) => Duration::from_secs(5 * 60),
            _ => Duration::from_secs(10 * 60),
        };
        base + self.hold.map(|h| h.0).unwrap_or_default()
    }

    fn sides(&self, estate: &Estate) -> Vec<Side> {
        self.until.sides(estate)
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
            target: match &self.hold {
                Some(h) => format!("{} for {h}", self.until),
                None => self.until.to_string(),
            },
            ..StepPlan::default()
        })
    }

    async fn verify(&self, cx: &StepCx<'_>) -> Result<Verdict, StepError> {
        let (ok, detail) = eval(&self.until, cx.reader).await?;
        let mut since = self.held_since.lock().unwrap_or_else(|p| p.into_inner());
        if !ok {
            *since = None;
            return Ok(Verdict::Pending(detail));
        }
        let Some(hold) = self.hold else {
            return Ok(Verdict::Done(detail));
        };
        let start = *since.get_or_insert_with(Instant::now);
        let held = cx.reader.pace.estate(start.elapsed());
        if held >= hold.0 {
            Ok(Verdict::Done(format!("{detail}, held {hold}")))
        } else {
            Ok(Verdict::Pending(format!(
                "{detail}, held {}s of {hold}",
                held.as_secs()
            )))
        }
    }
}

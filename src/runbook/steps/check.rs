//! `check` (alias `preflight`) — conditions that must hold before the run goes on.
//!
//! - inputs: `require` and `warn`, lists of conditions (see [`crate::config::runbook::Condition`])
//! - calls: none; reads what each condition needs
//! - waits for: nothing: it is done at preflight when every `require` holds (`warn` only warns)
//! - default timeout: 1 minute (unused)
//! - fails when: a `require` condition does not hold or cannot be read

use std::time::Duration;

use async_trait::async_trait;
use serde::{Deserialize, Serialize};

use super::condition::eval;
use super::read::db_of;
use super::{Kind, StepCx, StepKind};
use crate::config::Estate;
use crate::config::runbook::Condition;
use crate::model::{Parts, Side};
use crate::runbook::error::StepError;
use crate::runbook::plan::{StepPlan, Verdict};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Check {
    #[serde(default)]
    pub require: Vec<Condition>,
    #[serde(default)]
    pub warn: Vec<Condition>,
}

impl Kind for Check {
    const NAME: &'static str = "check";
    const ALIASES: &'static [&'static str] = &["preflight"];
}

#[async_trait]
impl StepKind for Check {
    fn title(&self) -> String {
        "preflight checks".into()
    }

    fn validate(&self, estate: &Estate) -> Result<(), String> {
        if self.require.is_empty() && self.warn.is_empty() {
            return Err("expected conditions in `require` or `warn`".into());
        }
        self.require
            .iter()
            .chain(&self.warn)
            .try_for_each(|c| c.check(estate))
    }

    fn default_timeout(&self) -> Duration {
        Duration::from_secs(60)
    }

    /// Only the regions of `require`: warnings never call a region.
    fn sides(&self, estate: &Estate) -> Vec<Side> {
        let mut sides: Vec<Side> = self.require.iter().flat_map(|c| c.sides(estate)).collect();
        sides.sort();
        sides.dedup();
        sides
    }

    async fn preflight(&self, cx: &StepCx<'_>) -> Result<StepPlan, StepError> {
        let r = cx.reader;
        let mut plan = StepPlan::default();
        let mut failed = Vec::new();
        let mut met = Vec::new();
        for c in &self.require {
            match eval(c, r).await {
                Ok((true, d)) => met.push(d),
                Ok((false, d)) => failed.push(format!("{c}: {d}")),
                Err(e) => failed.push(format!("{c}: {e}")),
            }
        }
        // A warning about a region the run does not call is judged from its last reading,
        // whose age is stated.
        for c in &self.warn {
            let age = c
                .sides(cx.estate())
                .into_iter()
                .filter(|s| !r.touches(*s))
                .filter_map(|s| r.known(s).map(|k| k.age))
                .max()
                .map(|a| format!(" (last read {} ago)", crate::timefmt::secs(a.as_secs())))
                .unwrap_or_default();
            match eval(c, r).await {
                Ok((true, d)) => met.push(format!("{d}{age}")),
                Ok((false, d)) => plan.warnings.push(format!("{c}: {d}{age}")),
                Err(e) => plan.warnings.push(format!("{c}: {e}")),
            }
        }
        if !failed.is_empty() {
            return Err(StepError::refused(format!(
                "check failed: {}",
                failed.join("; ")
            )));
        }
        if cx.estate().database.is_some()
            && self
                .warn
                .iter()
                .chain(&self.require)
                .any(|c| matches!(c, Condition::LagBelow(_)))
        {
            plan.lag = r
                .read(Side::Standby, Parts::DATABASE | Parts::LAG)
                .await
                .ok()
                .and_then(|rr| db_of(&rr, Side::Standby).ok().map(|d| d.lag));
        }
        plan.current = met.join("; ");
        plan.target = "checks pass".into();
        plan.complete = Some(if plan.warnings.is_empty() {
            "checks pass".into()
        } else {
            format!("checks pass, {} warning(s)", plan.warnings.len())
        });
        Ok(plan)
    }

    async fn verify(&self, _cx: &StepCx<'_>) -> Result<Verdict, StepError> {
        Ok(Verdict::Done("nothing to verify".into()))
    }
}

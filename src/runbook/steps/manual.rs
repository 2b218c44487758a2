//! `manual` — an instruction a person carries out and acknowledges (e.g. "external DNS updated").
//!
//! - inputs: `instruction`
//! - calls: none
//! - waits for: the operator's acknowledgement (`y`)
//! - default timeout: none needed (1 minute, unused)
//! - fails when: never; it cannot run inside a parallel group

use std::time::Duration;

use async_trait::async_trait;
use serde::{Deserialize, Serialize};

use super::{Kind, StepCx, StepKind};
use crate::config::Estate;
use crate::model::Side;
use crate::runbook::error::StepError;
use crate::runbook::plan::{StepPlan, Verdict};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Manual {
    pub instruction: String,
}

impl Kind for Manual {
    const NAME: &'static str = "manual";
}

#[async_trait]
impl StepKind for Manual {
    fn title(&self) -> String {
        format!("manual: {}", self.instruction)
    }

    fn validate(&self, _estate: &Estate) -> Result<(), String> {
        if self.instruction.trim().is_empty() {
            return Err("expected a non-empty `instruction`".into());
        }
        Ok(())
    }

    fn default_timeout(&self) -> Duration {
        Duration::from_secs(60)
    }

    fn sides(&self, _estate: &Estate) -> Vec<Side> {
        Vec::new()
    }

    fn needs_operator(&self) -> bool {
        true
    }

    async fn preflight(&self, _cx: &StepCx<'_>) -> Result<StepPlan, StepError> {
        Ok(StepPlan {
            instruction: Some(self.instruction.clone()),
            current: "waiting for the operator".into(),
            target: "acknowledged".into(),
            ..StepPlan::default()
        })
    }

    async fn verify(&self, _cx: &StepCx<'_>) -> Result<Verdict, StepError> {
        Ok(Verdict::Done("nothing to verify".into()))
    }
}

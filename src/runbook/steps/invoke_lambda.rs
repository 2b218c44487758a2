//! `invoke_lambda` — run a Lambda function the team already has (a failover function, a cache
//! warmer), synchronously, and wait for its answer.
//!
//! - inputs: `function` (name or ARN), `region` (`"primary"` or `"standby"`, default
//!   `standby`: the side a DR step acts in), `payload` (optional TOML table, sent as JSON; `{}`
//!   when absent)
//! - calls: `lambda:InvokeFunction` with `InvocationType=RequestResponse`, once per
//!   confirmation; on the simulator nothing runs and the answer says `SIMULATED`
//! - waits for: the function's answer (the call lasts as long as the function, up to Lambda's
//!   15 minutes); its payload, cut to 500 characters, goes to the live log
//! - default timeout: 1 minute (the call itself is bounded by the function's own limit)
//! - fails when: the function answers with an error (`FunctionError`: its error payload is in
//!   the message), or the call fails
//!
//! An invocation is not idempotent: the plan says that confirming invokes the function and
//! that a retry invokes it again. Its intent is journaled before the call, so a run stopped
//! while the function ran asks again on resume instead of invoking it silently; one answered
//! without error is not invoked again by the same run.

use std::time::Duration;

use async_trait::async_trait;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::once::{self, Once};
use super::{Kind, StepCx, StepKind};
use crate::backend::Action;
use crate::config::Estate;
use crate::model::Side;
use crate::runbook::error::StepError;
use crate::runbook::plan::{StepPlan, Verdict};

fn standby() -> Side {
    Side::Standby
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InvokeLambda {
    pub function: String,
    #[serde(default = "standby")]
    pub region: Side,
    #[serde(default, skip_serializing_if = "Map::is_empty")]
    pub payload: Map<String, Value>,
}

impl Kind for InvokeLambda {
    const NAME: &'static str = "invoke_lambda";
}

impl InvokeLambda {
    fn action(&self) -> Action {
        Action::InvokeLambda {
            side: self.region,
            function: self.function.clone(),
            payload: Value::Object(self.payload.clone()).to_string(),
        }
    }
}

/// Longest payload a synchronous invocation accepts (6 MB).
const MAX_REQUEST: usize = 6 * 1024 * 1024;

#[async_trait]
impl StepKind for InvokeLambda {
    fn title(&self) -> String {
        format!("invoke Lambda {} in {}", self.function, self.region)
    }

    fn validate(&self, _estate: &Estate) -> Result<(), String> {
        let f = self.function.trim();
        if f.is_empty() {
            return Err(
                "expected a function name or ARN in `function`, found an empty string".into(),
            );
        }
        if f.contains(char::is_whitespace) {
            return Err(format!(
                "expected a function name or ARN in `function`, found {:?}",
                self.function
            ));
        }
        let size = Value::Object(self.payload.clone()).to_string().len();
        if size > MAX_REQUEST {
            return Err(format!(
                "expected a payload of at most 6 MB in `payload`, found {size} bytes"
            ));
        }
        Ok(())
    }

    fn consent_from_state(&self) -> bool {
        true
    }
    fn default_timeout(&self) -> Duration {
        Duration::from_secs(60)
    }

    fn sides(&self, _estate: &Estate) -> Vec<Side> {
        vec![self.region]
    }

    async fn preflight(&self, cx: &StepCx<'_>) -> Result<StepPlan, StepError> {
        Ok(once::plan(
            cx,
            self.action(),
            Once {
                done: "invoked in this run, answered without error",
                not_done: "not invoked",
                target: "invoked once, answered without error",
                target_done: "invoked once",
                twice: format!(
                    "an invocation is not idempotent: confirming invokes {}, and a retry invokes it again",
                    self.function
                ),
                in_flight: "it was invoked before the run stopped and its answer is unknown: confirming invokes it again",
            },
        ))
    }

    async fn verify(&self, cx: &StepCx<'_>) -> Result<Verdict, StepError> {
        Ok(once::verify(
            cx,
            &self.action(),
            "invoked, answered without error",
            "not invoked",
        ))
    }
}

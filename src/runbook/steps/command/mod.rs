//! `command` — run a program the team already has (`./scripts/test-dr.sh`), on this machine.
//!
//! - inputs: `program` (a path, or a name looked up in `PATH`), `args` (list), `env` (table of
//!   strings, added to drconsole's own environment), `dir` (working directory); the step's
//!   `timeout` is how long the program may run. A relative `program` (one with a `/`) and a
//!   relative `dir` start from the estate file's directory, which is also the default `dir`
//!   (the current directory when there is no file)
//! - calls: the program itself, never through a shell (write `program = "sh"`, `args = ["-c",
//!   "..."]` for one); its standard output and error go to the live log line by line as they
//!   come. Not an AWS call: it runs for real on the simulator too
//! - waits for: the program to exit
//! - default timeout: 5 minutes; past it the program (and its process group) is killed
//! - fails when: the program cannot be found or started, exits with any status but 0, is
//!   killed by a signal, or outlives the timeout; the error gives the status and its last lines
//!
//! A program is not assumed idempotent: the plan says that confirming runs it, and that a
//! retry runs it again. Its start is journaled before it is spawned, so a run stopped while it
//! ran asks again on resume, never re-runs it silently; one that exited 0 is not run again.

mod process;
mod resolve;
mod run;

use std::collections::BTreeMap;
use std::time::Duration;

use async_trait::async_trait;
use serde::{Deserialize, Serialize};

use super::once::{self, Once};
use super::{Kind, StepCx, StepKind};
use crate::config::Estate;
use crate::model::Side;
use crate::runbook::error::StepError;
use crate::runbook::plan::{StepPlan, Verdict};

pub use run::run_command;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Command {
    pub program: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub args: Vec<String>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub env: BTreeMap<String, String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dir: Option<String>,
}

impl Kind for Command {
    const NAME: &'static str = "command";
}

#[async_trait]
impl StepKind for Command {
    fn title(&self) -> String {
        let mut t = format!("run {}", self.program);
        for a in &self.args {
            t.push(' ');
            t.push_str(a);
        }
        t
    }

    fn validate(&self, _estate: &Estate) -> Result<(), String> {
        if self.program.trim().is_empty() {
            return Err("expected a program to run in `program`, found an empty string".into());
        }
        if let Some(d) = &self.dir
            && d.trim().is_empty()
        {
            return Err("expected a directory in `dir`, found an empty string".into());
        }
        if let Some(k) = self
            .env
            .keys()
            .find(|k| k.is_empty() || k.contains('=') || k.contains('\0'))
        {
            return Err(format!(
                "expected environment variable names in `env`, found {k:?}"
            ));
        }
        Ok(())
    }

    fn consent_from_state(&self) -> bool {
        true
    }
    fn default_timeout(&self) -> Duration {
        Duration::from_secs(5 * 60)
    }

    /// No region: the program runs here.
    fn sides(&self, _estate: &Estate) -> Vec<Side> {
        Vec::new()
    }

    async fn preflight(&self, cx: &StepCx<'_>) -> Result<StepPlan, StepError> {
        let action = self.action(cx.estate())?;
        Ok(once::plan(
            cx,
            action,
            Once {
                done: "ran in this run, exit 0",
                not_done: "not run",
                target: "exit 0",
                target_done: "exit 0",
                twice: "a program may not be safe to run twice: confirming runs it, and a retry runs it again"
                    .into(),
                in_flight: "it was started before the run stopped and how it ended is unknown: confirming runs it again",
            },
        ))
    }

    async fn verify(&self, cx: &StepCx<'_>) -> Result<Verdict, StepError> {
        let action = self.action(cx.estate())?;
        Ok(once::verify(cx, &action, "exit 0", "not run"))
    }
}

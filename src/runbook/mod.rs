//! Runbooks: failover, reprotect, failback and drills, run step by step with confirmation.
//!
//! - [`steps`]: every step kind, one file each, behind one trait; [`step`]: a runbook built
//!   from its written form ([`crate::config::runbook`]) and checked against the estate.
//! - [`defaults`]: the runbooks generated from the estate.
//! - [`launch`] starts or resumes a run; [`engine`] is the run itself, a tokio task driven by
//!   [`RunCommand`]s that reports [`RunEvent`]s ([`api`]); [`recorder`] keeps its [`Journal`]
//!   and writes the [`audit`] log and the [`report`] from a thread of its own.
//! - [`reader`]: reads and calls with timeouts; [`error`]: why a step or a runbook fails.
//! - [`headless`]: the same run without the console.

pub mod accounts;
pub mod api;
pub mod approval;
pub mod audit;
mod background;
pub mod batch;
pub mod defaults;
mod engine;
pub mod error;
pub mod headless;
pub mod journal;
pub mod launch;
pub mod lock;
pub mod notify;
pub mod plan;
pub mod reader;
mod recorder;
pub mod report;
pub mod rto;
pub mod step;
pub mod steps;

pub use api::{
    ConfirmPrompt, Level, LogLine, PlannedCall, RunCommand, RunContext, RunError, RunEvent,
    RunHandle, RunMode, RunSummary, StepView,
};
pub use audit::{default_audit_path, default_state_dir};
pub use error::{SpecError, StepError};
pub use headless::{ACCOUNT_MISMATCH, HeadlessExit, HeadlessOptions, run_headless};
pub use journal::{Journal, RunOutcome, StepStatus};
pub use launch::{resume, start, start_spec};
pub use reader::Pace;
pub use step::{Step, compile, validate};

use crate::config::{ConfigError, Estate};

/// Checks every runbook written in the estate file against its step kinds.
pub fn check_runbooks(estate: &Estate) -> Result<(), (String, String)> {
    let registry = steps::builtin();
    for (name, spec) in &estate.runbooks {
        validate(spec, estate, &registry).map_err(|e| (step_key(name, &e), e.to_string()))?;
    }
    Ok(())
}

/// The key an error of a runbook's step is located at: the step's own table
/// (`runbooks.drill.steps[1].steps[0]` for step 2.1), else the runbook.
fn step_key(runbook: &str, e: &SpecError) -> String {
    let mut key = format!("runbooks.{runbook}");
    let pos = match e {
        SpecError::Step { step, .. } | SpecError::UnknownKind { step, .. } => step,
        SpecError::Shape(_) => return key,
    };
    let mut path = String::new();
    for n in pos.split('.') {
        match n.parse::<usize>() {
            Ok(n) if n > 0 => path.push_str(&format!(".steps[{}]", n - 1)),
            _ => return key,
        }
    }
    key.push_str(&path);
    key
}

/// Loads an estate file and checks its runbooks: what every command that runs one uses.
pub fn load_estate(path: &std::path::Path) -> Result<Estate, ConfigError> {
    Estate::load_checked(path, &check_runbooks)
}

/// Parses an estate file's text and checks its runbooks.
pub fn parse_estate(text: &str, origin: &str) -> Result<Estate, ConfigError> {
    Estate::parse_checked(text, origin, &check_runbooks)
}

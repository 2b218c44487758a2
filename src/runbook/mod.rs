//! Runbooks: failover, failback and drills, run step by step with confirmation.
//!
//! - [`spec`]: the syntax written in the estate file; [`defaults`]: the generated runbooks.
//! - [`plan`]: what a step would change now (preflight) and whether it is done (verify).
//! - [`engine`]: the run itself, a tokio task driven by [`RunCommand`]s that reports
//!   [`RunEvent`]s; it keeps a [`Journal`] and writes the [`audit`] log and the [`report`].
//! - [`headless`]: the same run without the console.

pub mod audit;
pub mod defaults;
pub mod engine;
pub mod headless;
pub mod journal;
pub mod plan;
pub mod report;
pub mod spec;

pub use audit::{default_audit_path, default_state_dir};
pub use engine::{
    ConfirmPrompt, Level, LogLine, PlannedCall, RunCommand, RunContext, RunError, RunEvent,
    RunHandle, RunMode, RunSummary, StepView, resume, start, start_spec,
};
pub use headless::{HeadlessExit, HeadlessOptions, run_headless};
pub use journal::{Journal, RunOutcome, StepStatus};
pub use plan::Pace;

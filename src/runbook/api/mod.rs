//! What callers of the engine see: how a run is started, the commands an operator sends,
//! the events a run reports, and its summary.

mod confirm;
mod events;

pub use confirm::{ConfirmPrompt, DISCARD, PlannedCall, RERUN, RunCommand, ShownLoss};
pub use events::{ApprovalWait, Level, LogLine, RunEvent, RunSummary, StepView};

use std::path::PathBuf;
use std::sync::Arc;

use serde::{Deserialize, Serialize};
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

use super::error::SpecError;
use super::reader::Pace;
use super::steps::Registry;
use crate::backend::Backend;
use crate::config::Estate;
use crate::model::AccountCheck;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum RunMode {
    /// Confirmed steps call AWS.
    Live,
    /// Every step is planned and shown; nothing is called.
    DryRun,
    /// No run may start.
    ReadOnly,
}

/// Everything a run needs. `pace` is [`Pace::REAL`] except for a simulator on a fast clock.
#[derive(Clone)]
pub struct RunContext {
    pub estate: Arc<Estate>,
    pub backend: Arc<dyn Backend>,
    pub mode: RunMode,
    pub audit_path: PathBuf,
    pub state_dir: PathBuf,
    pub pace: Pace,
    /// Recorded with every confirmation; [`super::audit::os_user`] by default.
    pub user: String,
    /// The step kinds runbooks may use: the built-in ones unless a caller adds its own.
    pub registry: Arc<Registry>,
    /// What runs have read, and the console's last polls: shared by every step of a run.
    pub readings: Arc<super::reader::Readings>,
    /// Each side's account as read before the run ([`super::accounts::read`], or the
    /// console's last read): a live run is refused while a pinned one differs or is unknown,
    /// and `run_started` records them.
    pub accounts: Vec<AccountCheck>,
    /// `--no-lock`, and a typed take-over of an expired lease.
    pub lock: super::lock::LockOptions,
    /// A drill (`--drill`, or the console's toggle) rather than a real incident: recorded
    /// from the first audit line and stated by the report.
    pub drill: bool,
    /// SHA-256 of the estate file as read (none for the simulator's built-in estate):
    /// recorded by `run_started` and stated by the report.
    pub estate_sha256: Option<String>,
}

impl RunContext {
    pub fn new(estate: Arc<Estate>, backend: Arc<dyn Backend>, mode: RunMode) -> RunContext {
        RunContext {
            estate,
            backend,
            mode,
            audit_path: super::audit::default_audit_path(),
            state_dir: super::audit::default_state_dir(),
            pace: Pace::REAL,
            user: super::audit::os_user(),
            registry: super::steps::builtin(),
            readings: Arc::default(),
            accounts: Vec::new(),
            lock: Default::default(),
            drill: false,
            estate_sha256: None,
        }
    }
}

#[derive(Debug)]
pub enum RunError {
    ReadOnly,
    UnknownRunbook(String),
    Invalid(SpecError),
    AlreadyFinished(String),
    /// A pinned account differs from the credentials', or cannot be read.
    AccountRefused(String),
}

impl std::fmt::Display for RunError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            RunError::ReadOnly => f.write_str("read-only mode: runbooks cannot be run"),
            RunError::UnknownRunbook(n) => write!(f, "no runbook named {n:?}"),
            RunError::Invalid(m) => write!(f, "invalid runbook: {m}"),
            RunError::AlreadyFinished(id) => write!(f, "run {id} has already finished"),
            RunError::AccountRefused(why) => write!(f, "runbooks refused: {why}"),
        }
    }
}

impl std::error::Error for RunError {}

/// A run in progress. Dropping it does not stop the run; `commands` closing aborts it at the
/// next point where it needs a decision.
pub struct RunHandle {
    pub run_id: String,
    pub journal: PathBuf,
    pub events: mpsc::UnboundedReceiver<RunEvent>,
    pub commands: mpsc::UnboundedSender<RunCommand>,
    pub task: JoinHandle<RunSummary>,
}

//! What callers of the engine see: how a run is started, the commands an operator sends,
//! the events a run reports, and its summary.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use chrono::Utc;
use serde::{Deserialize, Serialize};
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

use super::error::SpecError;
use super::journal::{Metrics, RunOutcome, StepStatus};
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

/// What the operator decides, sent to a running engine.
#[derive(Debug, Clone, PartialEq)]
pub enum RunCommand {
    /// Go ahead with the step awaiting confirmation. An irreversible step needs
    /// `typed_region` equal to its target region's AWS name (e.g. `us-west-2`).
    Confirm { typed_region: Option<String> },
    /// Go ahead on the strength of command-line flags (an unattended run): the audit log
    /// records the flags, not a typed text. The step's needs are checked against them:
    /// `--yes` always, `--allow-irreversible` for an irreversible call, `--allow-data-loss`
    /// when confirming discards acknowledged writes.
    /// `shown_loss`: in an evacuation, the loss its typed phrase accepted for this estate.
    ConfirmByFlags {
        flags: Vec<String>,
        shown_loss: Option<ShownLoss>,
    },
    /// Stop the run here, decided by the program and not by an operator (an unattended run
    /// that may not confirm a step): audited as a stop, with its reason.
    Stop { reason: String },
    /// Preflight the failed (or awaiting) step again and ask again.
    Retry,
    /// Leave the step (or the failed steps of a group) undone; the reason is logged.
    Skip { reason: String },
    /// Stop the run here. Nothing already done is undone.
    Abort,
    /// Approve another operator's step (a console following that run): the step id typed.
    /// A run's own engine ignores it: its operator cannot approve their own step.
    Approve { step: String },
    /// Stop here without ending the run: its journal stays unfinished, so that the same run
    /// can be resumed later (every unfinished step is preflighted again, AWS read first).
    /// Answers a question (confirmation or failure), like [`RunCommand::Abort`].
    Suspend { reason: String },
}

/// One planned call, as listed in a confirmation prompt.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PlannedCall {
    pub step: String,
    pub call: String,
    pub describe: String,
    pub irreversible: bool,
}

/// What a step (or a parallel group) will do, shown before the operator confirms it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ConfirmPrompt {
    /// The step or group awaiting confirmation.
    pub step: String,
    pub title: String,
    pub calls: Vec<PlannedCall>,
    /// One line per step: `title: current → target`.
    pub changes: Vec<String>,
    pub warnings: Vec<String>,
    /// Set when a call is irreversible: the AWS region name to type back.
    pub type_to_confirm: Option<String>,
    /// A manual step's instruction.
    pub instruction: Option<String>,
    /// What confirming throws away (acknowledged writes a promotion abandons), one line per
    /// step; when any, `type_to_confirm` ends with [`DISCARD`].
    #[serde(default)]
    pub discards: Vec<String>,
    /// The losses behind `discards`, typed (what an evacuation compares with what it showed).
    #[serde(default)]
    pub losses: Vec<crate::runbook::plan::Loss>,
    /// Steps whose program or function was started and whose outcome is unknown: confirming
    /// runs them again, which needs [`RERUN`] typed (headless: `--rerun-unknown STEP`).
    #[serde(default)]
    pub rerun_unknown: Vec<String>,
}

impl ConfirmPrompt {
    /// The flags an unattended run must have been given to confirm this prompt: `--yes`;
    /// `--allow-irreversible` for an irreversible call; `--allow-data-loss` for a loss not
    /// known to be zero; `--rerun-unknown STEP` for each step whose outcome is unknown.
    pub fn needed_flags(&self) -> Vec<String> {
        let mut f = vec!["--yes".to_string()];
        if self.calls.iter().any(|c| c.irreversible) {
            f.push("--allow-irreversible".into());
        }
        if !self.discards.is_empty() {
            f.push("--allow-data-loss".into());
        }
        f.extend(
            self.rerun_unknown
                .iter()
                .map(|s| format!("--rerun-unknown {s}")),
        );
        f
    }

    /// Of [`Self::needed_flags`], those not in `given`. `shown`, an evacuation's confirmed
    /// loss, stands for `--allow-data-loss` only when every loss here is within it.
    pub fn missing_flags(&self, given: &[String], shown: Option<ShownLoss>) -> Vec<String> {
        let covered = shown.is_some_and(|s| self.loss_within(s));
        self.needed_flags()
            .into_iter()
            .filter(|f| !given.contains(f))
            .filter(|f| !(covered && f == "--allow-data-loss"))
            .collect()
    }

    /// Whether every loss this prompt states is within what `shown` confirmed.
    pub fn loss_within(&self, shown: ShownLoss) -> bool {
        self.losses.len() == self.discards.len()
            && self.losses.iter().all(|l| l.within(shown.up_to_secs))
    }
}

/// The data loss an evacuation showed for one estate, which its typed phrase accepted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShownLoss {
    /// The replica lag shown, in seconds; `None` when it was not known (then no loss is
    /// within it).
    pub up_to_secs: Option<u64>,
}

/// The word typed after the region's name to accept losing acknowledged writes.
pub const DISCARD: &str = "DISCARD";

/// The word typed to run again a program or function whose earlier run's outcome is unknown.
pub const RERUN: &str = "RERUN";

/// A step waiting for a second operator's approval, as the screen and the log show it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ApprovalWait {
    pub step: String,
    pub title: String,
    pub run_id: String,
    /// `drconsole approve RUN STEP`.
    pub command: String,
    /// The request this wait is for: an approval names it.
    pub request_id: String,
    pub plan_sha256: String,
    /// The plan as the approver sees it, one line each.
    pub plan: Vec<String>,
    /// `alice@laptop`.
    pub requested_by: String,
    /// When the step stops waiting (the run then stops there, resumable).
    pub expires_at: chrono::DateTime<Utc>,
    /// Where the request is: the table and its region.
    pub store: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StepView {
    pub id: String,
    pub title: String,
    pub parent: Option<String>,
    pub optional: bool,
    pub status: StepStatus,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    Info,
    Warn,
    Error,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LogLine {
    pub utc: chrono::DateTime<Utc>,
    /// Seconds since the run started (estate time).
    pub at: f64,
    pub level: Level,
    pub step: Option<String>,
    pub text: String,
}

impl std::fmt::Display for LogLine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let level = match self.level {
            Level::Info => "",
            Level::Warn => "WARN ",
            Level::Error => "ERROR ",
        };
        write!(f, "[{:>7}] ", super::report::secs(self.at))?;
        if let Some(s) = &self.step {
            write!(f, "{s}: ")?;
        }
        write!(f, "{level}{}", self.text)
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunSummary {
    pub run_id: String,
    pub runbook: String,
    pub outcome: RunOutcome,
    pub rto: Option<Duration>,
    pub metrics: Metrics,
    pub skipped: Vec<String>,
    pub journal: PathBuf,
    pub report: Option<PathBuf>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum RunEvent {
    Started {
        run_id: String,
        runbook: String,
        mode: RunMode,
        resumed: bool,
        /// A drill, not a real incident (as the journal records it from the start).
        drill: bool,
        journal: PathBuf,
        steps: Vec<StepView>,
    },
    /// A step (or group) changed state.
    Step(StepView),
    /// Nothing happens until a [`RunCommand`] arrives.
    AwaitingConfirmation(ConfirmPrompt),
    /// A confirmed step waits for another operator's approval (`[coordination] approval`):
    /// nothing to answer here but abort or stop.
    AwaitingApproval(ApprovalWait),
    /// A step failed: retry, skip (with a reason) or abort.
    AwaitingDecision {
        step: String,
        error: String,
        /// Every failed step is `optional`.
        optional: bool,
        /// The failure is the primary being unreachable.
        needs_primary: bool,
    },
    Log(LogLine),
    Finished(RunSummary),
    /// The run stopped without finishing: its task failed (the journal stays resumable).
    Crashed {
        reason: String,
    },
    /// The run did not start: another run holds the estate's run lock, or the shared lock
    /// cannot be claimed. Nothing was called and no journal was written.
    Locked(super::lock::Refusal),
    /// Following another operator's run ([`super::lock::follow`]): its holder as last read,
    /// or `None` once it let the lock go (the run is over).
    Followed(Option<Box<super::lock::Holder>>),
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

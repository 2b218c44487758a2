//! What a run reports: its steps' states, its questions, its log lines and its summary.

use std::path::PathBuf;
use std::time::Duration;

use chrono::Utc;
use serde::{Deserialize, Serialize};

use super::{ConfirmPrompt, RunMode};
use crate::runbook::journal::{Metrics, RunOutcome, StepStatus};

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
        write!(f, "[{:>7}] ", crate::runbook::report::secs(self.at))?;
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
    /// Nothing happens until a [`RunCommand`](super::RunCommand) arrives.
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
    Locked(crate::runbook::lock::Refusal),
    /// Following another operator's run ([`crate::runbook::lock::follow`]): its holder as
    /// last read, or `None` once it let the lock go (the run is over).
    Followed(Option<Box<crate::runbook::lock::Holder>>),
}

//! A step as the journal records it: its state, its times and what it remembers.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::runbook::plan::StepMemo;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum StepStatus {
    Pending,
    Preflight,
    AwaitingConfirmation,
    /// Confirmed here; waiting for another operator's approval.
    AwaitingApproval,
    Running,
    Verifying,
    Done {
        note: String,
    },
    Failed {
        error: String,
    },
    Skipped {
        reason: String,
    },
    /// Planned only: the run is a dry run.
    DryRun {
        note: String,
    },
}

impl StepStatus {
    /// Whether the step is finished for good (a resumed run does not touch it again).
    pub fn is_final(&self) -> bool {
        matches!(
            self,
            StepStatus::Done { .. } | StepStatus::Skipped { .. } | StepStatus::DryRun { .. }
        )
    }
    pub fn label(&self) -> &'static str {
        match self {
            StepStatus::Pending => "pending",
            StepStatus::Preflight => "preflight",
            StepStatus::AwaitingConfirmation => "awaiting confirmation",
            StepStatus::AwaitingApproval => "awaiting approval",
            StepStatus::Running => "running",
            StepStatus::Verifying => "verifying",
            StepStatus::Done { .. } => "done",
            StepStatus::Failed { .. } => "failed",
            StepStatus::Skipped { .. } => "skipped",
            StepStatus::DryRun { .. } => "dry-run",
        }
    }
    pub fn note(&self) -> Option<&str> {
        match self {
            StepStatus::Done { note } | StepStatus::DryRun { note } => Some(note),
            StepStatus::Failed { error } => Some(error),
            StepStatus::Skipped { reason } => Some(reason),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StepRecord {
    pub id: String,
    pub title: String,
    pub kind: String,
    pub optional: bool,
    /// The group a step belongs to (`None` for a top-level step).
    pub parent: Option<String>,
    pub status: StepStatus,
    /// Seconds since the run started (estate time) when work on the step began and ended.
    pub started: Option<f64>,
    pub finished: Option<f64>,
    #[serde(default)]
    pub memo: StepMemo,
    /// Upper bound of the time between AWS showing the target state and the step being
    /// marked done: done time minus the start of the last read that did not show it.
    #[serde(default)]
    pub verify_overhead: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TimelineEntry {
    /// Seconds since the run started (estate time).
    pub at: f64,
    pub utc: DateTime<Utc>,
    pub step: Option<String>,
    pub text: String,
}

//! The run view's state: the run as the engine reports it (steps, the question it asks,
//! the live log), its clock, which of its panes has the keys, and what the operator is typing.

mod apply;
mod follow;
mod input;
#[cfg(test)]
mod tests;

use std::time::Instant;

use super::runlog::RunLog;
use crate::runbook::{ConfirmPrompt, RunEvent, RunMode, RunSummary, StepView};
pub use input::{RunPane, Typing};

/// A question the engine is waiting on.
#[derive(Debug, Clone, PartialEq)]
pub enum Question {
    Confirm(ConfirmPrompt),
    Decide {
        step: String,
        error: String,
        optional: bool,
        needs_primary: bool,
    },
    /// Confirmed here; another operator must approve it. `deadline`: when the wait ends, on
    /// this machine's monotonic clock.
    Approval {
        wait: crate::runbook::api::ApprovalWait,
        deadline: Instant,
    },
}

/// The run's clock: estate time as of the last event, and when that event arrived.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ClockMark {
    pub at: f64,
    pub seen: Instant,
}

#[derive(Debug, Clone, Default)]
pub struct RunView {
    pub run_id: String,
    pub runbook: String,
    pub mode: Option<RunMode>,
    pub resumed: bool,
    /// A drill, not a real incident (as asked when started, then as the journal says).
    pub drill: bool,
    /// Findings added to the finished run's report from here, in order.
    pub findings: Vec<String>,
    pub steps: Vec<StepView>,
    pub question: Option<Question>,
    pub log: RunLog,
    /// Rows of the question scrolled past.
    pub prompt_scroll: usize,
    /// How far the question can scroll on the screen as last drawn (`None`: not drawn yet).
    pub prompt_max: Option<usize>,
    /// The first step row shown once the steps are scrolled by hand (`None`: the list follows
    /// the active step).
    pub steps_scroll: Option<usize>,
    /// The pane the scroll keys move.
    pub pane: RunPane,
    /// Estate seconds per wall second (the simulator's speed; 1 against AWS).
    pub pace: f64,
    /// The latest event's estate time, to run the clock from.
    pub clock: Option<ClockMark>,
    pub summary: Option<RunSummary>,
    /// Why the run stopped without finishing (its journal stays resumable).
    pub crashed: Option<String>,
    /// Why the run did not start: the estate's run lock is held, or cannot be claimed.
    pub locked: Option<crate::runbook::lock::Refusal>,
    /// Following another operator's run, read-only: the holder as last read, described.
    pub follow: Option<String>,
    /// The followed run is over (its holder let the lock go).
    pub follow_over: bool,
    /// What was picked to start this run: started again to take an expired lease over.
    pub started_as: Option<super::PickItem>,
}

impl RunView {
    /// A run view for a run whose estate clock runs `pace` times as fast as the wall's.
    pub fn new(pace: f64) -> RunView {
        RunView {
            pace,
            ..RunView::default()
        }
    }

    /// Applies an event that arrived at `seen`.
    pub fn apply_at(&mut self, event: RunEvent, seen: Instant) {
        if let RunEvent::Log(line) = &event {
            self.clock = Some(ClockMark { at: line.at, seen });
        }
        self.apply(event);
    }

    /// Estate seconds since the run started, at `now`; stopped at the last event once the run
    /// is over.
    pub fn elapsed(&self, now: Instant) -> Option<f64> {
        let mark = self.clock?;
        if self.finished() {
            return Some(mark.at);
        }
        let pace = if self.pace > 0.0 { self.pace } else { 1.0 };
        let since = now.saturating_duration_since(mark.seen).as_secs_f64();
        Some(mark.at + (since * pace).floor())
    }

    /// Whether the run is over: finished, or stopped without finishing (resumable).
    pub fn finished(&self) -> bool {
        self.summary.is_some()
            || self.crashed.is_some()
            || self.locked.is_some()
            || self.follow_over
    }

    /// The steps whose lines a filter on `step` shows: the step and, for a group, its members.
    pub fn members_of(&self, step: &str) -> Vec<&str> {
        self.steps
            .iter()
            .filter(|s| s.parent.as_deref() == Some(step))
            .map(|s| s.id.as_str())
            .collect()
    }

    /// The step the engine is busy with, for highlighting.
    pub fn active_step(&self) -> Option<&str> {
        self.steps
            .iter()
            .rev()
            .find(|s| {
                matches!(
                    s.status,
                    crate::runbook::StepStatus::Preflight
                        | crate::runbook::StepStatus::AwaitingConfirmation
                        | crate::runbook::StepStatus::AwaitingApproval
                        | crate::runbook::StepStatus::Running
                        | crate::runbook::StepStatus::Verifying
                        | crate::runbook::StepStatus::Failed { .. }
                )
            })
            .map(|s| s.id.as_str())
    }
}

//! The run as its holder reports it to those who follow it: the steps, the question waited
//! on, the last lines of the log, and the outcome.

use serde::{Deserialize, Serialize};

use crate::runbook::RunOutcome;
use crate::runbook::api::{RunEvent, StepView};
use crate::runbook::journal::StepStatus;

/// The run as its holder reports it, for those who follow it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Progress {
    pub steps: Vec<StepView>,
    /// The question the run is waiting on, one line.
    pub prompt: Option<String>,
    /// The last lines of its log.
    pub log: Vec<String>,
    /// Set once the run ended.
    pub outcome: Option<String>,
}

/// How many log lines the progress keeps.
pub(super) const PROGRESS_LOG: usize = 12;

impl Progress {
    /// Folds one run event in. Returns whether anything a follower sees changed.
    pub fn apply(&mut self, e: &RunEvent) -> bool {
        match e {
            RunEvent::Started { steps, .. } => self.steps = steps.clone(),
            RunEvent::Step(v) => match self.steps.iter_mut().find(|s| s.id == v.id) {
                Some(s) if s == v => return false,
                Some(s) => {
                    if matches!(
                        s.status,
                        StepStatus::AwaitingConfirmation
                            | StepStatus::AwaitingApproval
                            | StepStatus::Failed { .. }
                    ) {
                        self.prompt = None;
                    }
                    *s = v.clone()
                }
                None => self.steps.push(v.clone()),
            },
            RunEvent::AwaitingConfirmation(p) => {
                self.prompt = Some(format!("{} {}: awaiting confirmation", p.step, p.title))
            }
            RunEvent::AwaitingApproval(w) => {
                self.prompt = Some(format!(
                    "{} {}: waiting for approval by another operator: {} (until {} UTC)",
                    w.step,
                    w.title,
                    w.command,
                    w.expires_at.format("%H:%M:%S")
                ))
            }
            RunEvent::AwaitingDecision { step, error, .. } => {
                self.prompt = Some(format!("{step} failed: {error}"))
            }
            RunEvent::Log(l) => {
                self.log.push(l.to_string());
                let extra = self.log.len().saturating_sub(PROGRESS_LOG);
                self.log.drain(..extra);
            }
            RunEvent::Finished(s) => {
                self.prompt = None;
                self.outcome = Some(match &s.outcome {
                    RunOutcome::Completed => "completed".into(),
                    RunOutcome::Aborted { reason } => format!("aborted: {reason}"),
                })
            }
            RunEvent::Crashed { reason } => {
                self.prompt = None;
                self.outcome = Some(format!("stopped: {reason}"))
            }
            RunEvent::Locked(_) | RunEvent::Followed(_) => return false,
        }
        true
    }

    /// `5/10`: the top-level step being worked on (or the last one) of all of them.
    pub fn position(&self) -> Option<(usize, usize)> {
        let top: Vec<&StepView> = self.steps.iter().filter(|s| s.parent.is_none()).collect();
        if top.is_empty() {
            return None;
        }
        let at = top
            .iter()
            .position(|s| !s.status.is_final())
            .map(|i| i + 1)
            .unwrap_or(top.len());
        Some((at, top.len()))
    }
}

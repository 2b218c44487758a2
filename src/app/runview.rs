//! The action pane's state: the run as the engine reports it (steps, the question it asks,
//! the live log), the runbook picker, and what the operator is typing.

use std::collections::VecDeque;

use crate::runbook::{ConfirmPrompt, Journal, LogLine, RunEvent, RunMode, RunSummary, StepView};

/// Live-log lines kept on screen (the audit log keeps everything).
pub const LOG_LINES: usize = 2000;

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
}

/// Text the operator is typing, and what it is for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Typing {
    /// The target region's name, to confirm an irreversible step.
    Region(String),
    /// Why a step is skipped.
    SkipReason(String),
}

impl Typing {
    pub fn text(&self) -> &str {
        match self {
            Typing::Region(t) | Typing::SkipReason(t) => t,
        }
    }
    pub fn text_mut(&mut self) -> &mut String {
        match self {
            Typing::Region(t) | Typing::SkipReason(t) => t,
        }
    }
}

#[derive(Debug, Clone, Default)]
pub struct RunView {
    pub run_id: String,
    pub runbook: String,
    pub mode: Option<RunMode>,
    pub resumed: bool,
    pub steps: Vec<StepView>,
    pub question: Option<Question>,
    pub log: VecDeque<LogLine>,
    /// Lines scrolled back from the newest (0 follows the log).
    pub log_scroll: usize,
    pub summary: Option<RunSummary>,
    /// Why the run stopped without finishing (its journal stays resumable).
    pub crashed: Option<String>,
}

impl RunView {
    pub fn apply(&mut self, event: RunEvent) {
        match event {
            RunEvent::Started {
                run_id,
                runbook,
                mode,
                resumed,
                steps,
                ..
            } => {
                self.run_id = run_id;
                self.runbook = runbook;
                self.mode = Some(mode);
                self.resumed = resumed;
                self.steps = steps;
            }
            RunEvent::Step(view) => {
                // A step that moves on answers any question about it.
                if self
                    .question
                    .as_ref()
                    .is_some_and(|q| question_step(q) == view.id)
                    && !matches!(
                        view.status,
                        crate::runbook::StepStatus::AwaitingConfirmation
                            | crate::runbook::StepStatus::Failed { .. }
                    )
                {
                    self.question = None;
                }
                match self.steps.iter_mut().find(|s| s.id == view.id) {
                    Some(s) => *s = view,
                    None => self.steps.push(view),
                }
            }
            RunEvent::AwaitingConfirmation(prompt) => {
                self.question = Some(Question::Confirm(prompt))
            }
            RunEvent::AwaitingDecision {
                step,
                error,
                optional,
                needs_primary,
            } => {
                self.question = Some(Question::Decide {
                    step,
                    error,
                    optional,
                    needs_primary,
                })
            }
            RunEvent::Log(line) => {
                if self.log.len() == LOG_LINES {
                    self.log.pop_front();
                }
                self.log.push_back(line);
            }
            RunEvent::Finished(summary) => {
                self.question = None;
                self.summary = Some(summary);
            }
            RunEvent::Crashed { reason } => {
                self.question = None;
                self.apply(RunEvent::Log(LogLine {
                    utc: chrono::Utc::now(),
                    at: self.log.back().map(|l| l.at).unwrap_or(0.0),
                    level: crate::runbook::Level::Error,
                    step: None,
                    text: format!("the run stopped: {reason} (x offers to resume it)"),
                }));
                self.crashed = Some(reason);
            }
        }
    }

    /// Whether the run is over: finished, or stopped without finishing (resumable).
    pub fn finished(&self) -> bool {
        self.summary.is_some() || self.crashed.is_some()
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
                        | crate::runbook::StepStatus::Running
                        | crate::runbook::StepStatus::Verifying
                        | crate::runbook::StepStatus::Failed { .. }
                )
            })
            .map(|s| s.id.as_str())
    }
}

fn question_step(q: &Question) -> &str {
    match q {
        Question::Confirm(p) => &p.step,
        Question::Decide { step, .. } => step,
    }
}

/// What the picker offers.
#[derive(Debug, Clone, PartialEq)]
pub enum PickItem {
    Start(String),
    Resume { run_id: String, runbook: String },
}

#[derive(Debug, Clone, PartialEq)]
pub struct Picker {
    pub items: Vec<PickItem>,
    pub selected: usize,
}

impl Picker {
    pub fn new(names: Vec<String>, unfinished: Option<&Journal>) -> Picker {
        let mut items = Vec::new();
        if let Some(j) = unfinished {
            items.push(PickItem::Resume {
                run_id: j.run_id.clone(),
                runbook: j.runbook.clone(),
            });
        }
        items.extend(names.into_iter().map(PickItem::Start));
        Picker { items, selected: 0 }
    }
}

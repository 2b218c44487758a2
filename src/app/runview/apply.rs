//! The run as the engine reports it: each event applied to the run view.

use std::time::Instant;

use super::{Question, RunPane, RunView};
use crate::runbook::{LogLine, RunEvent};

impl RunView {
    pub fn apply(&mut self, event: RunEvent) {
        match event {
            RunEvent::Started {
                run_id,
                runbook,
                mode,
                resumed,
                drill,
                steps,
                ..
            } => {
                self.run_id = run_id;
                self.runbook = runbook;
                self.mode = Some(mode);
                self.resumed = resumed;
                self.drill = drill;
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
                self.question = Some(Question::Confirm(prompt));
                self.prompt_scroll = 0;
                self.pane = RunPane::Prompt;
            }
            RunEvent::AwaitingApproval(wait) => {
                let left = (wait.expires_at - chrono::Utc::now())
                    .to_std()
                    .unwrap_or_default();
                self.question = Some(Question::Approval {
                    wait,
                    deadline: Instant::now() + left,
                });
                self.prompt_scroll = 0;
                self.pane = RunPane::Prompt;
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
                });
                self.prompt_scroll = 0;
                self.pane = RunPane::Prompt;
            }
            RunEvent::Log(line) => self.log.push(line),
            RunEvent::Finished(summary) => {
                self.question = None;
                self.summary = Some(summary);
            }
            RunEvent::Locked(refusal) => {
                self.question = None;
                self.apply(RunEvent::Log(LogLine {
                    utc: chrono::Utc::now(),
                    at: 0.0,
                    level: crate::runbook::Level::Error,
                    step: None,
                    text: format!("not started: {refusal}"),
                }));
                if let crate::runbook::lock::Refusal::Held {
                    holder, expired, ..
                } = &refusal
                {
                    self.push_note("press y to follow that run read-only, Esc to close");
                    if *expired {
                        self.push_note(&format!(
                            "only if that run is dead: press t and type {} to take its lock over",
                            holder.who()
                        ));
                    }
                }
                self.locked = Some(refusal);
            }
            RunEvent::Followed(Some(h)) => self.follow_holder(&h),
            RunEvent::Followed(None) => {
                self.follow_over = true;
                self.push_note("the followed run is over: its holder let the run lock go");
            }
            RunEvent::Crashed { reason } => {
                self.question = None;
                self.apply(RunEvent::Log(LogLine {
                    utc: chrono::Utc::now(),
                    at: self.log.last_at().unwrap_or(0.0),
                    level: crate::runbook::Level::Error,
                    step: None,
                    text: format!("the run stopped: {reason} (x offers to resume it)"),
                }));
                self.crashed = Some(reason);
            }
        }
    }
}

fn question_step(q: &Question) -> &str {
    match q {
        Question::Confirm(p) => &p.step,
        Question::Decide { step, .. } => step,
        Question::Approval { wait, .. } => &wait.step,
    }
}

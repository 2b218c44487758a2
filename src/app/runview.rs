//! The run view's state: the run as the engine reports it (steps, the question it asks,
//! the live log), its clock, which of its panes has the keys, and what the operator is typing.

use std::time::Instant;

use super::runlog::RunLog;
use crate::runbook::{ConfirmPrompt, LogLine, RunEvent, RunMode, RunSummary, StepView};

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

/// Text the operator is typing, and what it is for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Typing {
    /// The target region's name, to confirm an irreversible step.
    Region(String),
    /// Why a step is skipped.
    SkipReason(String),
    /// Text to look for in the live log.
    Search(String),
    /// `user@host` of an expired lease's holder, to take the run lock over.
    TakeOver(String),
    /// The id of the step of a followed run to approve.
    Approve(String),
    /// A finding for a finished run's report.
    Finding(String),
}

impl Typing {
    pub fn text(&self) -> &str {
        match self {
            Typing::Region(t)
            | Typing::SkipReason(t)
            | Typing::Search(t)
            | Typing::TakeOver(t)
            | Typing::Approve(t)
            | Typing::Finding(t) => t,
        }
    }
    pub fn text_mut(&mut self) -> &mut String {
        match self {
            Typing::Region(t)
            | Typing::SkipReason(t)
            | Typing::Search(t)
            | Typing::TakeOver(t)
            | Typing::Approve(t)
            | Typing::Finding(t) => t,
        }
    }
}

/// The pane of the run view that the scroll keys move.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum RunPane {
    Steps,
    /// The question the engine asks (when it asks one).
    #[default]
    Prompt,
    Log,
}

impl RunPane {
    pub fn next(self) -> RunPane {
        match self {
            RunPane::Prompt => RunPane::Log,
            RunPane::Log => RunPane::Steps,
            RunPane::Steps => RunPane::Prompt,
        }
    }
    pub fn prev(self) -> RunPane {
        self.next().next()
    }
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

    /// A view of another operator's run, read-only, as its holder last reported it.
    pub fn following(h: &crate::runbook::lock::Holder) -> RunView {
        let mut v = RunView::new(1.0);
        v.follow_holder(h);
        v
    }

    /// Whether the run shown is another operator's, followed read-only.
    pub fn is_following(&self) -> bool {
        self.follow.is_some()
    }

    /// Shows what the holder reports: its steps, its question (as a line, never answerable
    /// here) and the last lines of its log.
    fn follow_holder(&mut self, h: &crate::runbook::lock::Holder) {
        self.run_id = h.run_id.clone();
        self.runbook = h.runbook.clone();
        self.mode = Some(RunMode::Live);
        self.steps = h.progress.steps.clone();
        self.question = None;
        self.locked = None;
        self.follow = Some(h.describe());
        self.log = RunLog::default();
        self.push_note(&format!(
            "FOLLOWING (read-only): {}; Esc stops following",
            h.describe()
        ));
        if let Some(p) = &h.progress.prompt {
            self.push_note(&format!("its operator is asked: {p}"));
        }
        for line in &h.progress.log {
            self.push_logged(line);
        }
        if let Some(o) = &h.progress.outcome {
            self.push_note(&format!("the run ended: {o}"));
        }
    }

    /// A line of the holder's log as it wrote it (`[  4m 10s] step: text`), at its own time.
    fn push_logged(&mut self, line: &str) {
        let parsed = line.strip_prefix('[').and_then(|rest| {
            let (at, text) = rest.split_once("] ")?;
            let at = humantime::parse_duration(at.trim()).ok()?;
            Some((at.as_secs_f64(), text))
        });
        match parsed {
            Some((at, text)) => self.log.push(LogLine {
                utc: chrono::Utc::now(),
                at,
                level: crate::runbook::Level::Info,
                step: None,
                text: text.to_string(),
            }),
            None => self.push_note(line),
        }
    }

    fn push_note(&mut self, text: &str) {
        self.log.push(LogLine {
            utc: chrono::Utc::now(),
            at: self.log.last_at().unwrap_or(0.0),
            level: crate::runbook::Level::Info,
            step: None,
            text: text.to_string(),
        });
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

fn question_step(q: &Question) -> &str {
    match q {
        Question::Confirm(p) => &p.step,
        Question::Decide { step, .. } => step,
        Question::Approval { wait, .. } => &wait.step,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::runbook::Level;
    use std::time::Duration;

    #[test]
    fn the_clock_runs_at_the_estate_pace_and_stops_at_the_end() {
        let t0 = Instant::now();
        let mut run = RunView::new(10.0);
        assert_eq!(run.elapsed(t0), None, "no event yet");
        run.apply_at(
            RunEvent::Log(LogLine {
                utc: chrono::Utc::now(),
                at: 30.0,
                level: Level::Info,
                step: None,
                text: "x".into(),
            }),
            t0,
        );
        assert_eq!(run.elapsed(t0 + Duration::from_secs(6)), Some(90.0));
        run.crashed = Some("stopped".into());
        assert_eq!(run.elapsed(t0 + Duration::from_secs(60)), Some(30.0));
    }
}

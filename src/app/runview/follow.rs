//! Another operator's run, followed read-only: its steps, its question and its log as its
//! holder reports them.

use super::{RunLog, RunView};
use crate::runbook::{LogLine, RunMode};

impl RunView {
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
    pub(super) fn follow_holder(&mut self, h: &crate::runbook::lock::Holder) {
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

    pub(super) fn push_note(&mut self, text: &str) {
        self.log.push(LogLine {
            utc: chrono::Utc::now(),
            at: self.log.last_at().unwrap_or(0.0),
            level: crate::runbook::Level::Info,
            step: None,
            text: text.to_string(),
        });
    }
}

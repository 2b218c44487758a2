//! What the engine records about its steps: state changes with their timeline entries, log
//! lines and audit lines, and the memo each step keeps.

use chrono::Utc;
use serde_json::json;

use super::{Job, Recorder};
use crate::runbook::api::{Level, LogLine, RunEvent, StepView};
use crate::runbook::audit;
use crate::runbook::journal::{Journal, StepRecord, StepStatus, TimelineEntry};
use crate::runbook::plan::StepMemo;

impl Recorder {
    pub fn line(&self, level: Level, step: Option<&str>, text: String) -> LogLine {
        LogLine {
            utc: Utc::now(),
            at: self.now(),
            level,
            step: step.map(str::to_string),
            text,
        }
    }

    /// A line for the live log and the audit log.
    pub fn log(&self, level: Level, step: Option<&str>, text: impl Into<String>) {
        let text = text.into();
        self.audit(step, "log", json!({"level": level, "text": text}));
        let line = self.line(level, step, text);
        self.emit(RunEvent::Log(line));
    }

    pub fn audit(&self, step: Option<&str>, event: &str, fields: serde_json::Value) {
        let run_id = self.run_id();
        self.send(Job::Audit(audit::line(&run_id, step, event, fields)));
    }

    pub fn view(r: &StepRecord) -> StepView {
        StepView {
            id: r.id.clone(),
            title: r.title.clone(),
            parent: r.parent.clone(),
            optional: r.optional,
            status: r.status.clone(),
        }
    }

    pub fn set(&self, id: &str, status: StepStatus) {
        let now = self.now();
        let view = {
            let mut j = self.lock();
            let Some(r) = j.step_mut(id) else { return };
            if r.status == status {
                return;
            }
            if r.started.is_none() && !matches!(status, StepStatus::Pending) {
                r.started = Some(now);
            }
            if status.is_final() {
                r.finished = Some(now);
            }
            r.status = status.clone();
            let view = Recorder::view(r);
            let text = match status.note() {
                Some(n) => format!("{}: {n}", status.label()),
                None => status.label().to_string(),
            };
            j.timeline.push(TimelineEntry {
                at: now,
                utc: Utc::now(),
                step: Some(id.to_string()),
                text,
            });
            self.save(&mut j);
            view
        };
        let mut fields = json!({"state": view.status.label()});
        if let Some(n) = view.status.note() {
            fields["note"] = json!(n);
        }
        self.audit(Some(id), "state", fields);
        self.emit(RunEvent::Step(view));
    }

    pub fn status(&self, id: &str) -> Option<StepStatus> {
        self.lock().step(id).map(|r| r.status.clone())
    }

    pub fn is_final(&self, id: &str) -> bool {
        self.status(id).is_some_and(|s| s.is_final())
    }

    pub fn memo(&self, id: &str) -> StepMemo {
        self.lock()
            .step(id)
            .map(|r| r.memo.clone())
            .unwrap_or_default()
    }

    pub fn update<F: FnOnce(&mut Journal)>(&self, f: F) {
        let mut j = self.lock();
        f(&mut j);
        self.save(&mut j);
    }
}

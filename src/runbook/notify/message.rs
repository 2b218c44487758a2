//! What is said about a run, and when: started; each top-level step confirmed, done,
//! failed or skipped (a member of a group only when it fails); finished with the RTO and the
//! data lost; stopped.

use std::collections::HashMap;

use serde::Serialize;

use crate::runbook::RunOutcome;
use crate::runbook::api::{RunEvent, RunSummary};
use crate::runbook::journal::StepStatus;
use crate::runbook::report::secs;

/// One notification.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Message {
    /// `run_started`, `step_confirmed`, `step_done`, `step_failed`, `step_skipped`,
    /// `run_finished`, `run_stopped`.
    pub event: String,
    pub estate: String,
    pub runbook: String,
    pub run_id: String,
    pub step: Option<String>,
    /// One line for people (the webhook's `text`, the SNS message).
    pub text: String,
}

/// Turns a run's events into messages, remembering each step's last state.
#[derive(Debug, Clone)]
pub struct Messages {
    estate: String,
    runbook: String,
    run_id: String,
    /// `alice@laptop`.
    who: String,
    last: HashMap<String, StepStatus>,
    titles: HashMap<String, String>,
}

impl Messages {
    pub fn new(estate: &str, runbook: &str, run_id: &str, who: &str) -> Messages {
        Messages {
            estate: estate.into(),
            runbook: runbook.into(),
            run_id: run_id.into(),
            who: who.into(),
            last: HashMap::new(),
            titles: HashMap::new(),
        }
    }

    fn msg(&self, event: &str, step: Option<&str>, text: String) -> Message {
        Message {
            event: event.into(),
            estate: self.estate.clone(),
            runbook: self.runbook.clone(),
            run_id: self.run_id.clone(),
            step: step.map(str::to_string),
            text: format!("[{}] {}", self.estate, text),
        }
    }

    pub fn of(&mut self, e: &RunEvent) -> Vec<Message> {
        match e {
            RunEvent::Started { steps, resumed, .. } => {
                for s in steps {
                    self.last.insert(s.id.clone(), s.status.clone());
                    self.titles.insert(s.id.clone(), s.title.clone());
                }
                let top = steps.iter().filter(|s| s.parent.is_none()).count();
                vec![self.msg(
                    "run_started",
                    None,
                    format!(
                        "{} {} by {} (run {}, {top} steps)",
                        self.runbook,
                        if *resumed { "resumed" } else { "started" },
                        self.who,
                        self.run_id
                    ),
                )]
            }
            RunEvent::Step(v) => {
                let before = self.last.insert(v.id.clone(), v.status.clone());
                self.titles.insert(v.id.clone(), v.title.clone());
                if before.as_ref() == Some(&v.status) {
                    return Vec::new();
                }
                let top = v.parent.is_none();
                let title = &v.title;
                let id = &v.id;
                match &v.status {
                    StepStatus::Running
                        if top && matches!(before, Some(StepStatus::AwaitingConfirmation)) =>
                    {
                        vec![self.msg(
                            "step_confirmed",
                            Some(id),
                            format!("{}: {id} {title}: confirmed", self.runbook),
                        )]
                    }
                    StepStatus::Done { note } if top => vec![self.msg(
                        "step_done",
                        Some(id),
                        format!("{}: {id} {title}: done ({note})", self.runbook),
                    )],
                    StepStatus::Failed { error } => vec![self.msg(
                        "step_failed",
                        Some(id),
                        format!("{}: {id} {title}: FAILED: {error}", self.runbook),
                    )],
                    StepStatus::Skipped { reason } if top => vec![self.msg(
                        "step_skipped",
                        Some(id),
                        format!("{}: {id} {title}: skipped ({reason})", self.runbook),
                    )],
                    _ => Vec::new(),
                }
            }
            RunEvent::Finished(s) => vec![self.finished(s)],
            RunEvent::Crashed { reason } => vec![self.msg(
                "run_stopped",
                None,
                format!(
                    "{} stopped unfinished: {reason} (it can be resumed)",
                    self.runbook
                ),
            )],
            _ => Vec::new(),
        }
    }

    fn finished(&self, s: &RunSummary) -> Message {
        let outcome = match &s.outcome {
            RunOutcome::Completed => "completed".to_string(),
            RunOutcome::Aborted { reason } => format!("aborted ({reason})"),
        };
        let rto = match s.rto {
            Some(d) => format!("RTO {}", secs(d.as_secs_f64())),
            None => "RTO not reached".into(),
        };
        let m = &s.metrics;
        let loss = match (m.writes_lost(), m.promoted_at, m.rpo_lag) {
            (Some(n), _, _) => format!("data loss: {n} acknowledged writes"),
            (None, Some(_), Some(lag)) => {
                format!("data loss: at most the replica lag at the promotion, {lag}")
            }
            (None, Some(_), None) => "data loss: unknown (lag not read at the promotion)".into(),
            (None, None, _) => "data loss: none (no promotion)".into(),
        };
        let mut text = format!("{} {outcome}: {rto}, {loss}", self.runbook);
        if !s.skipped.is_empty() {
            text.push_str(&format!(", skipped: {}", s.skipped.join(", ")));
        }
        self.msg("run_finished", None, text)
    }
}

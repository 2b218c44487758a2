//! Approving from a console that follows another operator's run: the follower shows the
//! plan of every step of that run waiting for approval (read from the store, as
//! `drconsole approve` reads it), and approves the one whose id the operator typed.

use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use chrono::Utc;
use serde_json::json;
use tokio::sync::mpsc::UnboundedSender;

use super::{Operator, Request, Status, Store};
use crate::runbook::api::{Level, LogLine, RunContext, RunEvent};
use crate::runbook::audit::AuditLog;
use crate::runbook::journal::StepStatus;
use crate::runbook::lock::Holder;

/// The standby side's principal as read before a run (`None`: not read).
pub fn standby_principal(ctx: &RunContext) -> Option<String> {
    ctx.accounts
        .iter()
        .find(|a| a.side == crate::model::Side::Standby)
        .and_then(|a| a.identity())
        .map(|i| i.arn.clone())
}

pub struct Approvals {
    pub store: Option<Arc<dyn Store>>,
    pub me: Operator,
    pub audit_path: PathBuf,
    /// The requests shown, by step: what an approval approves.
    pub shown: Mutex<Vec<Request>>,
}

fn line(level: Level, step: Option<&str>, text: String) -> RunEvent {
    RunEvent::Log(LogLine {
        utc: Utc::now(),
        at: 0.0,
        level,
        step: step.map(str::to_string),
        text,
    })
}

impl Approvals {
    /// Shows the plan of each step of `h`'s run that waits for approval.
    pub async fn show(&self, h: &Holder, etx: &UnboundedSender<RunEvent>) {
        let Some(store) = &self.store else { return };
        let waiting = h
            .progress
            .steps
            .iter()
            .filter(|s| s.status == StepStatus::AwaitingApproval);
        for s in waiting {
            match store.get(&h.run_id, &s.id).await {
                Ok(Some(r)) if r.status == Status::Pending => {
                    let _ = etx.send(RunEvent::AwaitingApproval(r.wait(store.label())));
                    let mut shown = self.shown.lock().unwrap_or_else(|p| p.into_inner());
                    shown.retain(|x| x.step != r.step);
                    shown.push(r);
                }
                Ok(_) => {}
                Err(e) => {
                    let _ = etx.send(line(
                        Level::Warn,
                        Some(&s.id),
                        format!("the approval request cannot be read: {e}"),
                    ));
                }
            }
        }
    }

    /// Approves `step` of `h`'s run, as shown; says how it went in the log, and audits it.
    pub async fn approve(&self, h: &Holder, step: &str, etx: &UnboundedSender<RunEvent>) {
        let Some(store) = &self.store else {
            let _ = etx.send(line(
                Level::Warn,
                None,
                "this estate asks for no approvals ([coordination] approval)".into(),
            ));
            return;
        };
        let shown = {
            let shown = self.shown.lock().unwrap_or_else(|p| p.into_inner());
            shown.iter().find(|r| r.step == step.trim()).cloned()
        };
        let Some(r) = shown else {
            let _ = etx.send(line(
                Level::Warn,
                None,
                format!(
                    "no step {:?} of this run is shown waiting for approval",
                    step.trim()
                ),
            ));
            return;
        };
        let res = store
            .approve(&h.run_id, &r.step, &r.request_id, &r.plan_sha256, &self.me)
            .await;
        let (event, level, text) = match &res {
            Ok(_) => (
                "approval_given",
                Level::Info,
                format!(
                    "approved by {} (plan sha256 {})",
                    self.me.who(),
                    r.plan_sha256
                ),
            ),
            Err(why) => ("approval_refused", Level::Error, why.to_string()),
        };
        let fields = json!({"user": self.me.user, "host": self.me.host,
            "principal": self.me.principal, "request_id": r.request_id,
            "plan_sha256": r.plan_sha256, "requested_by": r.requested_by.who(),
            "from": "console", "reason": res.as_ref().err().map(|e| e.to_string())});
        let (path, run_id, s) = (self.audit_path.clone(), h.run_id.clone(), r.step.clone());
        let _ = tokio::task::spawn_blocking(move || {
            AuditLog::open(&path).and_then(|log| log.write(&run_id, Some(&s), event, fields))
        })
        .await;
        let _ = etx.send(line(level, Some(&r.step), text));
    }
}

//! The second operator's approval, asked after a step's own confirmation when the estate
//! says so (`[coordination] approval = "irreversible"`) and the step's calls cannot be undone
//! or discard acknowledged writes. The run waits, reading the request every
//! [`APPROVAL_POLL`], until another operator approves the same plan, the deadline passes
//! (the run stops there, unfinished: never skipped), the run lock's lease is lost, or its own
//! operator aborts or stops it.

mod wait;

use std::time::Duration;

use chrono::Utc;
use serde_json::json;

use super::{Decision, Engine};
use crate::runbook::api::{ConfirmPrompt, Level, RunEvent, RunMode};
use crate::runbook::approval::{self, Operator, Plan, Request, Status};
use crate::runbook::journal::StepStatus;
use crate::runbook::lock::lease::simulated;

/// How often a waiting run reads its request.
pub const APPROVAL_POLL: Duration = Duration::from_secs(2);

/// How a wait ended, before it is turned into a decision.
enum Waited {
    Approved(Operator),
    Decided(Decision),
}

impl Engine {
    /// Whether `prompt`, confirmed, also needs another operator's approval.
    fn needs_approval(&self, prompt: &ConfirmPrompt) -> bool {
        self.ctx.mode == RunMode::Live
            && self
                .ctx
                .estate
                .coordination
                .as_ref()
                .is_some_and(|c| c.needs_approval())
            && (prompt.calls.iter().any(|c| c.irreversible) || !prompt.discards.is_empty())
    }

    /// Asks for, and waits for, another operator's approval of the confirmed `prompt`
    /// (`steps`: the steps it confirms). [`Decision::Go`] once approved.
    pub(super) async fn approval_gate(
        &mut self,
        prompt: &ConfirmPrompt,
        steps: &[String],
    ) -> Decision {
        if !self.needs_approval(prompt) {
            return Decision::Go;
        }
        let step = prompt.step.clone();
        let Some(store) =
            approval::open(&self.ctx.estate, &self.ctx.state_dir, simulated(&self.ctx)).await
        else {
            return Decision::Go;
        };
        if let Err(e) = self.reader.admit(Duration::ZERO).await {
            return self.fenced(&step, e.to_string());
        }
        let timeout = self
            .ctx
            .estate
            .coordination
            .as_ref()
            .map_or(crate::config::coordination::APPROVAL_TIMEOUT, |c| {
                c.approval_timeout()
            });
        let (run_id, runbook) = {
            let j = self.rec.lock();
            (j.run_id.clone(), j.runbook.clone())
        };
        let plan = Plan::of(prompt);
        let now = Utc::now();
        let me = Operator::me(
            &self.ctx.user,
            approval::follow::standby_principal(&self.ctx),
        );
        let request = Request {
            estate: self.ctx.estate.name.clone(),
            run_id: run_id.clone(),
            runbook,
            step: step.clone(),
            request_id: format!(
                "{}-{}-{:04x}",
                now.timestamp_millis(),
                std::process::id(),
                now.timestamp_subsec_nanos() % 0x10000
            ),
            plan_sha256: plan.sha256(&run_id, &step),
            plan: plan.clone(),
            requested_by: me.clone(),
            requested_at: now,
            expires_at: now + timeout,
            status: Status::Pending,
        };
        if let Err(e) = store.put(&request).await {
            self.rec.audit(
                Some(&step),
                "approval_request_failed",
                json!({"store": store.label(), "error": e}),
            );
            return Decision::Suspend(format!(
                "{step} needs another operator's approval and the request could not be written \
                 ({e}): the step was not run"
            ));
        }
        self.rec.audit(
            Some(&step),
            "approval_requested",
            json!({"user": me.user, "host": me.host, "principal": me.principal,
                   "request_id": request.request_id, "plan_sha256": request.plan_sha256,
                   "expires_at": request.expires_at.to_rfc3339(), "store": store.label(),
                   "calls": plan.calls.iter().map(|c| c.describe.clone()).collect::<Vec<_>>(),
                   "changes": plan.changes, "discards": plan.discards}),
        );
        for s in steps {
            self.rec.set(s, StepStatus::AwaitingApproval);
        }
        let wait = request.wait(store.label());
        self.rec.log(
            Level::Warn,
            Some(&step),
            format!(
                "waiting for approval by another operator: {} (plan sha256 {}; until {} UTC)",
                wait.command,
                &wait.plan_sha256[..12],
                wait.expires_at.format("%H:%M:%S")
            ),
        );
        self.rec.emit(RunEvent::AwaitingApproval(wait));
        match self.wait_for_approval(&store, &request).await {
            Waited::Approved(by) => {
                self.rec.log(
                    Level::Info,
                    Some(&step),
                    format!("approved by {}", by.who()),
                );
                Decision::Go
            }
            Waited::Decided(d) => {
                let reason = match &d {
                    Decision::Abort(r) | Decision::Suspend(r) => r.clone(),
                    _ => "the run stopped waiting".into(),
                };
                let _ = store
                    .close(
                        &run_id,
                        &step,
                        &request.request_id,
                        Status::Withdrawn { reason },
                    )
                    .await;
                d
            }
        }
    }

    /// The run lock's lease is lost while waiting: stopped before the change, as elsewhere.
    fn fenced(&self, step: &str, e: String) -> Decision {
        self.rec.audit(Some(step), "fenced", json!({"error": e}));
        self.rec.log(
            Level::Error,
            Some(step),
            format!("stopping before the change: {e}"),
        );
        Decision::Suspend(format!("stopped at {step} before its change: {e}"))
    }
}

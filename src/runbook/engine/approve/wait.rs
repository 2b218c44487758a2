//! The wait for another operator's approval: the request read every [`APPROVAL_POLL`] until it
//! is approved by someone else, withdrawn or expired, while the run's own operator may still
//! abort or stop it.

use std::sync::Arc;
use std::time::Duration;

use chrono::Utc;
use serde_json::json;

use super::{APPROVAL_POLL, Waited};
use crate::runbook::api::{Level, RunCommand};
use crate::runbook::approval::{Operator, Request, Status, Store};
use crate::runbook::engine::{Decision, Engine};

impl Engine {
    pub(super) async fn wait_for_approval(
        &mut self,
        store: &Arc<dyn Store>,
        r: &Request,
    ) -> Waited {
        let step = r.step.clone();
        let deadline =
            tokio::time::Instant::now() + (r.expires_at - Utc::now()).to_std().unwrap_or_default();
        let mut refused_seen = None;
        loop {
            let tick = tokio::time::sleep(APPROVAL_POLL);
            tokio::select! {
                cmd = self.cmds.recv(), if self.cmds_open => match cmd {
                    None => {
                        self.cmds_open = false;
                        return Waited::Decided(Decision::Abort(
                            "the command channel closed while waiting for approval".into(),
                        ));
                    }
                    Some(RunCommand::Abort) => {
                        self.rec.audit(Some(&step), "abort",
                            json!({"by": "operator", "user": self.ctx.user}));
                        return Waited::Decided(Decision::Abort(format!(
                            "aborted by {} at {step} while waiting for approval", self.ctx.user)));
                    }
                    Some(RunCommand::Suspend { reason }) => {
                        return Waited::Decided(Decision::Suspend(reason));
                    }
                    Some(RunCommand::Stop { reason }) => {
                        return Waited::Decided(self.stop(&step, reason));
                    }
                    Some(RunCommand::Approve { .. }) => self.own_approval(&step),
                    Some(other) => self.rec.log(Level::Info, Some(&step), format!(
                        "ignored {other:?}: the step is confirmed and waits for another \
                         operator's approval ({}); abort or stop the run to leave it", r.command())),
                },
                _ = tick => {}
            }
            if let Err(e) = self.reader.admit(Duration::ZERO).await {
                return Waited::Decided(self.fenced(&step, e.to_string()));
            }
            let timed_out = tokio::time::Instant::now() >= deadline;
            let seen = if timed_out {
                store
                    .close(&r.run_id, &step, &r.request_id, Status::Expired)
                    .await
            } else {
                store.get(&r.run_id, &step).await
            };
            match seen {
                Ok(Some(now)) if now.request_id == r.request_id => match now.status {
                    Status::Approved { by, at } => {
                        if let Some(d) = self.approved(r, &by, at) {
                            return d;
                        }
                    }
                    Status::Pending if !timed_out => {}
                    Status::Pending | Status::Expired => return self.timed_out(r),
                    Status::Withdrawn { reason } => {
                        return Waited::Decided(Decision::Suspend(format!(
                            "the approval request of {step} was withdrawn ({reason}): the step \
                             was not run"
                        )));
                    }
                },
                // Gone or replaced (by hand): asked again, with the same deadline.
                Ok(_) if !timed_out => {
                    if refused_seen.is_none() {
                        refused_seen = Some(());
                        self.rec.log(
                            Level::Warn,
                            Some(&step),
                            "the approval request is gone from the store: written again",
                        );
                    }
                    let _ = store.put(r).await;
                }
                Ok(_) => return self.timed_out(r),
                Err(e) if timed_out => {
                    // Unknown whether an approval came first: not approved, and stopped.
                    self.rec.log(
                        Level::Warn,
                        Some(&step),
                        format!("reading the approval: {e}"),
                    );
                    return self.timed_out(r);
                }
                Err(e) => self.rec.log(
                    Level::Warn,
                    Some(&step),
                    format!(
                        "reading the approval: {e} (read again in {}s)",
                        APPROVAL_POLL.as_secs()
                    ),
                ),
            }
        }
    }

    /// An approval read back: acted on only if it is another operator's, of this request.
    fn approved(&self, r: &Request, by: &Operator, at: chrono::DateTime<Utc>) -> Option<Waited> {
        if !r.requested_by.is_other(by) {
            self.rec.audit(
                Some(&r.step),
                "approval_rejected",
                json!({"user": by.user, "host": by.host, "principal": by.principal,
                       "reason": "the approver is the operator who asked"}),
            );
            self.rec.log(
                Level::Error,
                Some(&r.step),
                format!(
                    "an approval by {} was ignored: the operator who asked cannot approve",
                    by.who()
                ),
            );
            return None;
        }
        self.rec.audit(
            Some(&r.step),
            "approval_granted",
            json!({"user": by.user, "host": by.host, "principal": by.principal,
                   "at": at.to_rfc3339(), "request_id": r.request_id,
                   "plan_sha256": r.plan_sha256, "requested_by": r.requested_by.who()}),
        );
        Some(Waited::Approved(by.clone()))
    }

    fn timed_out(&self, r: &Request) -> Waited {
        self.rec.audit(
            Some(&r.step),
            "approval_timed_out",
            json!({"request_id": r.request_id, "plan_sha256": r.plan_sha256,
                   "expires_at": r.expires_at.to_rfc3339()}),
        );
        self.rec.log(
            Level::Error,
            Some(&r.step),
            format!(
                "no approval by another operator before {} UTC: the step was not run",
                r.expires_at.format("%H:%M:%S")
            ),
        );
        Waited::Decided(Decision::Suspend(format!(
            "{} was not approved in time by another operator: stopped there, not skipped \
             (resuming the run asks again)",
            r.step
        )))
    }
}

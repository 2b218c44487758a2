//! The failure gate: a failed step (or the failed members of a group) is recorded, and the
//! run waits for the operator to retry, skip with a reason, or abort.

use serde_json::json;

use super::{Decision, Engine};
use crate::runbook::api::{Level, RunCommand, RunEvent};
use crate::runbook::error::StepError;
use crate::runbook::journal::StepStatus;
use crate::runbook::step::Step;

impl Engine {
    pub(super) async fn fail_gate(
        &mut self,
        unit_id: &str,
        group: bool,
        members: &[&Step],
        failed: Vec<(String, StepError)>,
    ) -> Decision {
        for (id, e) in &failed {
            self.rec
                .audit(Some(id), "error", json!({"error": e.to_string()}));
            self.rec.log(Level::Error, Some(id), format!("failed: {e}"));
            self.rec.set(
                id,
                StepStatus::Failed {
                    error: e.to_string(),
                },
            );
        }
        let error = failed
            .iter()
            .map(|(id, e)| {
                if group {
                    format!("{id}: {e}")
                } else {
                    e.to_string()
                }
            })
            .collect::<Vec<_>>()
            .join("; ");
        if group {
            self.rec.set(
                unit_id,
                StepStatus::Failed {
                    error: error.clone(),
                },
            );
        }
        let optional = failed.iter().all(|(id, _)| {
            members
                .iter()
                .any(|m| m.id() == id.as_str() && m.optional())
        });
        let needs_primary = failed.iter().any(|(_, e)| e.needs_primary());
        self.drain(unit_id);
        self.rec.emit(RunEvent::AwaitingDecision {
            step: unit_id.to_string(),
            error: error.clone(),
            optional,
            needs_primary,
        });
        loop {
            let Some(cmd) = self.next_command().await else {
                return Decision::Abort("the command channel closed after a failure".into());
            };
            match cmd {
                RunCommand::Retry => {
                    self.rec
                        .audit(Some(unit_id), "retry", json!({"user": self.ctx.user}));
                    self.rec.log(
                        Level::Info,
                        Some(unit_id),
                        format!("retry requested by {}", self.ctx.user),
                    );
                    return Decision::Retry;
                }
                RunCommand::Skip { reason } => {
                    if reason.trim().is_empty() {
                        self.rec.log(
                            Level::Warn,
                            Some(unit_id),
                            "skip refused: a reason is required",
                        );
                        continue;
                    }
                    for (id, _) in &failed {
                        self.skip(id, &reason);
                    }
                    return Decision::Skip(reason);
                }
                RunCommand::Abort => {
                    self.rec.audit(
                        Some(unit_id),
                        "abort",
                        json!({"by": "operator", "user": self.ctx.user}),
                    );
                    return Decision::Abort(format!(
                        "aborted by {} after {unit_id} failed: {error}",
                        self.ctx.user
                    ));
                }
                RunCommand::Suspend { reason } => return Decision::Suspend(reason),
                RunCommand::Stop { reason } => return self.stop(unit_id, reason),
                RunCommand::Approve { .. } => self.own_approval(unit_id),
                RunCommand::Confirm { .. } | RunCommand::ConfirmByFlags { .. } => {
                    self.rec.log(
                        Level::Info,
                        Some(unit_id),
                        "the step failed: retry, skip (with a reason) or abort",
                    );
                }
            }
        }
    }
}

//! What a unit does with its members: run the confirmed ones together, show a dry run, skip
//! one, and close the group.

use futures::future::join_all;
use serde_json::json;

use super::Engine;
use super::execute::execute;
use crate::runbook::api::{Level, RunCommand, RunMode};
use crate::runbook::error::StepError;
use crate::runbook::journal::StepStatus;
use crate::runbook::plan::StepPlan;
use crate::runbook::step::Step;

impl Engine {
    pub(super) fn close_group(&self, unit_id: &str, members: &[&Step]) {
        let skipped = members
            .iter()
            .filter(|s| matches!(self.rec.status(s.id()), Some(StepStatus::Skipped { .. })))
            .count();
        let status = if self.ctx.mode == RunMode::DryRun {
            StepStatus::DryRun {
                note: "group planned".into(),
            }
        } else if skipped > 0 {
            StepStatus::Done {
                note: format!("done, {skipped} step(s) skipped"),
            }
        } else {
            StepStatus::Done {
                note: "all steps done".into(),
            }
        };
        self.rec.set(unit_id, status);
    }

    /// A dry run's plan of a unit; `predicted` when it was planned on the state earlier steps
    /// would leave rather than on AWS as read.
    pub(super) fn show_dry_run(
        &self,
        work: &[(&Step, StepPlan)],
        failed: &[(String, StepError)],
        predicted: bool,
    ) {
        let mark = if predicted { "predicted: " } else { "" };
        for (s, p) in work {
            for a in &p.actions {
                self.rec.log(
                    Level::Info,
                    Some(s.id()),
                    format!("dry-run: {mark}would call {}", a.describe()),
                );
            }
            let note = if p.actions.is_empty() {
                format!("{mark}would wait for: {}", p.target)
            } else {
                format!(
                    "{mark}{} call(s): {} → {}",
                    p.actions.len(),
                    p.current,
                    p.target
                )
            };
            self.rec.set(s.id(), StepStatus::DryRun { note });
        }
        for (id, e) in failed {
            self.rec.log(
                Level::Warn,
                Some(id),
                format!("dry-run: preflight fails now: {e}"),
            );
            self.rec.set(
                id,
                StepStatus::DryRun {
                    note: format!("preflight fails now: {e}"),
                },
            );
        }
    }

    /// Runs the confirmed steps together; `None` when the operator aborted meanwhile.
    pub(super) async fn execute_all(
        &mut self,
        unit_id: &str,
        work: &[(&Step, StepPlan)],
    ) -> Option<Vec<(String, Result<String, StepError>)>> {
        let jobs = join_all(work.iter().map(|(s, p)| {
            execute(
                self.rec.clone(),
                self.reader.clone(),
                self.ctx.user.clone(),
                s,
                p.clone(),
            )
        }));
        tokio::pin!(jobs);
        loop {
            tokio::select! {
                r = &mut jobs => return Some(r),
                cmd = self.cmds.recv(), if self.cmds_open => match cmd {
                    Some(RunCommand::Abort) => return None,
                    Some(RunCommand::Stop { reason }) => {
                        self.rec.audit(Some(unit_id), "stop", json!({"by": "drconsole", "reason": reason}));
                        return None;
                    }
                    Some(other) => self.rec.log(Level::Info, Some(unit_id), format!("ignored {other:?} while the step runs (only abort applies now)")),
                    None => self.cmds_open = false,
                }
            }
        }
    }

    pub(super) fn skip(&self, id: &str, reason: &str) {
        self.rec.audit(
            Some(id),
            "skip",
            json!({"reason": reason, "user": self.ctx.user}),
        );
        self.rec.log(
            Level::Warn,
            Some(id),
            format!("skipped by {}: {reason}", self.ctx.user),
        );
        self.rec.set(
            id,
            StepStatus::Skipped {
                reason: reason.to_string(),
            },
        );
    }
}

//! One unit of a run: a top-level step, or a parallel group confirmed once. Preflight every
//! member, finish those already at target, ask, act, verify; loop on retry.

use futures::future::join_all;
use serde_json::json;

use super::{Decision, Engine, Flow};
use crate::runbook::api::{Level, RunMode};
use crate::runbook::error::StepError;
use crate::runbook::journal::StepStatus;
use crate::runbook::plan::StepPlan;
use crate::runbook::step::Step;
use crate::runbook::steps::StepCx;

impl Engine {
    /// Runs one top-level step, or a parallel group as one unit with one confirmation.
    pub(super) async fn run_unit(&mut self, unit: &Step) -> Flow {
        let unit_id = unit.id().to_string();
        let group = unit.is_group();
        let members = unit.members();
        // Planning again after a failure or a retry reads AWS again: whatever changed
        // meanwhile outside the run is seen.
        let mut replan = false;
        loop {
            if replan {
                self.reader.forget().await;
                replan = false;
            }
            let todo: Vec<&Step> = members
                .iter()
                .copied()
                .filter(|s| !self.rec.is_final(s.id()))
                .collect();
            if todo.is_empty() {
                if group {
                    self.close_group(&unit_id, &members);
                }
                return Flow::Next;
            }
            if group {
                self.rec.set(&unit_id, StepStatus::Preflight);
            }
            for s in &todo {
                self.rec.set(s.id(), StepStatus::Preflight);
                self.note_in_flight(s.id());
            }
            // Whether this unit's plans rest on a dry run's predictions.
            let _ = self.reader.used_prediction();
            let run_id = self.rec.run_id();
            let run_started = self.rec.lock().started_at;
            let plans = join_all(todo.iter().map(|s| {
                let reader = &self.reader;
                let memo = self.rec.memo(s.id());
                let run_id = &run_id;
                async move {
                    s.preflight(&StepCx {
                        reader,
                        memo: &memo,
                        run_id,
                        step_id: s.id(),
                        run_started,
                    })
                    .await
                }
            }))
            .await;

            let predicted = self.reader.used_prediction();
            let mut work: Vec<(&Step, StepPlan)> = Vec::new();
            let mut failed: Vec<(String, StepError)> = Vec::new();
            for (s, res) in todo.iter().zip(plans) {
                match res {
                    Err(e) => failed.push((s.id().to_string(), e)),
                    Ok(p) => {
                        self.settle_in_flight(s.id(), &p);
                        if let Some(p) =
                            self.settle_at_preflight(s, p, &mut failed, predicted).await
                        {
                            work.push((s, p));
                        }
                    }
                }
            }

            if self.ctx.mode == RunMode::DryRun {
                self.show_dry_run(&work, &failed, predicted);
                // Later steps are planned on the state these would leave.
                for (_, p) in &work {
                    for a in &p.actions {
                        self.reader.predict(a).await;
                    }
                }
                continue;
            }

            if !failed.is_empty() {
                match self.fail_gate(&unit_id, group, &members, failed).await {
                    Decision::Abort(r) => return Flow::Abort(r),
                    Decision::Suspend(r) => return Flow::Suspend(r),
                    _ => {
                        replan = true;
                        continue;
                    }
                }
            }

            let needs_yes = work
                .iter()
                .any(|(_, p)| !p.actions.is_empty() || p.instruction.is_some());
            if needs_yes {
                let prompt = self.prompt(unit, &work);
                if group {
                    self.rec.set(&unit_id, StepStatus::AwaitingConfirmation);
                }
                for (s, _) in &work {
                    self.rec.set(s.id(), StepStatus::AwaitingConfirmation);
                }
                let confirmed = match self.confirm_gate(prompt.clone()).await {
                    Decision::Go => {
                        let mut ids: Vec<String> =
                            work.iter().map(|(s, _)| s.id().to_string()).collect();
                        if group {
                            ids.push(unit_id.clone());
                        }
                        self.approval_gate(&prompt, &ids).await
                    }
                    other => other,
                };
                match confirmed {
                    Decision::Go => {}
                    Decision::Retry => {
                        replan = true;
                        continue;
                    }
                    Decision::Abort(r) => return Flow::Abort(r),
                    Decision::Suspend(r) => return Flow::Suspend(r),
                    Decision::Skip(reason) => {
                        for s in &todo {
                            if !self.rec.is_final(s.id()) {
                                self.skip(s.id(), &reason);
                            }
                        }
                        continue;
                    }
                }
            }

            if group {
                self.rec.set(&unit_id, StepStatus::Running);
            }
            let Some(results) = self.execute_all(&unit_id, &work).await else {
                let reason = format!("aborted by {} while {} was running", self.ctx.user, unit_id);
                self.rec.audit(
                    Some(&unit_id),
                    "abort",
                    json!({"by": "operator", "user": self.ctx.user}),
                );
                for (s, _) in &work {
                    if !self.rec.is_final(s.id()) {
                        self.rec.set(
                            s.id(),
                            StepStatus::Failed {
                                error: "aborted while running".into(),
                            },
                        );
                    }
                }
                return Flow::Abort(reason);
            };
            let failed: Vec<(String, StepError)> = results
                .into_iter()
                .filter_map(|(id, res)| res.err().map(|e| (id, e)))
                .collect();
            // A run whose record cannot be written must not go on acting.
            if let Some((id, e)) = failed
                .iter()
                .find(|(_, e)| matches!(e, StepError::Journal(_)))
            {
                self.rec
                    .log(Level::Error, Some(id), format!("stopping: {e}"));
                return Flow::Abort(format!("stopped automatically at {id}: {e}"));
            }
            // Nor one that no longer surely holds the run lock: stopped before the change,
            // unfinished, so that a resume (or another operator) reads AWS again.
            if let Some((id, e)) = failed
                .iter()
                .find(|(_, e)| matches!(e, StepError::Fenced(_)))
            {
                self.rec
                    .audit(Some(id), "fenced", json!({"error": e.to_string()}));
                self.rec.log(
                    Level::Error,
                    Some(id),
                    format!("stopping before the change: {e}"),
                );
                return Flow::Suspend(format!("stopped at {id} before its change: {e}"));
            }
            if !failed.is_empty() {
                match self.fail_gate(&unit_id, group, &members, failed).await {
                    Decision::Abort(r) => return Flow::Abort(r),
                    Decision::Suspend(r) => return Flow::Suspend(r),
                    _ => replan = true,
                }
            }
        }
    }
}

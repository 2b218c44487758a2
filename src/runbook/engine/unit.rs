//! One unit of a run: a top-level step, or a parallel group confirmed once. Preflight every
//! member, finish those already at target, ask, act, verify; loop on retry.

use futures::future::join_all;
use serde_json::json;

use super::execute::{execute, note_done};
use super::{Decision, Engine, Flow};
use crate::runbook::api::{Level, RunCommand, RunMode};
use crate::runbook::error::StepError;
use crate::runbook::journal::StepStatus;
use crate::runbook::plan::{StepPlan, Verdict};
use crate::runbook::step::Step;
use crate::runbook::steps::StepCx;

impl Engine {
    /// Runs one top-level step, or a parallel group as one unit with one confirmation.
    pub(super) async fn run_unit(&mut self, unit: &Step) -> Flow {
        let unit_id = unit.id().to_string();
        let group = unit.is_group();
        let members = unit.members();
        loop {
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
            let plans = join_all(todo.iter().map(|s| {
                let reader = &self.reader;
                let memo = self.rec.memo(s.id());
                async move {
                    s.preflight(&StepCx {
                        reader,
                        memo: &memo,
                    })
                    .await
                }
            }))
            .await;

            let mut work: Vec<(&Step, StepPlan)> = Vec::new();
            let mut failed: Vec<(String, StepError)> = Vec::new();
            for (s, res) in todo.iter().zip(plans) {
                match res {
                    Err(e) => failed.push((s.id().to_string(), e)),
                    Ok(p) => {
                        self.settle_in_flight(s.id(), &p);
                        if let Some(p) = self.settle_at_preflight(s, p, &mut failed).await {
                            work.push((s, p));
                        }
                    }
                }
            }

            if self.ctx.mode == RunMode::DryRun {
                self.show_dry_run(&work, &failed);
                continue;
            }

            if !failed.is_empty() {
                match self.fail_gate(&unit_id, group, &members, failed).await {
                    Decision::Abort(r) => return Flow::Abort(r),
                    Decision::Suspend(r) => return Flow::Suspend(r),
                    _ => continue,
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
                match self.confirm_gate(prompt).await {
                    Decision::Go => {}
                    Decision::Retry => continue,
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
                self.rec
                    .audit(Some(&unit_id), "abort", json!({"user": self.ctx.user}));
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
            if !failed.is_empty() {
                match self.fail_gate(&unit_id, group, &members, failed).await {
                    Decision::Abort(r) => return Flow::Abort(r),
                    Decision::Suspend(r) => return Flow::Suspend(r),
                    _ => {}
                }
            }
        }
    }

    /// A plan that needs no call finishes its step here: a check that passed, or a step
    /// already at its target. Returns the plan when the step still has work.
    async fn settle_at_preflight(
        &self,
        s: &Step,
        p: StepPlan,
        failed: &mut Vec<(String, StepError)>,
    ) -> Option<StepPlan> {
        let id = s.id();
        for w in &p.warnings {
            self.rec.log(Level::Warn, Some(id), w.clone());
        }
        if let Some(note) = &p.complete {
            self.rec
                .log(Level::Info, Some(id), format!("checks pass: {}", p.current));
            self.rec.set(id, StepStatus::Done { note: note.clone() });
            note_done(&self.rec, &self.ctx.estate, s);
            return None;
        }
        if !p.actions.is_empty() || p.instruction.is_some() {
            return Some(p);
        }
        let memo = self.rec.memo(id);
        let cx = StepCx {
            reader: &self.reader,
            memo: &memo,
        };
        match s.verify(&cx).await {
            Ok(Verdict::Done(d)) => {
                self.rec.log(
                    Level::Info,
                    Some(id),
                    format!("already at target, no call made: {d}"),
                );
                self.rec.set(
                    id,
                    StepStatus::Done {
                        note: format!("already at target ({d})"),
                    },
                );
                note_done(&self.rec, &self.ctx.estate, s);
                None
            }
            Ok(Verdict::Pending(d)) => {
                self.rec.log(
                    Level::Info,
                    Some(id),
                    format!("nothing to change; waiting for the target state: {d}"),
                );
                Some(p)
            }
            Err(e) => {
                failed.push((id.to_string(), e));
                None
            }
        }
    }

    /// A call whose outcome is not known (in flight at a crash, or failed without AWS saying
    /// it refused): said and audited before the preflight that reads AWS again.
    fn note_in_flight(&self, id: &str) {
        let Some(i) = self.rec.memo(id).in_flight else {
            return;
        };
        let text = match &i.unknown {
            Some(why) => format!(
                "the outcome of {} is unknown ({why}): checking AWS before acting",
                i.describe
            ),
            None => format!(
                "a call was in flight at the crash: checking AWS before acting ({})",
                i.describe
            ),
        };
        self.rec.audit(
            Some(id),
            "in_flight_check",
            json!({"call": i.action.api_call(), "describe": i.describe, "unknown": i.unknown}),
        );
        self.rec.log(Level::Warn, Some(id), text);
    }

    /// After AWS was read again: a call in flight that the plan no longer needs was applied
    /// (it counts as made, and is not sent again); one the plan still needs was not, and is
    /// sent again only through the plan's confirmation.
    fn settle_in_flight(&self, id: &str, p: &StepPlan) {
        let Some(i) = self.rec.memo(id).in_flight else {
            return;
        };
        let applied = !p.actions.contains(&i.action);
        self.rec.audit(
            Some(id),
            "in_flight_settled",
            json!({"call": i.action.api_call(), "describe": i.describe, "applied": applied}),
        );
        self.rec.log(
            Level::Info,
            Some(id),
            if applied {
                format!("AWS shows {} applied: it is not sent again", i.describe)
            } else {
                format!(
                    "AWS does not show {} applied: it is sent again only once confirmed",
                    i.describe
                )
            },
        );
        self.rec.update(|j| {
            if let Some(r) = j.step_mut(id) {
                r.memo.in_flight = None;
                if applied && !r.memo.calls_done.contains(&i.describe) {
                    r.memo.calls_done.push(i.describe.clone());
                }
            }
        });
    }

    fn close_group(&self, unit_id: &str, members: &[&Step]) {
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

    fn show_dry_run(&self, work: &[(&Step, StepPlan)], failed: &[(String, StepError)]) {
        for (s, p) in work {
            for a in &p.actions {
                self.rec.log(
                    Level::Info,
                    Some(s.id()),
                    format!("dry-run: would call {}", a.describe()),
                );
            }
            let note = if p.actions.is_empty() {
                format!("would wait for: {}", p.target)
            } else {
                format!("{} call(s): {} → {}", p.actions.len(), p.current, p.target)
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
    async fn execute_all(
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

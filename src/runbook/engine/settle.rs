//! Steps settled without a call: at preflight (a check that passed, a step already at its
//! target), and calls a stopped run had in flight, checked in AWS again.

use serde_json::json;

use super::Engine;
use super::execute::note_done;
use crate::runbook::api::Level;
use crate::runbook::error::StepError;
use crate::runbook::journal::StepStatus;
use crate::runbook::plan::{StepPlan, Verdict};
use crate::runbook::step::Step;
use crate::runbook::steps::StepCx;

impl Engine {
    /// A plan that needs no call finishes its step here: a check that passed, or a step
    /// already at its target. Returns the plan when the step still has work.
    pub(super) async fn settle_at_preflight(
        &self,
        s: &Step,
        p: StepPlan,
        failed: &mut Vec<(String, StepError)>,
        predicted: bool,
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
        let run_id = self.rec.run_id();
        let cx = StepCx {
            reader: &self.reader,
            memo: &memo,
            run_id: &run_id,
            step_id: id,
            run_started: self.rec.lock().started_at,
        };
        match s.verify(&cx).await {
            // A dry run never calls a prediction "already at target".
            Ok(Verdict::Done(d)) if predicted || self.reader.used_prediction() => {
                let note = format!("predicted: at target once the earlier steps are done ({d})");
                self.rec
                    .log(Level::Info, Some(id), format!("dry-run: {note}"));
                self.rec.set(id, StepStatus::DryRun { note });
                None
            }
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
    pub(super) fn note_in_flight(&self, id: &str) {
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
    pub(super) fn settle_in_flight(&self, id: &str, p: &StepPlan) {
        let Some(i) = self.rec.memo(id).in_flight else {
            return;
        };
        // A program or function whose outcome is unknown stays so until an operator decides.
        if p.unknown_outcome.is_some() && p.actions.contains(&i.action) {
            self.rec.log(
                Level::Warn,
                Some(id),
                format!(
                    "the outcome of {} is unknown: it runs again only when an operator decides so",
                    i.describe
                ),
            );
            return;
        }
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
                if applied {
                    r.memo.record_done(&i.action);
                }
            }
        });
    }
}

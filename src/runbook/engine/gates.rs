//! The questions a run asks: confirm what a step will do, or decide after a failure. Only a
//! command sent after the question was asked can answer it.

use serde_json::json;

use super::{Decision, Engine};
use crate::model::Side;
use crate::runbook::api::{
    ConfirmPrompt, DISCARD, Level, PlannedCall, RERUN, RunCommand, RunEvent,
};
use crate::runbook::error::StepError;
use crate::runbook::journal::StepStatus;
use crate::runbook::plan::StepPlan;
use crate::runbook::step::Step;

impl Engine {
    pub(super) fn prompt(&self, unit: &Step, work: &[(&Step, StepPlan)]) -> ConfirmPrompt {
        let mut calls = Vec::new();
        let mut changes = Vec::new();
        let mut warnings = Vec::new();
        let mut type_to_confirm = None;
        let mut instruction = None;
        let mut discards = Vec::new();
        let mut losses = Vec::new();
        let mut rerun_unknown = Vec::new();
        let mut discard_side = None;
        for (s, p) in work {
            let id = s.id().to_string();
            for a in &p.actions {
                if a.irreversible() && type_to_confirm.is_none() {
                    let side = a.side().unwrap_or(Side::Standby);
                    type_to_confirm = Some(self.ctx.estate.region(side).region.to_string());
                }
                calls.push(PlannedCall {
                    step: id.clone(),
                    call: a.api_call().to_string(),
                    describe: a.describe(),
                    irreversible: a.irreversible(),
                });
            }
            if let Some(d) = &p.discards {
                warnings.push(format!("{id}: DATA LOSS: {d}"));
                discards.push(format!("{id}: {d}"));
                discard_side = p.actions.iter().find_map(|a| a.side()).or(discard_side);
                losses.extend(p.loss);
            }
            if let Some(u) = &p.unknown_outcome {
                warnings.push(format!("{id}: OUTCOME UNKNOWN: {u}"));
                rerun_unknown.push(id.clone());
            }
            changes.push(format!("{}: {} → {}", s.title(), p.current, p.target));
            warnings.extend(p.warnings.iter().map(|w| format!("{id}: {w}")));
            if p.instruction.is_some() {
                instruction = p.instruction.clone();
            }
        }
        // Discarding acknowledged writes is a decision of its own: typed as a word after the
        // region's name, never implied by confirming the call.
        if !discards.is_empty() {
            let region = type_to_confirm.take().unwrap_or_else(|| {
                let side = discard_side.unwrap_or(Side::Standby);
                self.ctx.estate.region(side).region.to_string()
            });
            type_to_confirm = Some(format!("{region} {DISCARD}"));
        }
        // Running again what may already have run is a decision of its own too.
        if !rerun_unknown.is_empty() {
            type_to_confirm = Some(match type_to_confirm {
                Some(t) => format!("{t} {RERUN}"),
                None => RERUN.to_string(),
            });
        }
        ConfirmPrompt {
            step: unit.id().to_string(),
            title: unit.title(),
            calls,
            changes,
            warnings,
            type_to_confirm,
            instruction,
            discards,
            losses,
            rerun_unknown,
        }
    }

    /// Drops commands sent before the question was asked: a stray key press must not
    /// confirm a step the operator has not seen yet.
    fn drain(&mut self, step: &str) {
        while let Ok(cmd) = self.cmds.try_recv() {
            self.rec.log(
                Level::Info,
                Some(step),
                format!("ignored {cmd:?}: sent before the question was asked"),
            );
        }
    }

    async fn next_command(&mut self) -> Option<RunCommand> {
        if !self.cmds_open {
            return None;
        }
        let c = self.cmds.recv().await;
        if c.is_none() {
            self.cmds_open = false;
        }
        c
    }

    pub(super) async fn confirm_gate(&mut self, prompt: ConfirmPrompt) -> Decision {
        let step = prompt.step.clone();
        self.drain(&step);
        for c in &prompt.calls {
            self.rec.log(
                Level::Info,
                Some(&c.step),
                format!(
                    "plan: {}{}",
                    c.describe,
                    if c.irreversible {
                        " (IRREVERSIBLE)"
                    } else {
                        ""
                    }
                ),
            );
        }
        self.rec.log(
            Level::Info,
            Some(&step),
            match &prompt.type_to_confirm {
                Some(r) => {
                    format!("awaiting confirmation: type {r} to confirm the irreversible call")
                }
                None => "awaiting confirmation".into(),
            },
        );
        self.rec
            .emit(RunEvent::AwaitingConfirmation(prompt.clone()));
        loop {
            let Some(cmd) = self.next_command().await else {
                return Decision::Abort(
                    "the command channel closed while awaiting confirmation".into(),
                );
            };
            match cmd {
                RunCommand::Confirm { typed_region } => {
                    if let Some(want) = &prompt.type_to_confirm
                        && typed_region.as_deref().map(str::trim) != Some(want.as_str())
                    {
                        self.rec.audit(
                            Some(&step),
                            "confirm_refused",
                            json!({"user": self.ctx.user, "how": "typed", "typed": typed_region, "expected": want}),
                        );
                        self.rec.log(
                            Level::Warn,
                            Some(&step),
                            format!(
                                "not confirmed: the irreversible call needs the region name {want} typed back, got {:?}",
                                typed_region.unwrap_or_default()
                            ),
                        );
                        continue;
                    }
                    // Typed when the step asked for a text; otherwise a key press.
                    let how = match &prompt.type_to_confirm {
                        Some(_) => json!({"how": "typed", "typed": typed_region}),
                        None => json!({"how": "key"}),
                    };
                    self.confirmed(&prompt, how, format!("confirmed by {}", self.ctx.user));
                    return Decision::Go;
                }
                RunCommand::ConfirmByFlags { flags, shown_loss } => {
                    // The flags the operator gave, never ones made up from the prompt's needs.
                    let missing = prompt.missing_flags(&flags, shown_loss);
                    if !missing.is_empty() {
                        self.rec.audit(
                            Some(&step),
                            "confirm_refused",
                            json!({"user": self.ctx.user, "how": "flags", "flags": flags,
                                   "shown_loss": shown_loss, "missing": missing}),
                        );
                        self.rec.log(
                            Level::Warn,
                            Some(&step),
                            format!("not confirmed: {} also needs {}", step, missing.join(" ")),
                        );
                        continue;
                    }
                    let text = format!("confirmed by {} with {}", self.ctx.user, flags.join(" "));
                    let mut how = json!({"how": "flags", "flags": flags});
                    if let (Some(s), Some(o)) = (shown_loss, how.as_object_mut()) {
                        o.insert("shown_loss".into(), json!(s));
                        o.insert("losses".into(), json!(prompt.losses));
                    }
                    self.confirmed(&prompt, how, text);
                    return Decision::Go;
                }
                RunCommand::Stop { reason } => return self.stop(&step, reason),
                RunCommand::Retry => {
                    self.rec.log(Level::Info, Some(&step), "preflight again");
                    return Decision::Retry;
                }
                RunCommand::Skip { reason } => {
                    if reason.trim().is_empty() {
                        self.rec.log(
                            Level::Warn,
                            Some(&step),
                            "skip refused: a reason is required",
                        );
                        continue;
                    }
                    return Decision::Skip(reason);
                }
                RunCommand::Abort => {
                    self.rec.audit(
                        Some(&step),
                        "abort",
                        json!({"by": "operator", "user": self.ctx.user}),
                    );
                    return Decision::Abort(format!("aborted by {} at {step}", self.ctx.user));
                }
                RunCommand::Suspend { reason } => return Decision::Suspend(reason),
                RunCommand::Approve { .. } => self.own_approval(&step),
            }
        }
    }

    /// An operator's approval of a step of their own run: never an approval.
    pub(super) fn own_approval(&self, step: &str) {
        self.rec.log(
            Level::Warn,
            Some(step),
            "an approval from this run's own console is refused: another operator approves",
        );
    }

    fn confirmed(&self, prompt: &ConfirmPrompt, how: serde_json::Value, text: String) {
        let mut details = json!({"user": self.ctx.user,
               "calls": prompt.calls.iter().map(|c| c.describe.clone()).collect::<Vec<_>>(),
               "instruction": prompt.instruction});
        if let (Some(d), Some(h)) = (details.as_object_mut(), how.as_object()) {
            d.extend(h.clone());
        }
        self.rec.audit(Some(&prompt.step), "confirm", details);
        self.rec.log(Level::Info, Some(&prompt.step), text);
    }

    /// A stop the program decided (an unattended run that may not go on): audited as such,
    /// never as an operator's abort.
    pub(super) fn stop(&self, step: &str, reason: String) -> Decision {
        self.rec.audit(
            Some(step),
            "stop",
            json!({"by": "drconsole", "reason": reason}),
        );
        Decision::Abort(format!("stopped at {step}, not by an operator: {reason}"))
    }

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

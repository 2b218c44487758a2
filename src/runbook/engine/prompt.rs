//! The prompt a step (or a parallel group) is confirmed with: its calls, its changes and
//! warnings, and the text to type back when a call is irreversible, discards acknowledged
//! writes or runs again what may already have run.

use super::Engine;
use crate::model::Side;
use crate::runbook::api::{ConfirmPrompt, DISCARD, PlannedCall, RERUN};
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
}

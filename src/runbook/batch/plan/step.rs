//! One step planned now, on what AWS shows: its calls, current → target, the writes it would
//! discard, its warnings, or why the run will skip it or plan it only when it comes.

use super::PlannedStep;
use crate::runbook::plan::Loss;
use crate::runbook::reader::Reader;
use crate::runbook::step::Step;
use crate::runbook::steps::StepCx;

pub(super) async fn plan_step(reader: &Reader, s: &Step) -> (PlannedStep, Option<Loss>) {
    let memo = Default::default();
    let cx = StepCx {
        reader,
        memo: &memo,
        run_id: "",
        step_id: s.id(),
        run_started: chrono::Utc::now(),
    };
    let mut step = PlannedStep {
        id: s.id().to_string(),
        title: s.title(),
        optional: s.optional(),
        irreversible: s.irreversible(),
        calls: Vec::new(),
        change: None,
        discards: None,
        warnings: Vec::new(),
        skip: None,
        unplanned: None,
    };
    match s.preflight(&cx).await {
        Ok(p) => {
            step.calls = p.actions.iter().map(|a| a.describe()).collect();
            if !p.current.is_empty() || !p.target.is_empty() {
                step.change = Some(format!("{} → {}", p.current, p.target));
            }
            step.discards = p.discards.clone();
            step.warnings = p.warnings.clone();
            if let Some(check) = &p.complete {
                // A check passing now: the run checks it again when it comes.
                step.change = Some(format!("passes now: {check}"));
            } else if p.actions.is_empty() && !p.target.is_empty() && p.current == p.target {
                step.skip = Some("already at its target".into());
            }
            (step, p.loss)
        }
        Err(e) if s.optional() => {
            step.skip = Some(format!("optional, cannot be planned now ({e})"));
            (step, None)
        }
        Err(e) => {
            step.unplanned = Some(format!("planned when it comes: {e}"));
            (step, None)
        }
    }
}

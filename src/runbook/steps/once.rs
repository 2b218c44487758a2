//! What the steps that run something not idempotent (a program, a Lambda invocation) share:
//! done once in this run is done; otherwise the plan warns that confirming runs it, that a
//! retry runs it again, and, after a stop while it ran, that how it ended is unknown.

use super::StepCx;
use crate::backend::Action;
use crate::runbook::plan::{StepPlan, Verdict};

/// The words of one such step.
pub struct Once<'a> {
    /// The state once it ran without error in this run.
    pub done: &'a str,
    /// The state before it ran.
    pub not_done: &'a str,
    pub target: &'a str,
    /// The target as said once reached.
    pub target_done: &'a str,
    /// Why running it twice may matter.
    pub twice: String,
    /// What a confirmation does after a stop while it ran.
    pub in_flight: &'a str,
}

/// The plan of `action`: nothing to do when it ran in this run; else it, with the warnings.
pub fn plan(cx: &StepCx<'_>, action: Action, w: Once<'_>) -> StepPlan {
    if cx.memo.calls_done.contains(&action.describe()) {
        return StepPlan {
            current: w.done.into(),
            target: w.target_done.into(),
            ..StepPlan::default()
        };
    }
    let mut warnings = vec![w.twice];
    if cx.memo.in_flight_for(&action).is_some() {
        warnings.push(w.in_flight.into());
    }
    StepPlan {
        actions: vec![action],
        current: w.not_done.into(),
        target: w.target.into(),
        warnings,
        ..StepPlan::default()
    }
}

/// Done once `action` ran without error in this run.
pub fn verify(cx: &StepCx<'_>, action: &Action, done: &str, not_done: &str) -> Verdict {
    if cx.memo.calls_done.contains(&action.describe()) {
        Verdict::Done(done.into())
    } else {
        Verdict::Pending(not_done.into())
    }
}

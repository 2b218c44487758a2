//! What the steps that run something not idempotent (a program, a Lambda invocation) share:
//! done once in this run is done; otherwise the plan warns that confirming runs it, that a
//! retry runs it again. After a stop while it ran, how it ended is unknown: the plan says so
//! ([`StepPlan::unknown_outcome`]) and the journal keeps the call in flight until an operator
//! decides to run it again.

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
    if cx.memo.done(&action) {
        return StepPlan {
            current: w.done.into(),
            target: w.target_done.into(),
            ..StepPlan::default()
        };
    }
    // Started and never heard of again: the journal keeps it so, and only an operator's
    // new decision (typed RERUN, or `--rerun-unknown STEP`) runs it again.
    let unknown_outcome = cx
        .memo
        .in_flight_for(&action)
        .map(|_| w.in_flight.to_string());
    StepPlan {
        actions: vec![action],
        current: w.not_done.into(),
        target: w.target.into(),
        warnings: vec![w.twice],
        unknown_outcome,
        ..StepPlan::default()
    }
}

/// Done once `action` ran without error in this run.
pub fn verify(cx: &StepCx<'_>, action: &Action, done: &str, not_done: &str) -> Verdict {
    if cx.memo.done(action) {
        Verdict::Done(done.into())
    } else {
        Verdict::Pending(not_done.into())
    }
}

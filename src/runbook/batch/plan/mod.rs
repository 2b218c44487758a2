//! An evacuation's plan, per estate, before anything is confirmed: each step of the runbook
//! planned on what AWS shows now (its calls, current → target, the writes it would discard),
//! and what the run will skip (a step already at its target; an optional step that cannot be
//! planned, e.g. one calling the dark region). The console's plan view and `drconsole run`
//! on several estates without `--yes` show the text of [`render_plans`]: one rendering.
//!
//! A plan is what AWS shows now, not a promise: each run plans every step again when it
//! comes, and stops for a new decision where its loss is larger than the one shown.

mod render;
mod step;

use std::sync::Arc;

use super::BatchMember;
use crate::runbook::plan::Loss;
use crate::runbook::reader::{Pace, Reader};
use crate::runbook::step::{compile, sides_of};

pub use render::{render_plan, render_plans};
use step::plan_step;

/// One step as planned now.
#[derive(Debug, Clone, PartialEq)]
pub struct PlannedStep {
    pub id: String,
    pub title: String,
    pub optional: bool,
    pub irreversible: bool,
    /// Every call it will make, as the confirmation shows it.
    pub calls: Vec<String>,
    /// `current → target`, when the step says.
    pub change: Option<String>,
    /// The writes it would discard.
    pub discards: Option<String>,
    /// What the step warns of now.
    pub warnings: Vec<String>,
    /// Why the run will skip it (already done, or optional and not plannable now).
    pub skip: Option<String>,
    /// Why it cannot be planned now (it is planned again when it comes).
    pub unplanned: Option<String>,
}

/// One estate's plan.
#[derive(Debug, Clone, PartialEq)]
pub struct EstatePlan {
    pub estate: String,
    pub runbook: String,
    pub steps: Vec<PlannedStep>,
    /// The largest loss a step of it would discard now; `None`: none.
    pub loss: Option<Loss>,
    /// Why the runbook cannot be built for this estate.
    pub error: Option<String>,
}

impl EstatePlan {
    /// Calls the plan makes in all.
    pub fn call_count(&self) -> usize {
        self.steps.iter().map(|s| s.calls.len()).sum()
    }
}

/// Plans `runbook` on one estate, reading AWS through its backend (with its call timeout).
pub async fn plan_estate(member: &BatchMember, runbook: &str, pace: Pace) -> EstatePlan {
    let mut plan = EstatePlan {
        estate: member.estate.name.clone(),
        runbook: runbook.to_string(),
        steps: Vec::new(),
        loss: None,
        error: None,
    };
    let registry = crate::runbook::steps::builtin();
    let steps = match crate::runbook::defaults::resolve(&member.estate, runbook)
        .ok_or_else(|| format!("no runbook named {runbook:?}"))
        .and_then(|spec| compile(&spec, &member.estate, &registry).map_err(|e| e.to_string()))
    {
        Ok(steps) => steps,
        Err(e) => {
            plan.error = Some(e);
            return plan;
        }
    };
    let reader = Reader::new(
        member.backend.clone(),
        member.estate.clone(),
        pace,
        Arc::default(),
    )
    .touching(&sides_of(&steps, &member.estate));
    for unit in &steps {
        for s in unit.members() {
            let planned = plan_step(&reader, s).await;
            plan.steps.push(planned.0);
            plan.loss = worse(plan.loss, planned.1);
        }
    }
    plan
}

/// Every member's plan, read at the same time.
pub async fn plan_all(members: &[BatchMember], runbook: &str, pace: Pace) -> Vec<EstatePlan> {
    futures::future::join_all(members.iter().map(|m| plan_estate(m, runbook, pace))).await
}

/// The larger of two losses: an unknown one is larger than any known amount.
pub fn worse(a: Option<Loss>, b: Option<Loss>) -> Option<Loss> {
    match (a, b) {
        (None, x) | (x, None) => x,
        (Some(Loss::UpTo { secs: x }), Some(Loss::UpTo { secs: y })) => {
            Some(Loss::UpTo { secs: x.max(y) })
        }
        (Some(k @ (Loss::Stopped | Loss::NoData)), _) => Some(k),
        (_, unknown) => unknown,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_unknown_loss_is_worse_than_any_known_one() {
        let up = |secs| Some(Loss::UpTo { secs });
        assert_eq!(worse(up(3), up(9)), up(9));
        assert_eq!(worse(None, up(2)), up(2));
        assert_eq!(worse(up(900), Some(Loss::Stopped)), Some(Loss::Stopped));
        assert_eq!(worse(Some(Loss::NoData), up(5)), Some(Loss::NoData));
        assert_eq!(worse(None, None), None);
    }
}

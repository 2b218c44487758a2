//! May the principals make the calls the dry run plans? Each call is simulated for the side
//! whose credentials make it (Route 53's go through the standby's, like every Route 53 call):
//! a denied call is listed under its step; a side that may not simulate is "not evaluated".

use std::collections::BTreeMap;
use std::sync::Arc;

use crate::backend::{Action, Backend};
use crate::model::{Aspect, AspectResult, Decision, Finding, Outcome, Side};

/// The side whose credentials make `action`.
fn side_of(action: &Action) -> Side {
    action.side().unwrap_or(Side::Standby)
}

pub async fn check(
    backend: &Arc<dyn Backend>,
    calls: &[(String, Vec<Action>)],
) -> (AspectResult, Vec<Finding>) {
    let mut by_side: BTreeMap<Side, Vec<Action>> = BTreeMap::new();
    for (_, actions) in calls {
        for a in actions {
            by_side.entry(side_of(a)).or_default().push(a.clone());
        }
    }
    if by_side.is_empty() {
        return (
            AspectResult {
                aspect: Aspect::Permissions,
                outcome: Outcome::Passed,
                summary: "the plan makes no AWS call".into(),
            },
            Vec::new(),
        );
    }
    let mut findings = Vec::new();
    let mut allowed = 0usize;
    let mut not_evaluated = Vec::new();
    for (side, actions) in by_side {
        let permissions = match backend.simulate_actions(side, &actions).await {
            Ok(p) => p,
            Err(e) => {
                let why = format!("the {side} caller may not simulate its policies: {e}");
                findings.push(Finding {
                    aspect: Aspect::Permissions,
                    outcome: Outcome::NotEvaluated,
                    step: None,
                    text: why.clone(),
                });
                not_evaluated.push(why);
                continue;
            }
        };
        // Every denied action once per step, in the plan's order.
        for (step, step_actions) in calls {
            let mut denied: Vec<String> = Vec::new();
            for a in step_actions.iter().filter(|a| side_of(a) == side) {
                let api = a.api_call();
                let refused = permissions
                    .iter()
                    .filter(|p| p.action.eq_ignore_ascii_case(api))
                    .any(|p| p.decision != Decision::Allowed);
                if refused && !denied.iter().any(|d| d == api) {
                    denied.push(api.to_string());
                }
            }
            for api in denied {
                findings.push(Finding {
                    aspect: Aspect::Permissions,
                    outcome: Outcome::ActionRequired,
                    step: Some(step.clone()),
                    text: format!("{api} denied"),
                });
            }
        }
        // Calls a step does not name (iam:PassRole for a restore) are reported as such.
        for p in permissions
            .iter()
            .filter(|p| p.decision != Decision::Allowed)
        {
            let named = calls
                .iter()
                .flat_map(|(_, a)| a.iter())
                .any(|a| p.action.eq_ignore_ascii_case(a.api_call()));
            if !named {
                findings.push(Finding {
                    aspect: Aspect::Permissions,
                    outcome: Outcome::ActionRequired,
                    step: None,
                    text: format!("{} denied on {}", p.action, p.resource),
                });
            }
        }
        allowed += permissions
            .iter()
            .filter(|p| p.decision == Decision::Allowed)
            .count();
    }
    let denied = findings
        .iter()
        .filter(|f| f.outcome == Outcome::ActionRequired)
        .count();
    let (outcome, summary) = if denied > 0 {
        (
            Outcome::ActionRequired,
            format!("{denied} call(s) denied, {allowed} allowed"),
        )
    } else if !not_evaluated.is_empty() {
        (Outcome::NotEvaluated, not_evaluated.join("; "))
    } else {
        (Outcome::Passed, format!("{allowed} call(s) allowed"))
    };
    (
        AspectResult {
            aspect: Aspect::Permissions,
            outcome,
            summary,
        },
        findings,
    )
}

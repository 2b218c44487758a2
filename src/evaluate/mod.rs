//! Continuous plan evaluation: every runbook the posture allows, evaluated read-only — may
//! the principals make its calls (IAM policy simulation), what its dry run would do now, and
//! whether AWS still matches the estate file (drift). Nothing here changes AWS or writes a
//! file: no journal, no audit line, no lock.
//!
//! - [`plan`]: the dry run, step by step; [`permissions`]: its calls simulated;
//!   [`drift`]: names, roles and capacity against the estate; [`schedule`]: the loop that
//!   evaluates every `evaluate_interval` for the console and `serve`.

pub mod drift;
pub mod permissions;
pub mod plan;
pub mod quotas;
pub mod schedule;

use std::sync::Arc;

use chrono::Utc;

use crate::backend::Backend;
use crate::config::Estate;
use crate::model::{
    Aspect, AspectResult, Evaluation, Finding, Outcome, RegionReading, Scope, Side,
};
use crate::poll::{Reading, read_once};
use crate::posture::{Posture, PostureState};

/// The runbooks worth evaluating in `posture`: those the next incident would run (failover
/// while the primary serves, re-protect once failed over, failback once re-protected), and
/// every runbook written in the estate file. None of the generated ones when the posture is
/// unknown or split.
pub fn applicable(estate: &Estate, posture: &Posture) -> Vec<String> {
    let mut names: Vec<String> = estate.runbooks.keys().cloned().collect();
    let generated = match posture.state {
        PostureState::Normal => Some("failover"),
        PostureState::FailedOver => Some("reprotect"),
        PostureState::Reprotected => Some("failback"),
        PostureState::SplitBrain | PostureState::Unknown => None,
    };
    if let Some(g) = generated
        && !names.iter().any(|n| n == g)
    {
        names.insert(0, g.to_string());
    }
    names
}

/// One reading of each region, for the posture and the drift check.
pub struct Snapshot {
    pub regions: [Result<RegionReading, String>; 2],
    pub posture: Posture,
}

/// Reads both regions and Route 53 once, each bounded by the call timeout.
pub async fn read(estate: &Estate, backend: &dyn Backend) -> Snapshot {
    let timeout = estate.call_timeout.0;
    let (p, s, g) = tokio::join!(
        read_once(backend, Scope::Region(Side::Primary), timeout),
        read_once(backend, Scope::Region(Side::Standby), timeout),
        read_once(backend, Scope::Global, timeout),
    );
    let region = |r: Result<Reading, crate::backend::BackendError>| match r {
        Ok(Reading::Region(r)) => Ok(*r),
        Ok(Reading::Global(_)) => Err("unexpected reading".to_string()),
        Err(e) => Err(e.to_string()),
    };
    let regions = [region(p), region(s)];
    let global = match g {
        Ok(Reading::Global(g)) => Some(g),
        _ => None,
    };
    let posture = crate::posture::posture(
        estate,
        regions[0].as_ref().ok(),
        regions[1].as_ref().ok(),
        global.as_ref(),
    );
    Snapshot { regions, posture }
}

/// Evaluates every applicable runbook once.
pub async fn evaluate_all(estate: &Arc<Estate>, backend: &Arc<dyn Backend>) -> Vec<Evaluation> {
    let snapshot = read(estate, backend.as_ref()).await;
    evaluate_on(estate, backend, &snapshot).await
}

/// Evaluates every runbook the posture of `snapshot` allows.
pub async fn evaluate_on(
    estate: &Arc<Estate>,
    backend: &Arc<dyn Backend>,
    snapshot: &Snapshot,
) -> Vec<Evaluation> {
    let names = applicable(estate, &snapshot.posture);
    if names.is_empty() {
        return Vec::new();
    }
    // The quotas are the region's, the same for every runbook: read once per snapshot.
    let quotas = quotas_on(estate, backend, snapshot).await;
    let mut out = Vec::new();
    for name in names {
        out.push(evaluate(estate, backend, &name, snapshot, &quotas).await);
    }
    out
}

/// The quotas of the region a move would go to (the one not serving now), judged.
async fn quotas_on(
    estate: &Estate,
    backend: &Arc<dyn Backend>,
    snapshot: &Snapshot,
) -> (AspectResult, Vec<Finding>) {
    let active = snapshot.posture.active.unwrap_or(Side::Primary);
    let target = active.other();
    let [p, s] = &snapshot.regions;
    let reading = if target == Side::Primary { p } else { s };
    quotas::check(estate, backend.as_ref(), target, reading.as_ref().ok()).await
}

/// Evaluates the runbook `name` on `snapshot` (its drift), a dry run made now, and the
/// `quotas` judged for the snapshot.
pub async fn evaluate(
    estate: &Arc<Estate>,
    backend: &Arc<dyn Backend>,
    name: &str,
    snapshot: &Snapshot,
    quotas: &(AspectResult, Vec<Finding>),
) -> Evaluation {
    let at = Utc::now();
    let mut aspects = Vec::new();
    let mut findings: Vec<Finding> = Vec::new();
    match plan::dry_run(estate, backend, name).await {
        Ok(planned) => {
            let (outcome, summary) = match &planned.first_failure {
                Some((step, why)) => {
                    findings.push(Finding {
                        aspect: Aspect::Plan,
                        outcome: Outcome::ActionRequired,
                        step: Some(step.clone()),
                        text: format!("would fail: {why}"),
                    });
                    (Outcome::ActionRequired, format!("{step} would fail"))
                }
                None => (
                    Outcome::Passed,
                    format!(
                        "{} step(s) planned, {} would call AWS",
                        planned.steps,
                        planned.calls.len()
                    ),
                ),
            };
            aspects.push(AspectResult {
                aspect: Aspect::Plan,
                outcome,
                summary,
            });
            let (a, f) = permissions::check(backend, &planned.calls).await;
            aspects.push(a);
            findings.extend(f);
        }
        Err(why) => {
            for aspect in [Aspect::Plan, Aspect::Permissions] {
                aspects.push(AspectResult {
                    aspect,
                    outcome: Outcome::NotEvaluated,
                    summary: format!("the runbook cannot be planned: {why}"),
                });
            }
        }
    }
    let active = snapshot.posture.active.unwrap_or(Side::Primary);
    let [p, s] = &snapshot.regions;
    aspects.push(quotas.0.clone());
    findings.extend(quotas.1.iter().cloned());
    let (a, f) = drift::check(
        estate,
        active,
        [
            p.as_ref().map_err(String::as_str),
            s.as_ref().map_err(String::as_str),
        ],
    );
    aspects.push(a);
    findings.extend(f);
    Evaluation::new(name, at, aspects, findings)
}

#[cfg(test)]
mod tests;

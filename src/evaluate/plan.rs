//! The runbook's dry run as an evaluation makes it: every step planned on the state the
//! earlier ones would leave, nothing called, nothing written (no journal, no audit line,
//! no lock). Which calls each step would make, and the first step that would refuse or fail.

use std::sync::Arc;

use crate::backend::{Action, Backend};
use crate::config::Estate;
use crate::runbook::Pace;
use crate::runbook::plan::StepMemo;
use crate::runbook::reader::{Reader, Readings};
use crate::runbook::step::{Step, compile, sides_of};
use crate::runbook::steps::{StepCx, builtin};

/// What the dry run found.
#[derive(Debug, Clone, Default)]
pub struct Planned {
    /// Each step that would call AWS, by id, with its calls.
    pub calls: Vec<(String, Vec<Action>)>,
    /// The first step whose preflight refuses or fails now, and why.
    pub first_failure: Option<(String, String)>,
    /// Steps planned.
    pub steps: usize,
}

/// Plans every step of `name` against AWS as read now. `Err` when the runbook cannot be built.
pub async fn dry_run(
    estate: &Arc<Estate>,
    backend: &Arc<dyn Backend>,
    name: &str,
) -> Result<Planned, String> {
    let spec = crate::runbook::defaults::resolve(estate, name)
        .ok_or_else(|| format!("no runbook {name}"))?;
    let steps = compile(&spec, estate, &builtin()).map_err(|e| e.to_string())?;
    let reader = Reader::new(
        backend.clone(),
        estate.clone(),
        Pace::REAL,
        Arc::new(Readings::default()),
    )
    .touching(&sides_of(&steps, estate));
    // Every part of each region the run calls, read once up front: a step planned on what an
    // earlier one would leave (targets after the scale-up) finds all of it to predict on.
    for side in sides_of(&steps, estate) {
        let _ = reader.region(side).await;
    }
    let mut planned = Planned::default();
    let memo = StepMemo::default();
    for unit in &steps {
        let members: Vec<&Step> = unit.members();
        let mut unit_actions = Vec::new();
        for s in members {
            planned.steps += 1;
            // A dry run: no run exists, so the ids only name what an evaluation plans.
            let cx = StepCx {
                reader: &reader,
                memo: &memo,
                run_id: "evaluation",
                step_id: s.id(),
                run_started: chrono::Utc::now(),
            };
            match s.preflight(&cx).await {
                Ok(p) => {
                    let calls: Vec<Action> = p
                        .actions
                        .iter()
                        .filter(|a| !a.is_local())
                        .cloned()
                        .collect();
                    unit_actions.extend(p.actions.iter().cloned());
                    if !calls.is_empty() {
                        planned.calls.push((s.id().to_string(), calls));
                    }
                }
                Err(e) => {
                    if planned.first_failure.is_none() {
                        planned.first_failure = Some((s.id().to_string(), e.to_string()));
                    }
                }
            }
        }
        // Later steps are planned on the state these would leave.
        for a in &unit_actions {
            reader.predict(a).await;
        }
    }
    Ok(planned)
}

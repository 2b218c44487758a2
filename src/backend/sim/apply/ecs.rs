//! ECS: a new desired count (tasks start after 30-90 s), a new deployment.

use super::super::timings as t;
use super::super::world::World;
use super::fail;
use crate::backend::{Action, ActionOutcome, BackendError};

/// Performs `action` when it is this service's; `Ok(None)` otherwise.
pub(super) fn apply(w: &mut World, action: &Action) -> Result<Option<ActionOutcome>, BackendError> {
    let now = w.now;
    let summary = match action {
        Action::ScaleService {
            side,
            service,
            desired,
            ..
        } => {
            let starts: Vec<f64> = (0..*desired).map(|_| now + w.draw(t::TASK_START)).collect();
            let Some(s) = w.region_mut(*side).services.get_mut(service) else {
                return fail(
                    w,
                    action,
                    *side,
                    "ServiceNotFoundException",
                    service,
                    format!("service {service} not found"),
                );
            };
            let before = s.desired;
            s.desired = *desired;
            // Remove pending tasks first, then running ones.
            s.tasks.sort_by(|a, b| a.total_cmp(b));
            s.tasks.truncate(*desired as usize);
            let missing = (*desired as usize).saturating_sub(s.tasks.len());
            s.tasks.extend(starts.into_iter().take(missing));
            format!("{service}: desiredCount {before} → {desired}")
        }
        Action::ForceDeployment { side, service, .. } => {
            let duration = w.draw(t::DEPLOYMENT);
            let Some(s) = w.region_mut(*side).services.get_mut(service) else {
                return fail(
                    w,
                    action,
                    *side,
                    "ServiceNotFoundException",
                    service,
                    format!("service {service} not found"),
                );
            };
            s.revision += 1;
            s.deploying_until = now + duration;
            let id = super::super::world::deployment_id(*side, service, s.revision);
            return Ok(Some(ActionOutcome {
                summary: format!("{service}: new deployment {id} started"),
                change_id: Some(id),
            }));
        }
        _ => return Ok(None),
    };
    Ok(Some(ActionOutcome {
        summary,
        change_id: None,
    }))
}

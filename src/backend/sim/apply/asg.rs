//! Auto Scaling: new capacity, instances launched towards it (InService after minutes).

use super::super::timings as t;
use super::super::world::{SimInstance, World};
use super::fail;
use crate::backend::{Action, ActionOutcome, BackendError};

/// Performs `action` when it is this service's; `Ok(None)` otherwise.
pub(super) fn apply(w: &mut World, action: &Action) -> Result<Option<ActionOutcome>, BackendError> {
    let now = w.now;
    let summary = match action {
        Action::SetAsgCapacity {
            side,
            asg,
            capacity,
        } => {
            let launches: Vec<(String, f64)> = (0..capacity.desired)
                .map(|_| {
                    let id = format!("i-0{}", w.rng.hex(16));
                    (id, now + w.draw(t::INSTANCE_LAUNCH))
                })
                .collect();
            let Some(a) = w.region_mut(*side).asgs.get_mut(asg) else {
                return fail(
                    w,
                    action,
                    *side,
                    "ValidationError",
                    asg,
                    format!("AutoScalingGroup name not found - {asg}"),
                );
            };
            let before = (a.min, a.max, a.desired);
            a.min = capacity.min;
            a.max = capacity.max;
            a.desired = capacity.desired;
            a.instances
                .sort_by(|x, y| x.in_service_at.total_cmp(&y.in_service_at));
            a.instances.truncate(capacity.desired as usize);
            let missing = (capacity.desired as usize).saturating_sub(a.instances.len());
            a.instances.extend(
                launches
                    .into_iter()
                    .take(missing)
                    .map(|(id, at)| SimInstance {
                        id,
                        in_service_at: at,
                    }),
            );
            format!(
                "{asg}: min/max/desired {}/{}/{} → {}/{}/{}",
                before.0, before.1, before.2, capacity.min, capacity.max, capacity.desired
            )
        }
        _ => return Ok(None),
    };
    Ok(Some(ActionOutcome {
        summary,
        change_id: None,
    }))
}

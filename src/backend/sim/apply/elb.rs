//! ELBv2: targets registered, healthy after the target group's threshold.

use super::super::world::World;
use super::fail;
use crate::backend::{Action, ActionOutcome, BackendError};

/// Performs `action` when it is this service's; `Ok(None)` otherwise.
pub(super) fn apply(w: &mut World, action: &Action) -> Result<Option<ActionOutcome>, BackendError> {
    let now = w.now;
    let summary = match action {
        Action::RegisterTargets {
            side,
            target_group_arn,
            targets,
            ..
        } => {
            let Some(tg) = w.region_mut(*side).target_groups.get_mut(target_group_arn) else {
                return fail(
                    w,
                    action,
                    *side,
                    "TargetGroupNotFound",
                    target_group_arn,
                    "target group not found".into(),
                );
            };
            let mut added = 0;
            for id in targets {
                if !tg.registered.contains_key(id) {
                    tg.registered.insert(id.clone(), now);
                    added += 1;
                }
            }
            format!("{added} target(s) registered")
        }
        _ => return Ok(None),
    };
    Ok(Some(ActionOutcome {
        summary,
        change_id: None,
    }))
}

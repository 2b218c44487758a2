//! AWS Backup: a restore job starts at once and ends on the simulated clock (see `world::vault`).

use super::super::world::World;
use crate::backend::{Action, ActionOutcome, BackendError};

/// Performs `action` when it is this service's; `Ok(None)` otherwise.
pub(super) fn apply(w: &mut World, action: &Action) -> Result<Option<ActionOutcome>, BackendError> {
    let summary = match action {
        Action::StartRestoreJob {
            recovery_point_arn,
            db,
            instance_class,
            token,
            ..
        } => w.start_restore(recovery_point_arn, db, instance_class.as_deref(), token)?,
        _ => return Ok(None),
    };
    Ok(Some(ActionOutcome {
        summary,
        change_id: None,
    }))
}

//! Lambda: the simulated function's answer (see `sim::lambda`).

use super::super::world::World;
use super::region;
use crate::backend::{Action, ActionOutcome, BackendError};

/// Performs `action` when it is this service's; `Ok(None)` otherwise.
pub(super) fn apply(w: &mut World, action: &Action) -> Result<Option<ActionOutcome>, BackendError> {
    match action {
        Action::InvokeLambda {
            side,
            function,
            payload,
        } => super::super::lambda::invoke(&region(w, *side), function, payload).map(Some),
        _ => Ok(None),
    }
}

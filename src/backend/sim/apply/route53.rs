//! Route 53: record changes (INSYNC within a minute) and a health check's inversion.

use super::super::timings as t;
use super::super::world::World;
use crate::backend::{Action, ActionOutcome, BackendError, ErrorKind};

/// Performs `action` when it is this service's; `Ok(None)` otherwise.
pub(super) fn apply(w: &mut World, action: &Action) -> Result<Option<ActionOutcome>, BackendError> {
    let now = w.now;
    let summary = match action {
        Action::UpsertRecord { record, value, .. } => {
            let before = std::mem::replace(&mut w.dns_value, value.clone());
            let id = w.next_change_id();
            let insync = now + w.draw(t::DNS_INSYNC);
            w.dns_changes.insert(id.clone(), insync);
            return Ok(Some(ActionOutcome {
                summary: format!("{record}: {before} → {value} (change {id} PENDING)"),
                change_id: Some(id),
            }));
        }
        Action::UpsertAlias {
            record, dns_name, ..
        } => {
            let before = std::mem::replace(&mut w.dns_value, dns_name.clone());
            let id = w.next_change_id();
            let insync = now + w.draw(t::DNS_INSYNC);
            w.dns_changes.insert(id.clone(), insync);
            return Ok(Some(ActionOutcome {
                summary: format!("{record}: ALIAS {before} → {dns_name} (change {id} PENDING)"),
                change_id: Some(id),
            }));
        }
        Action::InvertHealthCheck {
            health_check,
            inverted,
        } => {
            let Some(c) = w.checks.get_mut(health_check) else {
                return Err(BackendError::new(
                    ErrorKind::NotFound,
                    "route53",
                    action.api_call(),
                    health_check,
                    format!("A health check with id {health_check} does not exist."),
                )
                .with_code("NoSuchHealthCheck"));
            };
            c.was_inverted = c.routes_inverted(now);
            c.inverted_at = now;
            let before = std::mem::replace(&mut c.inverted, *inverted);
            format!("health check {health_check}: Inverted {before} → {inverted}")
        }
        _ => return Ok(None),
    };
    Ok(Some(ActionOutcome {
        summary,
        change_id: None,
    }))
}

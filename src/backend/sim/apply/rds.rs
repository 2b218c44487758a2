//! RDS: promotion, a new cross-region replica, a rename, an Aurora switchover or failover, each taking the minutes AWS takes.

use super::super::timings as t;
use super::super::world::{SimDb, World};
use super::{fail, region};
use crate::backend::{Action, ActionOutcome, BackendError, ErrorKind};
use crate::model::DbRole;

/// Performs `action` when it is this service's; `Ok(None)` otherwise.
pub(super) fn apply(w: &mut World, action: &Action) -> Result<Option<ActionOutcome>, BackendError> {
    let now = w.now;
    let summary = match action {
        Action::PromoteReplica { side, db } => {
            let duration = w.draw(t::PROMOTION);
            let Some(d) = w.region_mut(*side).db.as_mut().filter(|d| &d.id == db) else {
                return fail(
                    w,
                    action,
                    *side,
                    "DBInstanceNotFound",
                    db,
                    format!("DBInstance {db} not found"),
                );
            };
            if !matches!(d.role, DbRole::Replica { .. }) {
                return Err(BackendError::new(
                    ErrorKind::Other,
                    &region(w, *side),
                    action.api_call(),
                    db,
                    format!("DB instance {db} is not a read replica"),
                )
                .with_code("InvalidDBInstanceState"));
            }
            d.status = "modifying".into();
            d.busy_until = Some(now + duration);
            d.next_role = Some(DbRole::Writer);
            format!("{db}: promotion started (status modifying)")
        }
        Action::CreateReplica {
            side,
            replica,
            source_arn,
            instance_class,
        } => {
            let duration = w.draw(t::REPLICA_CREATE);
            let region_state = w.region_mut(*side);
            if region_state.db.as_ref().is_some_and(|d| &d.id == replica) {
                return Err(BackendError::new(
                    ErrorKind::Other,
                    &region(w, *side),
                    action.api_call(),
                    replica,
                    format!("DB instance {replica} already exists"),
                )
                .with_code("DBInstanceAlreadyExists"));
            }
            let mut db = SimDb::new(
                replica,
                DbRole::Replica {
                    source: source_arn.clone(),
                },
            );
            db.status = "creating".into();
            db.busy_until = Some(now + duration);
            db.replicating_since = now + duration;
            db.instance_class = instance_class.clone().unwrap_or("db.r6g.large".into());
            region_state.db = Some(db);
            format!("{replica}: replica of {source_arn} being created")
        }
        Action::RenameDb { side, from, to } => {
            let Some(d) = w.region_mut(*side).db.as_mut().filter(|d| &d.id == from) else {
                return fail(
                    w,
                    action,
                    *side,
                    "DBInstanceNotFound",
                    from,
                    format!("DBInstance {from} not found"),
                );
            };
            d.id = to.clone();
            format!("{from} renamed to {to}")
        }
        Action::GlobalSwitchover { side, .. } | Action::GlobalFailover { side, .. } => {
            let range = if matches!(action, Action::GlobalSwitchover { .. }) {
                t::GLOBAL_SWITCHOVER
            } else {
                t::GLOBAL_FAILOVER
            };
            let duration = w.draw(range);
            let other = side.other();
            let global = match action {
                Action::GlobalSwitchover { global_cluster, .. }
                | Action::GlobalFailover { global_cluster, .. } => global_cluster.clone(),
                _ => String::new(),
            };
            let Some(d) = w.region_mut(*side).db.as_mut() else {
                return fail(
                    w,
                    action,
                    *side,
                    "DBClusterNotFoundFault",
                    &global,
                    "no secondary cluster".into(),
                );
            };
            d.status = "failing-over".into();
            d.busy_until = Some(now + duration);
            d.next_role = Some(DbRole::Writer);
            // A switchover waits for the secondary to catch up; a failover does not.
            d.switchover = matches!(action, Action::GlobalSwitchover { .. });
            let id = d.id.clone();
            if !w.is_dark(other)
                && let Some(old) = w.region_mut(other).db.as_mut()
            {
                old.status = "failing-over".into();
                old.busy_until = Some(now + duration);
                old.next_role = Some(DbRole::Replica {
                    source: global.clone(),
                });
            }
            format!("{global}: writer moving to {id}")
        }
        _ => return Ok(None),
    };
    Ok(Some(ActionOutcome {
        summary,
        change_id: None,
    }))
}

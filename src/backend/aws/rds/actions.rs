//! RDS actions: promoting, recreating and renaming a replica instance, and moving the writer
//! of a global database.

use super::arn_name;
use crate::backend::aws::clients::RegionClients;
use crate::backend::aws::errors::sdk_error;
use crate::backend::{ActionOutcome, BackendError};

pub async fn promote(c: &RegionClients, db: &str) -> Result<ActionOutcome, BackendError> {
    let op = "rds:PromoteReadReplica";
    let out = c
        .rds
        .promote_read_replica()
        .db_instance_identifier(db)
        .send()
        .await
        .map_err(|e| sdk_error(c.ctx(), op, db, e))?;
    let status = out
        .db_instance()
        .and_then(|d| d.db_instance_status())
        .unwrap_or("unknown");
    Ok(ActionOutcome {
        summary: format!(
            "{db} in {}: promoted to standalone (status {status})",
            c.label
        ),
        change_id: None,
    })
}

pub async fn create_replica(
    c: &RegionClients,
    replica: &str,
    source_arn: &str,
    instance_class: Option<&str>,
) -> Result<ActionOutcome, BackendError> {
    let op = "rds:CreateDBInstanceReadReplica";
    let mut req = c
        .rds
        .create_db_instance_read_replica()
        .db_instance_identifier(replica)
        .source_db_instance_identifier(source_arn);
    if let Some(class) = instance_class {
        req = req.db_instance_class(class);
    }
    let out = req
        .send()
        .await
        .map_err(|e| sdk_error(c.ctx(), op, replica, e))?;
    let status = out
        .db_instance()
        .and_then(|d| d.db_instance_status())
        .unwrap_or("unknown");
    Ok(ActionOutcome {
        summary: format!(
            "{replica} in {}: read replica of {source_arn} created (status {status})",
            c.label
        ),
        change_id: out
            .db_instance()
            .and_then(|d| d.db_instance_arn())
            .map(str::to_string),
    })
}

/// `ModifyDBInstance` with a new identifier, applied now: moves a promoted instance out of the
/// way so the replica can be recreated under its configured name.
pub async fn rename(
    c: &RegionClients,
    from: &str,
    to: &str,
) -> Result<ActionOutcome, BackendError> {
    let out = c
        .rds
        .modify_db_instance()
        .db_instance_identifier(from)
        .new_db_instance_identifier(to)
        .apply_immediately(true)
        .send()
        .await
        .map_err(|e| sdk_error(c.ctx(), "rds:ModifyDBInstance", from, e))?;
    let status = out
        .db_instance()
        .and_then(|d| d.db_instance_status())
        .unwrap_or("unknown");
    Ok(ActionOutcome {
        summary: format!("{from} in {}: renamed → {to} (status {status})", c.label),
        change_id: None,
    })
}

pub async fn switchover(
    c: &RegionClients,
    global_cluster: &str,
    target_arn: &str,
) -> Result<ActionOutcome, BackendError> {
    let op = "rds:SwitchoverGlobalCluster";
    let out = c
        .rds
        .switchover_global_cluster()
        .global_cluster_identifier(global_cluster)
        .target_db_cluster_identifier(target_arn)
        .send()
        .await
        .map_err(|e| sdk_error(c.ctx(), op, global_cluster, e))?;
    let status = out
        .global_cluster()
        .and_then(|g| g.status())
        .unwrap_or("unknown");
    Ok(ActionOutcome {
        summary: format!(
            "{global_cluster}: switchover to {} started (status {status})",
            arn_name(target_arn)
        ),
        change_id: None,
    })
}

pub async fn failover(
    c: &RegionClients,
    global_cluster: &str,
    target_arn: &str,
) -> Result<ActionOutcome, BackendError> {
    let op = "rds:FailoverGlobalCluster";
    let out = c
        .rds
        .failover_global_cluster()
        .global_cluster_identifier(global_cluster)
        .target_db_cluster_identifier(target_arn)
        .allow_data_loss(true)
        .send()
        .await
        .map_err(|e| sdk_error(c.ctx(), op, global_cluster, e))?;
    let status = out
        .global_cluster()
        .and_then(|g| g.status())
        .unwrap_or("unknown");
    Ok(ActionOutcome {
        summary: format!(
            "{global_cluster}: failover to {} started, data loss allowed (status {status})",
            arn_name(target_arn)
        ),
        change_id: None,
    })
}

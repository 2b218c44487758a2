//! RDS: the database of one region (instance or Aurora cluster), and the database actions.

use aws_sdk_rds::types::{DbCluster, DbInstance};

use super::act::Acting;
use super::clients::RegionClients;
use super::errors::{malformed, sdk_error};
use crate::backend::Action;
use crate::backend::{ActionOutcome, BackendError};
use crate::model::{
    DbDetail, DbReading, DbRole, GlobalClusterReading, GlobalMember, GlobalMove, Lag,
};

/// The last part of an ARN (`arn:aws:rds:us-east-1:1:cluster:orders` → `orders`).
pub fn arn_name(arn: &str) -> &str {
    if arn.starts_with("arn:") {
        arn.rsplit(':').next().unwrap_or(arn)
    } else {
        arn
    }
}

/// The region of an ARN, when it is one.
#[cfg(test)]
fn arn_region(arn: &str) -> Option<&str> {
    let mut parts = arn.split(':');
    (parts.next() == Some("arn"))
        .then(|| parts.nth(2))
        .flatten()
        .filter(|r| !r.is_empty())
}

fn instance_reading(db: &DbInstance, fallback_id: &str) -> DbReading {
    let role = match db.read_replica_source_db_instance_identifier() {
        Some(source) if !source.is_empty() => DbRole::Replica {
            source: source.to_string(),
        },
        _ => DbRole::Writer,
    };
    DbReading {
        id: db
            .db_instance_identifier()
            .unwrap_or(fallback_id)
            .to_string(),
        role,
        status: db.db_instance_status().unwrap_or("unknown").to_string(),
        lag: Lag::NoData,
        endpoint: db.endpoint().and_then(|e| e.address()).map(str::to_string),
        engine: db.engine().map(str::to_string),
        instance_class: db.db_instance_class().map(str::to_string),
        arn: db.db_instance_arn().map(str::to_string),
        applied_txn: None,
        pending_resync: false,
        detail: None,
    }
}

/// `DescribeDBInstances` for one instance (lag is filled in by the caller).
pub async fn read_instance(c: &RegionClients, id: &str) -> Result<DbReading, BackendError> {
    let op = "rds:DescribeDBInstances";
    let out = c
        .rds
        .describe_db_instances()
        .db_instance_identifier(id)
        .send()
        .await
        .map_err(|e| sdk_error(c.ctx(), op, id, e))?;
    let db = out
        .db_instances()
        .first()
        .ok_or_else(|| malformed(c.ctx(), op, id, "no DB instance in the answer"))?;
    Ok(instance_reading(db, id))
}

/// `DescribeDBInstances` for many instances at once: the `db-instance-id` filter takes up to
/// 100 identifiers, so one call (every page of it) per 100. An identifier absent from the
/// answer is absent from the map (the instance does not exist).
pub async fn read_instances(
    c: &RegionClients,
    ids: &[&str],
) -> Result<std::collections::HashMap<String, DbReading>, BackendError> {
    use aws_sdk_rds::types::Filter;
    const FILTER_VALUES: usize = 100;
    let op = "rds:DescribeDBInstances";
    let calls = ids.chunks(FILTER_VALUES).map(|batch| async move {
        let filter = Filter::builder()
            .name("db-instance-id")
            .set_values(Some(batch.iter().map(|s| s.to_string()).collect()))
            .build();
        let mut found = Vec::new();
        let mut marker: Option<String> = None;
        loop {
            let out = c
                .rds
                .describe_db_instances()
                .filters(filter.clone())
                .set_marker(marker.take())
                .send()
                .await
                .map_err(|e| sdk_error(c.ctx(), op, &batch.join(", "), e))?;
            for db in out.db_instances() {
                if let Some(id) = db.db_instance_identifier() {
                    found.push((id.to_string(), instance_reading(db, id)));
                }
            }
            match out.marker() {
                Some(m) if !m.is_empty() => marker = Some(m.to_string()),
                _ => break,
            }
        }
        Ok::<_, BackendError>(found)
    });
    let mut all = std::collections::HashMap::new();
    for batch in futures::future::join_all(calls).await {
        all.extend(batch?);
    }
    Ok(all)
}

fn cluster_reading(cluster: &DbCluster, fallback_id: &str, role: DbRole) -> DbReading {
    DbReading {
        id: cluster
            .db_cluster_identifier()
            .unwrap_or(fallback_id)
            .to_string(),
        role,
        status: cluster.status().unwrap_or("unknown").to_string(),
        lag: Lag::NoData,
        endpoint: cluster.endpoint().map(str::to_string),
        engine: cluster.engine().map(str::to_string),
        instance_class: cluster.db_cluster_instance_class().map(str::to_string),
        arn: cluster.db_cluster_arn().map(str::to_string),
        applied_txn: None,
        pending_resync: false,
        detail: None,
    }
}

/// What `DescribeGlobalClusters` answered, shared by the clusters of a region group.
pub type Globals = Result<Vec<aws_sdk_rds::types::GlobalCluster>, BackendError>;

/// `DescribeGlobalClusters`: of the one global database named, or, for several, every
/// global database of the account (100 a page), read once for all of them.
pub async fn describe_globals(c: &RegionClients, ids: &[&str]) -> Globals {
    let op = "rds:DescribeGlobalClusters";
    match ids {
        [] => Ok(Vec::new()),
        [one] => c
            .rds
            .describe_global_clusters()
            .global_cluster_identifier(*one)
            .send()
            .await
            .map(|out| out.global_clusters().to_vec())
            .map_err(|e| sdk_error(c.ctx(), op, one, e)),
        several => {
            let mut pages = c
                .rds
                .describe_global_clusters()
                .max_records(100)
                .into_paginator()
                .send();
            let mut all = Vec::new();
            while let Some(page) = pages.next().await {
                let page = page.map_err(|e| sdk_error(c.ctx(), op, &several.join(","), e))?;
                all.extend(page.global_clusters().iter().cloned());
            }
            Ok(all)
        }
    }
}

/// `DescribeDBClusters` + `DescribeGlobalClusters` (concurrently): the cluster and whether it is
/// the global database's writer.
pub async fn read_cluster(
    c: &RegionClients,
    id: &str,
    global_cluster: &str,
) -> Result<DbReading, BackendError> {
    let ids = [global_cluster];
    let (cluster, globals) = futures::join!(describe_cluster(c, id), describe_globals(c, &ids));
    cluster_in(id, global_cluster, cluster?, &globals)
}

/// The cluster read with the global databases already read (a region group's).
pub async fn read_cluster_sharing(
    c: &RegionClients,
    id: &str,
    global_cluster: &str,
    globals: &Globals,
) -> Result<DbReading, BackendError> {
    let cluster = describe_cluster(c, id).await?;
    cluster_in(id, global_cluster, cluster, globals)
}

async fn describe_cluster(c: &RegionClients, id: &str) -> Result<DbCluster, BackendError> {
    let clusters = c
        .rds
        .describe_db_clusters()
        .db_cluster_identifier(id)
        .send()
        .await
        .map_err(|e| sdk_error(c.ctx(), "rds:DescribeDBClusters", id, e))?;
    clusters.db_clusters().first().cloned().ok_or_else(|| {
        malformed(
            c.ctx(),
            "rds:DescribeDBClusters",
            id,
            "no DB cluster in the answer",
        )
    })
}

fn cluster_in(
    id: &str,
    global_cluster: &str,
    cluster: DbCluster,
    globals: &Globals,
) -> Result<DbReading, BackendError> {
    let cluster = &cluster;
    let globals = globals.as_ref().map_err(Clone::clone)?;
    let global = globals.iter().find(|g| {
        g.global_cluster_identifier()
            .is_some_and(|i| i.eq_ignore_ascii_case(global_cluster))
    });
    let members = global
        .map(|g| g.global_cluster_members())
        .unwrap_or_default();
    let arn = cluster.db_cluster_arn().unwrap_or_default();
    let me = members
        .iter()
        .find(|m| m.db_cluster_arn() == Some(arn) && !arn.is_empty());
    let writer = members.iter().find(|m| m.is_writer() == Some(true));
    // An old writer AWS has not rebuilt as a secondary yet (after a failover with data loss)
    // replicates from nothing.
    let resyncing = me
        .and_then(|m| m.synchronization_status())
        .is_some_and(|s| s.as_str() == "pending-resync");
    let role = match (me, writer) {
        (Some(m), _) if m.is_writer() == Some(true) => DbRole::Writer,
        (Some(_), Some(_)) if resyncing => DbRole::Standalone,
        (Some(_), Some(w)) => DbRole::Replica {
            source: w.db_cluster_arn().unwrap_or_default().to_string(),
        },
        _ => DbRole::Standalone,
    };
    let mut reading = cluster_reading(cluster, id, role);
    reading.pending_resync = resyncing;
    reading.detail = global.map(|g| {
        DbDetail::Global(GlobalClusterReading {
            id: g
                .global_cluster_identifier()
                .unwrap_or(global_cluster)
                .to_string(),
            status: g.status().unwrap_or("unknown").to_string(),
            members: members
                .iter()
                .map(|m| GlobalMember {
                    cluster_arn: m.db_cluster_arn().unwrap_or_default().to_string(),
                    writer: m.is_writer() == Some(true),
                    sync: m.synchronization_status().map(|s| s.as_str().to_string()),
                })
                .collect(),
            moving: g.failover_state().and_then(|f| {
                f.status().map(|s| GlobalMove {
                    status: s.as_str().to_string(),
                    to_arn: f.to_db_cluster_arn().map(str::to_string),
                    data_loss: f.is_data_loss_allowed().unwrap_or(false),
                })
            }),
        })
    });
    Ok(reading)
}

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

/// The RDS actions, through `b`'s clients that make one attempt.
pub(super) fn act<'a>(b: &'a super::AwsBackend, action: &'a Action) -> Option<Acting<'a>> {
    Some(match action {
        Action::PromoteReplica { side, db } => Box::pin(promote(b.changes(*side), db)),
        Action::CreateReplica {
            side,
            replica,
            source_arn,
            instance_class,
        } => Box::pin(create_replica(
            b.changes(*side),
            replica,
            source_arn,
            instance_class.as_deref(),
        )),
        Action::RenameDb { side, from, to } => Box::pin(rename(b.changes(*side), from, to)),
        Action::GlobalSwitchover {
            global_cluster,
            target_cluster_arn,
            side,
        } => Box::pin(switchover(
            b.changes(*side),
            global_cluster,
            target_cluster_arn,
        )),
        Action::GlobalFailover {
            global_cluster,
            target_cluster_arn,
            side,
        } => Box::pin(failover(
            b.changes(*side),
            global_cluster,
            target_cluster_arn,
        )),
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arn_parts() {
        let arn = "arn:aws:rds:us-east-1:123456789012:db:orders-db";
        assert_eq!(arn_name(arn), "orders-db");
        assert_eq!(arn_region(arn), Some("us-east-1"));
        assert_eq!(arn_name("orders-db"), "orders-db");
        assert_eq!(arn_region("orders-db"), None);
    }
}

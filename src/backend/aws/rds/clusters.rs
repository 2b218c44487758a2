//! RDS Aurora clusters: the cluster of one region and its place in the global database.

use aws_sdk_rds::types::DbCluster;

use crate::backend::BackendError;
use crate::backend::aws::clients::RegionClients;
use crate::backend::aws::errors::{malformed, sdk_error};
use crate::model::{
    DbDetail, DbReading, DbRole, GlobalClusterReading, GlobalMember, GlobalMove, Lag,
};

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

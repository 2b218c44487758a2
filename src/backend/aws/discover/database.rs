//! The database and where its address is kept: each instance (answered from what finding it
//! read, when it did), each cluster, the backup vault; and whether a parameter's or secret's
//! value is the primary's address.

use super::super::endpoint;
use super::super::errors::sdk_error;
use super::store::matches;
use super::{Discovery, not_found};
use crate::backend::BackendError;
use crate::init::confirm::{ClusterInfo, DbInstanceInfo, StoreMatch};
use crate::model::Side;

pub(super) async fn db_instance(
    d: &Discovery,
    side: Side,
    id: &str,
) -> Result<Option<DbInstanceInfo>, BackendError> {
    if let Some(known) = d.cache.db(side, id) {
        return Ok(known);
    }
    let c = d.of(side);
    let out = c
        .rds
        .describe_db_instances()
        .db_instance_identifier(id)
        .send()
        .await
        .map_err(|e| sdk_error(c.ctx(), "rds:DescribeDBInstances", id, e));
    let out = match out {
        Err(e) if not_found(&e) => {
            d.cache.put_db(side, id, None);
            return Ok(None);
        }
        other => other?,
    };
    let found = out.db_instances().first().map(|db| DbInstanceInfo {
        id: db.db_instance_identifier().unwrap_or(id).to_string(),
        arn: db.db_instance_arn().unwrap_or_default().to_string(),
        address: db.endpoint().and_then(|e| e.address()).map(str::to_string),
        source: db
            .read_replica_source_db_instance_identifier()
            .filter(|s| !s.is_empty())
            .map(str::to_string),
        replicas: db
            .read_replica_db_instance_identifiers()
            .iter()
            .map(|s| s.to_string())
            .collect(),
        class: db.db_instance_class().map(str::to_string),
    });
    d.cache.put_db(side, id, found.clone());
    Ok(found)
}
pub(super) async fn db_cluster(
    d: &Discovery,
    side: Side,
    id: &str,
) -> Result<Option<ClusterInfo>, BackendError> {
    let c = d.of(side);
    let out = c
        .rds
        .describe_db_clusters()
        .db_cluster_identifier(id)
        .send()
        .await
        .map_err(|e| sdk_error(c.ctx(), "rds:DescribeDBClusters", id, e));
    let out = match out {
        Err(e) if not_found(&e) => return Ok(None),
        other => other?,
    };
    Ok(out.db_clusters().first().map(|db| ClusterInfo {
        id: db.db_cluster_identifier().unwrap_or(id).to_string(),
        endpoint: db.endpoint().map(str::to_string),
    }))
}
pub(super) async fn parameter_matches(
    d: &Discovery,
    side: Side,
    name: &str,
    address: &str,
) -> Result<StoreMatch, BackendError> {
    Ok(match endpoint::parameter_value(d.of(side), name).await? {
        None => StoreMatch::Absent,
        Some(value) => value.map_or(StoreMatch::Other, |(v, _)| matches(v.expose(), address)),
    })
}
pub(super) async fn secret_matches(
    d: &Discovery,
    side: Side,
    name: &str,
    address: &str,
) -> Result<StoreMatch, BackendError> {
    Ok(match endpoint::secret_value(d.of(side), name).await? {
        None => StoreMatch::Absent,
        Some(value) => value.map_or(StoreMatch::Other, |v| matches(v.expose(), address)),
    })
}
pub(super) async fn backup_vault_exists(
    d: &Discovery,
    side: Side,
    name: &str,
) -> Result<bool, BackendError> {
    let c = d.of(side);
    match c
        .backup
        .describe_backup_vault()
        .backup_vault_name(name)
        .send()
        .await
        .map_err(|e| sdk_error(c.ctx(), "backup:DescribeBackupVault", name, e))
    {
        Ok(_) => Ok(true),
        Err(e) if not_found(&e) => Ok(false),
        Err(e) => Err(e),
    }
}

//! RDS instances: reading one instance or many at once.

use aws_sdk_rds::types::DbInstance;

use crate::backend::BackendError;
use crate::backend::aws::clients::RegionClients;
use crate::backend::aws::errors::{malformed, sdk_error};
use crate::model::{DbReading, DbRole, Lag};

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

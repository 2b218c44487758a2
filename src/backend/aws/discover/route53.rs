//! Route 53 as confirmation reads it: the records of one name (from the zone read whole when
//! finding read it) and whether a health check exists.

use super::super::errors::sdk_error;
use super::{Discovery, not_found};
use crate::backend::BackendError;
use crate::init::confirm::RecordInfo;

/// A record name as compared and written: no final dot, lower case.
fn norm_name(s: &str) -> String {
    s.trim_end_matches('.').to_ascii_lowercase()
}

pub(super) fn record_info(s: &aws_sdk_route53::types::ResourceRecordSet) -> RecordInfo {
    RecordInfo {
        name: norm_name(s.name()),
        kind: s.r#type().as_str().to_string(),
        set_identifier: s.set_identifier().map(str::to_string),
        failover: s.failover().map(|f| f.as_str().to_string()),
        values: s
            .resource_records()
            .iter()
            .map(|r| r.value().to_string())
            .collect(),
        alias: s
            .alias_target()
            .map(|a| (a.dns_name().to_string(), a.hosted_zone_id().to_string())),
        evaluate_target_health: s.alias_target().is_some_and(|a| a.evaluate_target_health()),
        ttl: s.ttl(),
        health_check: s.health_check_id().map(str::to_string),
    }
}

pub(super) async fn records(
    d: &Discovery,
    zone_id: &str,
    name: &str,
) -> Result<Vec<RecordInfo>, BackendError> {
    if let Some(all) = d.cache.zone(zone_id) {
        let wanted = norm_name(name);
        return Ok(all.into_iter().filter(|r| r.name == wanted).collect());
    }
    let g = &d.global;
    let out = g
        .route53
        .list_resource_record_sets()
        .hosted_zone_id(zone_id)
        .start_record_name(name)
        .max_items(100)
        .send()
        .await
        .map_err(|e| {
            sdk_error(
                g.ctx(),
                "route53:ListResourceRecordSets",
                &format!("{name} in zone {zone_id}"),
                e,
            )
        })?;
    let wanted = norm_name(name);
    Ok(out
        .resource_record_sets()
        .iter()
        .filter(|s| norm_name(s.name()) == wanted)
        .map(record_info)
        .collect())
}
pub(super) async fn health_check_exists(d: &Discovery, id: &str) -> Result<bool, BackendError> {
    if let Some(known) = d.cache.check(id) {
        return Ok(known);
    }
    let g = &d.global;
    match g
        .route53
        .get_health_check()
        .health_check_id(id)
        .send()
        .await
        .map_err(|e| sdk_error(g.ctx(), "route53:GetHealthCheck", id, e))
    {
        Ok(_) => Ok(true),
        Err(e) if not_found(&e) => Ok(false),
        Err(e) => Err(e),
    }
}

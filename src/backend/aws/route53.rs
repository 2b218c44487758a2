//! Route 53 (global, through the standby's configuration): health checks, the DNS record, and
//! record changes.

use aws_sdk_route53::types::{
    Change, ChangeAction, ChangeBatch, ChangeStatus, ResourceRecord, ResourceRecordSet, RrType,
};

use super::clients::GlobalClients;
use super::errors::{invalid, sdk_error};
use crate::backend::{ActionOutcome, BackendError, ErrorKind};
use crate::config::{Dns, HealthCheck};
use crate::model::{DnsReading, HealthCheckReading, route53_healthy};

/// How many record sets to list from the record's name on (failover pairs share a name).
const RECORD_PAGE: i32 = 4;

fn norm(name: &str) -> String {
    name.trim_end_matches('.').to_ascii_lowercase()
}

/// `GetHealthCheckStatus` per check, concurrently. A check's failure stays on its row.
pub async fn read_health_checks(
    g: &GlobalClients,
    checks: &[HealthCheck],
) -> Vec<(HealthCheckReading, Option<ErrorKind>)> {
    let calls = checks.iter().map(|hc| async move {
        let mut r = HealthCheckReading {
            id: hc.id.clone(),
            label: hc.label.clone(),
            watches: hc.region,
            healthy: None,
            checkers_ok: 0,
            checkers_total: 0,
            error: None,
        };
        let out = g
            .route53
            .get_health_check_status()
            .health_check_id(&hc.id)
            .send()
            .await
            .map_err(|e| sdk_error(g.ctx(), "route53:GetHealthCheckStatus", &hc.id, e));
        match out {
            Err(e) => {
                let kind = e.kind;
                r.error = Some(e.to_string());
                (r, Some(kind))
            }
            Ok(out) => {
                let observations = out.health_check_observations();
                r.checkers_total = observations.len() as u32;
                r.checkers_ok = observations
                    .iter()
                    .filter(|o| {
                        o.status_report()
                            .and_then(|s| s.status())
                            .is_some_and(|s| s.starts_with("Success"))
                    })
                    .count() as u32;
                r.healthy = route53_healthy(r.checkers_ok, r.checkers_total);
                (r, None)
            }
        }
    });
    futures::future::join_all(calls).await
}

/// The record's current value: the first record set with its name and type (for a failover
/// pair, the one listed first), its first value or its alias target.
pub async fn read_record(g: &GlobalClients, dns: &Dns) -> Result<DnsReading, BackendError> {
    let op = "route53:ListResourceRecordSets";
    let resource = format!("{} {} in zone {}", dns.record, dns.record_type, dns.zone_id);
    let out = g
        .route53
        .list_resource_record_sets()
        .hosted_zone_id(&dns.zone_id)
        .start_record_name(&dns.record)
        .start_record_type(RrType::from(dns.record_type.as_str()))
        .max_items(RECORD_PAGE)
        .send()
        .await
        .map_err(|e| sdk_error(g.ctx(), op, &resource, e))?;
    let wanted = norm(&dns.record);
    let value = out
        .resource_record_sets()
        .iter()
        .filter(|s| norm(s.name()) == wanted && s.r#type().as_str() == dns.record_type)
        .find_map(|s| {
            s.resource_records()
                .first()
                .map(|r| r.value().to_string())
                .or_else(|| s.alias_target().map(|a| a.dns_name().to_string()))
        });
    Ok(DnsReading {
        record: dns.record.clone(),
        points_at: value.as_deref().and_then(|v| dns.side_of(v)),
        value,
    })
}

pub async fn upsert(
    g: &GlobalClients,
    zone_id: &str,
    record: &str,
    record_type: &str,
    ttl: i64,
    value: &str,
) -> Result<ActionOutcome, BackendError> {
    let op = "route53:ChangeResourceRecordSets";
    let resource = format!("{record} {record_type} in zone {zone_id}");
    let bad = |e| invalid(g.ctx(), op, &resource, e);
    let set = ResourceRecordSet::builder()
        .name(record)
        .r#type(RrType::from(record_type))
        .ttl(ttl)
        .resource_records(
            ResourceRecord::builder()
                .value(value)
                .build()
                .map_err(bad)?,
        )
        .build()
        .map_err(bad)?;
    let batch = ChangeBatch::builder()
        .comment(format!("drconsole: point {record} at {value}"))
        .changes(
            Change::builder()
                .action(ChangeAction::Upsert)
                .resource_record_set(set)
                .build()
                .map_err(bad)?,
        )
        .build()
        .map_err(bad)?;
    let out = g
        .route53
        .change_resource_record_sets()
        .hosted_zone_id(zone_id)
        .change_batch(batch)
        .send()
        .await
        .map_err(|e| sdk_error(g.ctx(), op, &resource, e))?;
    let info = out.change_info();
    Ok(ActionOutcome {
        summary: format!(
            "{record} {record_type} → {value} (ttl {ttl}s), change {} {}",
            info.map(|i| i.id()).unwrap_or("?"),
            info.map(|i| i.status().as_str()).unwrap_or("?")
        ),
        change_id: info.map(|i| i.id().to_string()),
    })
}

pub async fn change_in_sync(g: &GlobalClients, change_id: &str) -> Result<bool, BackendError> {
    let out = g
        .route53
        .get_change()
        .id(change_id)
        .send()
        .await
        .map_err(|e| sdk_error(g.ctx(), "route53:GetChange", change_id, e))?;
    Ok(out.change_info().map(|i| i.status()) == Some(&ChangeStatus::Insync))
}

//! Route 53 (global, through the standby's configuration): health checks, the DNS record (a
//! swapped value or alias, or a failover pair and its primary's health check), record changes
//! and the inversion of a health check.

use aws_sdk_route53::types::{
    Change, ChangeAction, ChangeBatch, ChangeStatus, ResourceRecord, ResourceRecordSet, RrType,
};

use super::clients::GlobalClients;
use super::errors::{invalid, sdk_error};
use crate::backend::{ActionOutcome, BackendError, ErrorKind};
use crate::config::{AliasTarget, Dns, DnsMode, HealthCheck};
use crate::model::{
    DnsReading, FailoverReading, FailoverRecord, HealthCheckReading, PrimaryCheckReading, Side,
    failover_answer, route53_healthy,
};

/// How many record sets to list from the record's name on (failover pairs share a name).
const RECORD_PAGE: i32 = 8;

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
                (r.checkers_ok, r.checkers_total) = checkers(&out);
                r.healthy = route53_healthy(r.checkers_ok, r.checkers_total);
                (r, None)
            }
        }
    });
    futures::future::join_all(calls).await
}

/// How many of a check's checkers report success, of how many report at all.
fn checkers(
    out: &aws_sdk_route53::operation::get_health_check_status::GetHealthCheckStatusOutput,
) -> (u32, u32) {
    let observations = out.health_check_observations();
    let ok = observations
        .iter()
        .filter(|o| {
            o.status_report()
                .and_then(|s| s.status())
                .is_some_and(|s| s.starts_with("Success"))
        })
        .count() as u32;
    (ok, observations.len() as u32)
}

/// The record as DNS serves it: for a swap, the first record set with its name and type, its
/// first value or its alias target; for failover routing, both records of the pair, the
/// primary's health check, and which record Route 53 answers with.
pub async fn read_record(g: &GlobalClients, dns: &Dns) -> Result<DnsReading, BackendError> {
    let sets = list_sets(g, dns).await?;
    if dns.is_failover_routing() {
        return Ok(read_failover(g, dns, &sets).await);
    }
    let found = sets.first();
    let value = found.and_then(|s| s.target.clone());
    Ok(DnsReading::swap(
        &dns.record,
        value.clone(),
        value.as_deref().and_then(|v| dns.side_of(v)),
        found.is_some_and(|s| s.alias),
    ))
}

/// A record set under the estate's name and type, as the console needs it.
struct Set {
    set_identifier: Option<String>,
    failover: Option<String>,
    target: Option<String>,
    alias: bool,
    health_check: Option<String>,
}

async fn list_sets(g: &GlobalClients, dns: &Dns) -> Result<Vec<Set>, BackendError> {
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
    Ok(out
        .resource_record_sets()
        .iter()
        .filter(|s| norm(s.name()) == wanted && s.r#type().as_str() == dns.record_type)
        .map(|s| Set {
            set_identifier: s.set_identifier().map(str::to_string),
            failover: s.failover().map(|f| f.as_str().to_string()),
            target: s
                .resource_records()
                .first()
                .map(|r| r.value().to_string())
                .or_else(|| s.alias_target().map(|a| a.dns_name().to_string())),
            alias: s.alias_target().is_some(),
            health_check: s.health_check_id().map(str::to_string),
        })
        .collect())
}

async fn read_failover(g: &GlobalClients, dns: &Dns, sets: &[Set]) -> DnsReading {
    let record = |side: Side| {
        let id = dns.set_identifier(side).unwrap_or_default();
        sets.iter()
            .find(|s| s.set_identifier.as_deref() == Some(id))
            .map(|s| FailoverRecord {
                set_identifier: id.to_string(),
                failover: s.failover.clone(),
                target: s.target.clone(),
                alias: s.alias,
                health_check: s.health_check.clone(),
                found: true,
            })
            .unwrap_or_else(|| FailoverRecord::missing(id))
    };
    let (primary, standby) = (record(Side::Primary), record(Side::Standby));
    let check_id = dns.primary_health_check.clone().unwrap_or_default();
    let check = read_primary_check(g, &check_id).await;
    let problem = failover_problem(dns, &primary, &standby);
    let answers = if problem.is_some() {
        None
    } else {
        failover_answer(&primary, &standby, check.healthy)
    };
    let value = answers.and_then(|side| match side {
        Side::Primary => primary.target.clone(),
        Side::Standby => standby.target.clone(),
    });
    DnsReading {
        record: dns.record.clone(),
        value,
        points_at: answers,
        mode: DnsMode::FailoverRouting.as_str().into(),
        alias: primary.alias,
        failover: Some(Box::new(FailoverReading {
            primary,
            standby,
            check: Some(check),
            answers,
            problem,
        })),
    }
}

/// What in Route 53 differs from the estate file so that the answer cannot be told.
fn failover_problem(
    dns: &Dns,
    primary: &FailoverRecord,
    standby: &FailoverRecord,
) -> Option<String> {
    for (r, role) in [(primary, "PRIMARY"), (standby, "SECONDARY")] {
        if !r.found {
            return Some(format!(
                "no {} {} record with SetIdentifier {:?}",
                dns.record, dns.record_type, r.set_identifier
            ));
        }
        if r.failover.as_deref() != Some(role) {
            return Some(format!(
                "record {:?} is {} where the estate expects {role}",
                r.set_identifier,
                r.failover.as_deref().unwrap_or("not a failover record")
            ));
        }
    }
    let check = dns.primary_health_check.as_deref().unwrap_or_default();
    if primary.health_check.as_deref() != Some(check) {
        return Some(format!(
            "the PRIMARY record is associated with health check {} where the estate names {check}",
            primary.health_check.as_deref().unwrap_or("none")
        ));
    }
    None
}

/// `GetHealthCheck` (its `Inverted`, interval and threshold) and `GetHealthCheckStatus`.
pub async fn read_primary_check(g: &GlobalClients, id: &str) -> PrimaryCheckReading {
    let mut r = PrimaryCheckReading {
        id: id.to_string(),
        inverted: None,
        observed_healthy: None,
        healthy: None,
        request_interval: None,
        failure_threshold: None,
        error: None,
    };
    let config = g.route53.get_health_check().health_check_id(id).send();
    let status = g
        .route53
        .get_health_check_status()
        .health_check_id(id)
        .send();
    let (config, status) = futures::join!(config, status);
    match config {
        Ok(out) => {
            let c = out.health_check().and_then(|h| h.health_check_config());
            r.inverted = Some(c.and_then(|c| c.inverted()).unwrap_or(false));
            // Route 53's defaults when the configuration leaves them out.
            r.request_interval = Some(c.and_then(|c| c.request_interval()).unwrap_or(30) as u32);
            r.failure_threshold = Some(c.and_then(|c| c.failure_threshold()).unwrap_or(3) as u32);
        }
        Err(e) => r.error = Some(sdk_error(g.ctx(), "route53:GetHealthCheck", id, e).to_string()),
    }
    match status {
        Ok(out) => {
            let (ok, total) = checkers(&out);
            r.observed_healthy = route53_healthy(ok, total);
        }
        Err(e) => {
            let e = sdk_error(g.ctx(), "route53:GetHealthCheckStatus", id, e).to_string();
            r.error.get_or_insert(e);
        }
    }
    r.healthy = match (r.observed_healthy, r.inverted) {
        (Some(h), Some(inv)) => Some(h != inv),
        _ => None,
    };
    r
}

/// `UpdateHealthCheck` with `Inverted`.
pub async fn set_inverted(
    g: &GlobalClients,
    id: &str,
    inverted: bool,
) -> Result<ActionOutcome, BackendError> {
    let out = g
        .route53
        .update_health_check()
        .health_check_id(id)
        .inverted(inverted)
        .send()
        .await
        .map_err(|e| sdk_error(g.ctx(), "route53:UpdateHealthCheck", id, e))?;
    let version = out.health_check().map(|h| h.health_check_version());
    Ok(ActionOutcome {
        summary: format!(
            "health check {id} Inverted={inverted}{}",
            version
                .map(|v| format!(" (version {v})"))
                .unwrap_or_default()
        ),
        change_id: None,
    })
}

/// UPSERT of an alias record pointing at a load balancer (or another AWS resource).
pub async fn upsert_alias(
    g: &GlobalClients,
    zone_id: &str,
    record: &str,
    record_type: &str,
    alias: &AliasTarget,
    evaluate_target_health: bool,
) -> Result<ActionOutcome, BackendError> {
    let op = "route53:ChangeResourceRecordSets";
    let resource = format!("{record} {record_type} in zone {zone_id}");
    let bad = |e| invalid(g.ctx(), op, &resource, e);
    let target = aws_sdk_route53::types::AliasTarget::builder()
        .hosted_zone_id(&alias.zone_id)
        .dns_name(&alias.dns_name)
        .evaluate_target_health(evaluate_target_health)
        .build()
        .map_err(bad)?;
    let set = ResourceRecordSet::builder()
        .name(record)
        .r#type(RrType::from(record_type))
        .alias_target(target)
        .build()
        .map_err(bad)?;
    change(
        g,
        zone_id,
        &resource,
        set,
        format!("drconsole: point {record} at alias {}", alias.dns_name),
        format!("{record} {record_type} → ALIAS {}", alias.dns_name),
    )
    .await
}

async fn change(
    g: &GlobalClients,
    zone_id: &str,
    resource: &str,
    set: ResourceRecordSet,
    comment: String,
    summary: String,
) -> Result<ActionOutcome, BackendError> {
    let op = "route53:ChangeResourceRecordSets";
    let bad = |e| invalid(g.ctx(), op, resource, e);
    let batch = ChangeBatch::builder()
        .comment(comment)
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
        .map_err(|e| sdk_error(g.ctx(), op, resource, e))?;
    let info = out.change_info();
    Ok(ActionOutcome {
        summary: format!(
            "{summary}, change {} {}",
            info.map(|i| i.id()).unwrap_or("?"),
            info.map(|i| i.status().as_str()).unwrap_or("?")
        ),
        change_id: info.map(|i| i.id().to_string()),
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
    change(
        g,
        zone_id,
        &resource,
        set,
        format!("drconsole: point {record} at {value}"),
        format!("{record} {record_type} → {value} (ttl {ttl}s)"),
    )
    .await
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

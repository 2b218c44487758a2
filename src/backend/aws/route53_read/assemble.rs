//! One estate's Route 53 reading from what the shared reads answered: the same sections and
//! errors its own read returns, and the rule that Route 53 is unreachable only when every
//! call it needed failed to connect.

use std::collections::HashMap;

use super::super::clients::GlobalClients;
use super::super::read::{all_unreachable, kind_of, section};
use super::{Set, Wanted};
use crate::backend::{BackendError, ErrorKind};
use crate::config::{Dns, DnsMode};
use crate::model::{
    DnsReading, FailoverReading, FailoverRecord, GlobalReading, HealthCheckReading, Parts,
    PrimaryCheckReading, SectionError, Side, failover_answer, route53_healthy,
};

/// What `GetHealthCheck` says of a check that routing depends on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CheckConfig {
    pub inverted: bool,
    pub request_interval: u32,
    pub failure_threshold: u32,
}

type Statuses = HashMap<String, Result<(u32, u32), BackendError>>;
/// A record's sets as read (`None`: not read).
pub type Listed<'a> = Option<&'a Result<Vec<Set>, BackendError>>;
type Configs = HashMap<String, Result<CheckConfig, BackendError>>;

fn not_read(g: &GlobalClients, operation: &str, id: &str) -> BackendError {
    BackendError::new(ErrorKind::Other, &g.label, operation, id, "not read")
}

/// The estate's reading.
pub fn reading(
    g: &GlobalClients,
    w: &Wanted<'_>,
    record: Option<(&Dns, Listed<'_>)>,
    statuses: &Statuses,
    configs: &Configs,
) -> Result<GlobalReading, BackendError> {
    let checks_wanted = w.parts.contains(Parts::HEALTH_CHECKS);
    let checks: Vec<(HealthCheckReading, Option<ErrorKind>)> = if checks_wanted {
        w.checks
            .iter()
            .map(|hc| {
                let mut r = HealthCheckReading {
                    id: hc.id.clone(),
                    label: hc.label.clone(),
                    watches: hc.region,
                    healthy: None,
                    checkers_ok: 0,
                    checkers_total: 0,
                    error: None,
                };
                match statuses.get(&hc.id) {
                    Some(Ok((ok, total))) => {
                        (r.checkers_ok, r.checkers_total) = (*ok, *total);
                        r.healthy = route53_healthy(*ok, *total);
                        (r, None)
                    }
                    Some(Err(e)) => {
                        r.error = Some(e.to_string());
                        (r, Some(e.kind))
                    }
                    None => {
                        r.error = Some("not read".into());
                        (r, Some(ErrorKind::Other))
                    }
                }
            })
            .collect()
    } else {
        Vec::new()
    };
    let dns = record.map(|(d, sets)| match sets {
        Some(Ok(sets)) if d.is_failover_routing() => Ok(failover(d, sets, statuses, configs)),
        Some(Ok(sets)) => Ok(swap(d, sets)),
        Some(Err(e)) => Err(e.clone()),
        None => Err(not_read(g, "route53:ListResourceRecordSets", &d.record)),
    });
    let mut outcomes: Vec<Option<ErrorKind>> = checks.iter().map(|(_, k)| *k).collect();
    if let Some(d) = &dns {
        outcomes.push(kind_of(d));
    }
    if all_unreachable(&outcomes) {
        let message = dns
            .as_ref()
            .and_then(|d| d.as_ref().err())
            .map(|e| e.message.clone())
            .or_else(|| checks.iter().find_map(|(r, _)| r.error.clone()))
            .unwrap_or_default();
        return Err(BackendError::new(
            ErrorKind::Unreachable,
            &g.label,
            "read",
            "",
            format!("Route 53 unreachable: {message}"),
        ));
    }
    Ok(GlobalReading {
        health_checks: if checks_wanted {
            Ok(checks.into_iter().map(|(r, _)| r).collect())
        } else {
            Err(SectionError::not_read())
        },
        dns: match dns {
            Some(d) => Some(section(d)),
            None if w.dns.is_some() => Some(Err(SectionError::not_read())),
            None => None,
        },
    })
}

/// A swapped record: the first set with its name and type, its first value or alias target.
fn swap(dns: &Dns, sets: &[Set]) -> DnsReading {
    let found = sets.first();
    let value = found.and_then(|s| s.target.clone());
    DnsReading::swap(
        &dns.record,
        value.clone(),
        value.as_deref().and_then(|v| dns.side_of(v)),
        found.is_some_and(|s| s.alias),
    )
}

fn record(dns: &Dns, sets: &[Set], side: Side) -> FailoverRecord {
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
}

/// The health check of the estate's SECONDARY record, when it has one.
pub fn standby_check_id(dns: &Dns, sets: &[Set]) -> Option<String> {
    record(dns, sets, Side::Standby).health_check
}

/// A check routing depends on, from its status and its configuration.
fn check(id: &str, statuses: &Statuses, configs: &Configs) -> PrimaryCheckReading {
    let mut r = PrimaryCheckReading {
        id: id.to_string(),
        inverted: None,
        observed_healthy: None,
        healthy: None,
        request_interval: None,
        failure_threshold: None,
        error: None,
    };
    match configs.get(id) {
        Some(Ok(c)) => {
            r.inverted = Some(c.inverted);
            r.request_interval = Some(c.request_interval);
            r.failure_threshold = Some(c.failure_threshold);
        }
        Some(Err(e)) => r.error = Some(e.to_string()),
        None => r.error = Some(format!("route53:GetHealthCheck {id}: not read")),
    }
    match statuses.get(id) {
        Some(Ok((ok, total))) => r.observed_healthy = route53_healthy(*ok, *total),
        Some(Err(e)) => {
            r.error.get_or_insert(e.to_string());
        }
        None => {
            r.error
                .get_or_insert(format!("route53:GetHealthCheckStatus {id}: not read"));
        }
    }
    r.healthy = match (r.observed_healthy, r.inverted) {
        (Some(h), Some(inv)) => Some(h != inv),
        _ => None,
    };
    r
}

/// Both records of the pair, both checks, and which record Route 53 answers with.
fn failover(dns: &Dns, sets: &[Set], statuses: &Statuses, configs: &Configs) -> DnsReading {
    let (primary, standby) = (
        record(dns, sets, Side::Primary),
        record(dns, sets, Side::Standby),
    );
    let check_id = dns.primary_health_check.clone().unwrap_or_default();
    let primary_check = check(&check_id, statuses, configs);
    let standby_check = standby
        .health_check
        .as_deref()
        .map(|id| check(id, statuses, configs));
    let problem = failover_problem(dns, &primary, &standby);
    // A SECONDARY without a check is healthy to Route 53.
    let standby_healthy = match &standby_check {
        None => Some(true),
        Some(c) => c.healthy,
    };
    let answers = if problem.is_some() {
        None
    } else {
        failover_answer(&primary, &standby, primary_check.healthy, standby_healthy)
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
            check: Some(primary_check),
            standby_check,
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

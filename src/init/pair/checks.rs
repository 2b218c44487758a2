//! Route 53 health checks (which region each watches), CloudWatch alarms, and what the default
//! runbooks do not use but the state holds.

use super::super::draft::*;
use super::names::{same_host, short_region};
use super::{Resources, lbs, side};
use crate::model::Side;

pub(super) fn health_checks(res: &Resources, d: &mut Draft) {
    let primary_lbs: Vec<String> = lbs(res, d, Side::Primary)
        .into_iter()
        .map(|l| l.dns_name)
        .collect();
    let standby_lbs: Vec<String> = lbs(res, d, Side::Standby)
        .into_iter()
        .map(|l| l.dns_name)
        .collect();
    let primary_check = match d.dns.as_ref().map(|x| &x.targets) {
        Some(DnsTargets::FailoverRouting {
            primary_health_check: Some(id),
            ..
        }) => Some(id.clone()),
        _ => None,
    };
    for h in res.of(&["aws_route53_health_check"]) {
        let Some(id) = h.str("id") else { continue };
        let fqdn = h.str("fqdn").unwrap_or_default();
        let mut notes = vec![res.note(h)];
        let side = if primary_check.as_deref() == Some(id)
            || primary_lbs.iter().any(|l| same_host(l, fqdn))
        {
            Side::Primary
        } else if standby_lbs.iter().any(|l| same_host(l, fqdn))
            || fqdn.contains(&d.standby_region)
            || fqdn.contains(&short_region(&d.standby_region))
        {
            Side::Standby
        } else if fqdn.contains(&d.primary_region)
            || fqdn.contains(&short_region(&d.primary_region))
        {
            Side::Primary
        } else {
            notes.push(Note::Check(format!(
                "which region this check watches is a guess ({} is neither region's load \
                 balancer)",
                if fqdn.is_empty() { "its target" } else { fqdn }
            )));
            Side::Primary
        };
        let label = h
            .tag("Name")
            .or(h.str("reference_name"))
            .map(str::to_string)
            .unwrap_or_else(|| {
                if fqdn.is_empty() {
                    h.address.clone()
                } else {
                    fqdn.to_string()
                }
            });
        d.health_checks.push(HealthCheckDraft {
            id: id.to_string(),
            label,
            side,
            notes,
        });
    }
}

pub(super) fn alarms(res: &Resources, d: &mut Draft) {
    for a in res.of(&["aws_cloudwatch_metric_alarm"]) {
        let Some(name) = a.str("alarm_name") else {
            continue;
        };
        match side(d, a) {
            Some(s) => d.alarms.push(AlarmDraft {
                name: name.to_string(),
                side: s,
                notes: vec![res.note(a)],
            }),
            None => d.notes.push(Note::Check(format!(
                "alarm {name} ({}): region unknown or outside the estate, not listed",
                a.address
            ))),
        }
    }
}

/// What the default runbooks do not use, said so the user can add it.
pub(super) fn extras(res: &Resources, d: &mut Draft) {
    for f in res.of(&["aws_lambda_function"]) {
        let name = f.str("function_name").unwrap_or_default();
        d.notes.push(Note::Check(format!(
            "Lambda function {name} ({}, {}) is not called by the default runbooks; if failover \
             needs it, add an `invoke_lambda` step to [runbooks.failover]",
            f.address,
            f.region.as_deref().unwrap_or("region unknown")
        )));
    }
    for kind in [
        "aws_s3_bucket_replication_configuration",
        "aws_ecr_repository",
        "aws_sns_topic",
    ] {
        let kinds = [kind];
        let found: Vec<&str> = res.of(&kinds).map(|r| r.address.as_str()).collect();
        if !found.is_empty() {
            d.notes.push(Note::Check(format!(
                "found {} ({}): add s3_buckets / ecr_repositories / [notify] by hand if \
                 readiness should watch them",
                kind,
                found.join(", ")
            )));
        }
    }
}

//! The Route 53 record the runbooks move: a failover pair, else the record pointing at a load
//! balancer of the primary region (its standby twin found by name), else the only record.

use super::super::draft::*;
use super::super::terraform::TfResource;
use super::names::{same_host, stem};
use super::{Resources, lbs};
use crate::model::Side;

pub(super) fn dns(res: &Resources, d: &mut Draft) {
    let records: Vec<&TfResource> = res.of(&["aws_route53_record"]).collect();
    if records.is_empty() {
        d.notes.push(Note::Check(format!(
            "no Route 53 record found (aws_route53_record in {}): the runbooks move no traffic",
            res.files()
        )));
        return;
    }
    let primary_lbs = lbs(res, d, Side::Primary);
    let standby_lbs = lbs(res, d, Side::Standby);
    let name_of = |r: &TfResource| {
        r.str("fqdn")
            .or(r.str("name"))
            .unwrap_or_default()
            .trim_end_matches('.')
            .to_string()
    };
    let target_of = |r: &TfResource| -> Option<String> {
        r.block("alias")
            .and_then(|a| a.get("name"))
            .and_then(|v| v.as_str())
            .map(str::to_string)
            .or_else(|| r.strings("records").first().cloned())
    };
    let failover_of = |r: &TfResource| {
        r.block("failover_routing_policy")
            .and_then(|p| p.get("type"))
            .and_then(|v| v.as_str())
            .map(str::to_ascii_uppercase)
    };
    // A failover pair first; else the record pointing at a primary load balancer; else the
    // only record.
    let pair = records.iter().find_map(|p| {
        (failover_of(p).as_deref() == Some("PRIMARY")).then_some(())?;
        let s = records.iter().find(|s| {
            failover_of(s).as_deref() == Some("SECONDARY")
                && name_of(s) == name_of(p)
                && s.str("zone_id") == p.str("zone_id")
        })?;
        Some((*p, *s))
    });
    if let Some((p, s)) = pair {
        d.dns = Some(DnsDraft {
            zone_id: p.str("zone_id").unwrap_or_default().to_string(),
            record: name_of(p),
            kind: p.str("type").unwrap_or("CNAME").to_string(),
            ttl: p.u64("ttl").filter(|_| p.block("alias").is_none()),
            targets: DnsTargets::FailoverRouting {
                primary_set: p.str("set_identifier").unwrap_or_default().to_string(),
                standby_set: s.str("set_identifier").unwrap_or_default().to_string(),
                primary_health_check: p.str("health_check_id").map(str::to_string),
            },
            notes: vec![res.note(p), res.note(s)],
        });
        return;
    }
    let points_at_primary = |r: &&&TfResource| {
        target_of(r).is_some_and(|t| primary_lbs.iter().any(|l| same_host(&l.dns_name, &t)))
    };
    let chosen = records
        .iter()
        .find(points_at_primary)
        .or(if records.len() == 1 {
            records.first()
        } else {
            None
        });
    let Some(rec) = chosen else {
        d.notes.push(Note::Check(format!(
            "{} Route 53 records and none points at a load balancer in {}: no [dns] written",
            records.len(),
            d.primary_region
        )));
        return;
    };
    let mut notes = vec![res.note(rec)];
    let target = target_of(rec).unwrap_or_default();
    let primary_lb = primary_lbs.iter().find(|l| same_host(&l.dns_name, &target));
    // The standby's load balancer: the one named like the primary's, else the only one.
    let standby_lb = primary_lb
        .and_then(|p| {
            let pstem = stem(p.r.str("name").unwrap_or_default(), &d.primary_region);
            standby_lbs
                .iter()
                .find(|s| stem(s.r.str("name").unwrap_or_default(), &d.standby_region) == pstem)
        })
        .or(if standby_lbs.len() == 1 {
            standby_lbs.first()
        } else {
            None
        });
    let Some(slb) = standby_lb else {
        d.missing.push(Missing {
            what: format!(
                "where {} points in {}: the standby's load balancer",
                name_of(rec),
                d.standby_region
            ),
            looked: format!(
                "aws_lb / aws_alb / aws_elb in {} ({})",
                d.standby_region,
                res.files()
            ),
        });
        return;
    };
    if let Some(p) = primary_lb {
        notes.push(res.note(p.r));
    }
    notes.push(res.note(slb.r));
    let targets = match rec.block("alias") {
        Some(a) => DnsTargets::Aliases {
            primary: Alias {
                dns_name: target.trim_end_matches('.').to_string(),
                zone_id: a
                    .get("zone_id")
                    .and_then(|v| v.as_str())
                    .unwrap_or_default()
                    .to_string(),
            },
            standby: Alias {
                dns_name: slb.dns_name.clone(),
                zone_id: slb.zone_id.clone(),
            },
            evaluate_target_health: a
                .get("evaluate_target_health")
                .and_then(|v| v.as_bool())
                .unwrap_or(true),
        },
        None => DnsTargets::Values {
            primary: target.trim_end_matches('.').to_string(),
            standby: slb.dns_name.clone(),
        },
    };
    if records.len() > 1 {
        notes.push(Note::Check(format!(
            "{} other Route 53 records in the state are not moved on failover",
            records.len() - 1
        )));
    }
    d.dns = Some(DnsDraft {
        zone_id: rec.str("zone_id").unwrap_or_default().to_string(),
        record: name_of(rec),
        kind: rec.str("type").unwrap_or("CNAME").to_string(),
        ttl: rec.u64("ttl").filter(|_| rec.block("alias").is_none()),
        targets,
        notes,
    });
}

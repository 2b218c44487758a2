//! The resources a tag or a stack names, read by identifier and written with Terraform's
//! attribute names (`identifier`, `replicate_source_db`, `dns_name`, …) so that `pair` reads
//! them as it reads a state file. Route 53 is found by what it points at: the records whose
//! alias or value is one of the load balancers found, and the health checks those records use.

use serde_json::{Value, json};

use super::find::Finder;
use super::gather::{Found, Kind};
use super::terraform::{Origin, TfResource};
use crate::backend::BackendError;
use crate::model::Side;

fn resource(kind: &str, region: Option<&str>, label: &str, address: &str, v: Value) -> TfResource {
    TfResource {
        address: address.to_string(),
        kind: kind.to_string(),
        values: v.as_object().cloned().unwrap_or_default(),
        provider: "aws".into(),
        region: region.map(str::to_string),
        file: label.to_string(),
        origin: Origin::Aws,
    }
}

/// The last part of an ARN's resource: `…:targetgroup/web/6d0e…` → `web`.
fn lb_name(arn: &str) -> String {
    let parts: Vec<&str> = arn.rsplit(':').next().unwrap_or(arn).split('/').collect();
    match parts.as_slice() {
        ["targetgroup", name, _] => name.to_string(),
        ["loadbalancer", _, name, _] => name.to_string(),
        _ => parts
            .get(parts.len().saturating_sub(2))
            .map_or(arn, |v| v)
            .to_string(),
    }
}

/// `…:service/cluster/name` → (`cluster`, `name`); the short form has no cluster.
fn service_parts(arn: &str) -> (Option<String>, String) {
    let tail = arn.split_once(":service/").map_or(arn, |(_, t)| t);
    match tail.split_once('/') {
        Some((c, n)) => (Some(c.to_string()), n.to_string()),
        None => (None, tail.to_string()),
    }
}

/// Reads what one region's source named; returns the resources and the health check ids a
/// stack named (Route 53 is read once, for both regions).
pub async fn read_side(
    found: Vec<Found>,
    side: Side,
    region: &str,
    label: &str,
    aws: &dyn Finder,
) -> Result<(Vec<TfResource>, Vec<Check>), BackendError> {
    let mut out = Vec::new();
    let mut checks = Vec::new();
    let at = Some(region);
    let of = |k: &dyn Fn(&Kind) -> bool| -> Vec<&Found> {
        found.iter().filter(|f| k(&f.kind)).collect()
    };

    for f in of(&|k| *k == Kind::DbInstance) {
        if let Some(db) = aws.db_instance(side, &f.id).await? {
            out.push(resource(
                "aws_db_instance",
                at,
                label,
                &f.address,
                json!({
                    "identifier": db.id, "arn": db.arn, "address": db.address,
                    "replicate_source_db": db.source, "instance_class": db.class,
                }),
            ));
        }
    }
    let clusters = of(&|k| *k == Kind::DbCluster);
    if !clusters.is_empty() {
        let globals = aws.global_clusters(side).await?;
        for f in clusters {
            let Some(c) = aws.db_cluster(side, &f.id).await? else {
                continue;
            };
            let global = globals
                .iter()
                .find(|g| g.members.iter().any(|m| super::pair::arn_name(m) == c.id));
            if let Some(g) = global {
                out.push(resource(
                    "aws_rds_global_cluster",
                    None,
                    label,
                    &g.id,
                    json!({
                        "global_cluster_identifier": g.id,
                    }),
                ));
            }
            out.push(resource(
                "aws_rds_cluster",
                at,
                label,
                &f.address,
                json!({
                    "cluster_identifier": c.id, "endpoint": c.endpoint,
                    "global_cluster_identifier": global.map(|g| g.id.clone()),
                }),
            ));
        }
    }
    let ecs_clusters: Vec<&Found> = of(&|k| *k == Kind::EcsCluster);
    for f in &ecs_clusters {
        out.push(resource(
            "aws_ecs_cluster",
            at,
            label,
            &f.address,
            json!({"name": f.id}),
        ));
    }
    let mut short = Vec::new();
    for f in of(&|k| *k == Kind::EcsService) {
        match service_parts(&f.id) {
            (Some(cluster), name) => out.push(resource(
                "aws_ecs_service",
                at,
                label,
                &f.address,
                json!({"name": name, "cluster": cluster}),
            )),
            (None, _) => short.push(f),
        }
    }
    // A service ARN of the short form names no cluster: ask each cluster found.
    if !short.is_empty() {
        let arns: Vec<String> = short.iter().map(|f| f.id.clone()).collect();
        for c in &ecs_clusters {
            for arn in aws.services_in(side, &c.id, &arns).await? {
                let Some(f) = short.iter().find(|f| f.id == arn) else {
                    continue;
                };
                out.push(resource(
                    "aws_ecs_service",
                    at,
                    label,
                    &f.address,
                    json!({"name": service_parts(&arn).1, "cluster": c.id}),
                ));
            }
        }
    }
    let mut unread = Vec::new();
    for f in of(&|k| matches!(k, Kind::Asg(_))) {
        match &f.kind {
            Kind::Asg(Some(g)) => out.push(asg(g, at, label, &f.address)),
            _ => unread.push(f.id.clone()),
        }
    }
    if !unread.is_empty() {
        for g in aws.asgs_named(side, &unread).await? {
            let address = found
                .iter()
                .find(|f| f.id == g.name)
                .map_or(g.arn.as_str(), |f| &f.address);
            out.push(asg(&g, at, label, address));
        }
    }
    for f in of(&|k| *k == Kind::TargetGroup) {
        out.push(resource(
            "aws_lb_target_group",
            at,
            label,
            &f.address,
            json!({"name": lb_name(&f.id), "arn": f.id}),
        ));
    }
    let lbs: Vec<String> = of(&|k| *k == Kind::LoadBalancer)
        .iter()
        .map(|f| f.id.clone())
        .collect();
    if !lbs.is_empty() {
        for lb in aws.load_balancers(side, &lbs).await? {
            let address = found
                .iter()
                .find(|f| f.id == lb.arn)
                .map_or(lb.arn.as_str(), |f| &f.address);
            out.push(resource(
                "aws_lb",
                at,
                label,
                address,
                json!({
                    "name": lb.name, "arn": lb.arn, "dns_name": lb.dns_name, "zone_id": lb.zone_id,
                }),
            ));
        }
    }
    for f in &found {
        let (kind, key) = match f.kind {
            Kind::Alarm => ("aws_cloudwatch_metric_alarm", "alarm_name"),
            Kind::Parameter => ("aws_ssm_parameter", "name"),
            Kind::Secret => ("aws_secretsmanager_secret", "name"),
            Kind::Vault => ("aws_backup_vault", "name"),
            Kind::Lambda => ("aws_lambda_function", "function_name"),
            Kind::HealthCheck => {
                checks.push(Check {
                    id: f.id.clone(),
                    file: label.to_string(),
                    address: f.address.clone(),
                });
                continue;
            }
            _ => continue,
        };
        out.push(resource(kind, at, label, &f.address, json!({ key: f.id })));
    }
    Ok((out, checks))
}

/// A health check to read: its id, and the source and address its note names.
#[derive(Debug, Clone)]
pub struct Check {
    pub id: String,
    pub file: String,
    pub address: String,
}

fn asg(g: &super::find::AsgInfo, at: Option<&str>, label: &str, address: &str) -> TfResource {
    resource(
        "aws_autoscaling_group",
        at,
        label,
        address,
        json!({
            "name": g.name, "arn": g.arn, "target_group_arns": g.target_group_arns,
        }),
    )
}

fn same_host(a: &str, b: &str) -> bool {
    let norm = |s: &str| {
        s.trim_end_matches('.')
            .trim_start_matches("dualstack.")
            .to_ascii_lowercase()
    };
    norm(a) == norm(b)
}

/// The records that point at a load balancer found (alias or value), in every hosted zone,
/// and the health checks they use or a stack named.
pub async fn dns(
    all: &[TfResource],
    stack_checks: &[Check],
    label: &str,
    aws: &dyn Finder,
) -> Result<Vec<TfResource>, BackendError> {
    let lbs: Vec<&str> = all
        .iter()
        .filter(|r| r.kind == "aws_lb")
        .filter_map(|r| r.str("dns_name"))
        .collect();
    let mut out = Vec::new();
    let mut checks: Vec<Check> = stack_checks.to_vec();
    let route53 = format!("route 53 (points at a load balancer of {label})");
    if !lbs.is_empty() {
        for zone in aws.hosted_zones().await? {
            for r in aws.zone_records(&zone).await? {
                let target = r
                    .alias
                    .as_ref()
                    .map(|(n, _)| n.clone())
                    .or(r.values.first().cloned());
                if !target.is_some_and(|t| lbs.iter().any(|l| same_host(l, &t))) {
                    continue;
                }
                let address = format!(
                    "{} {} in zone {zone}{}",
                    r.name,
                    r.kind,
                    r.set_identifier
                        .as_deref()
                        .map(|s| format!(" set {s}"))
                        .unwrap_or_default()
                );
                if let Some(h) = &r.health_check
                    && !checks.iter().any(|c| &c.id == h)
                {
                    checks.push(Check {
                        id: h.clone(),
                        file: route53.clone(),
                        address: format!("health check {h}, used by {address}"),
                    });
                }
                out.push(resource("aws_route53_record", None, &route53, &address, json!({
                    "name": r.name, "fqdn": r.name, "zone_id": zone, "type": r.kind, "ttl": r.ttl,
                    "records": r.values, "set_identifier": r.set_identifier,
                    "health_check_id": r.health_check,
                    "alias": r.alias.as_ref().map(|(n, z)| json!([{
                        "name": n, "zone_id": z, "evaluate_target_health": r.evaluate_target_health,
                    }])),
                    "failover_routing_policy": r.failover.as_ref().map(|f| json!([{"type": f}])),
                })));
            }
        }
    }
    for c in checks {
        if let Some(h) = aws.health_check(&c.id).await? {
            out.push(resource(
                "aws_route53_health_check",
                None,
                &c.file,
                &c.address,
                json!({
                    "id": h.id, "fqdn": h.target,
                }),
            ));
        }
    }
    Ok(out)
}

//! Route 53 found by what it points at: the records whose alias or value is one of the load
//! balancers found, and the health checks those records use or a stack named.

use serde_json::json;

use super::super::find::Finder;
use super::super::terraform::TfResource;
use super::{Check, resource};
use crate::backend::BackendError;
use crate::init::pair::same_host;

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

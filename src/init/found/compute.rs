//! What a source names that runs the applications: ECS clusters and services (a service ARN of
//! the short form is looked for in each cluster), Auto Scaling groups, target groups and load
//! balancers.

use serde_json::json;

use super::super::find::{AsgInfo, Finder};
use super::super::gather::{Found, Kind};
use super::super::terraform::TfResource;
use super::{of, resource};
use crate::backend::BackendError;
use crate::model::Side;

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

/// Reads the clusters, services, groups, target groups and load balancers of one region.
pub(super) async fn read(
    found: &[Found],
    side: Side,
    at: Option<&str>,
    label: &str,
    aws: &dyn Finder,
    out: &mut Vec<TfResource>,
) -> Result<(), BackendError> {
    let ecs_clusters: Vec<&Found> = of(found, &|k| *k == Kind::EcsCluster);
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
    for f in of(found, &|k| *k == Kind::EcsService) {
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
    for f in of(found, &|k| matches!(k, Kind::Asg(_))) {
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
    for f in of(found, &|k| *k == Kind::TargetGroup) {
        out.push(resource(
            "aws_lb_target_group",
            at,
            label,
            &f.address,
            json!({"name": lb_name(&f.id), "arn": f.id}),
        ));
    }
    let lbs: Vec<String> = of(found, &|k| *k == Kind::LoadBalancer)
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
    Ok(())
}

fn asg(g: &AsgInfo, at: Option<&str>, label: &str, address: &str) -> TfResource {
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

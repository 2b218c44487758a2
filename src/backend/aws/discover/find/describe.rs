//! What a source named, read by identifier: load balancers (twenty per
//! `DescribeLoadBalancers`, each alone when one is unknown), which services a cluster runs (ten
//! per `DescribeServices`), the global databases of a region.

use super::super::capacity::ECS_BATCH;
use super::super::{Discovery, not_found};
use crate::backend::BackendError;
use crate::backend::aws::errors::sdk_error;
use crate::init::find::{GlobalInfo, LbInfo};
use crate::model::Side;

const LB_BATCH: usize = 20;

pub(super) async fn load_balancers(
    d: &Discovery,
    side: Side,
    arns: &[String],
) -> Result<Vec<LbInfo>, BackendError> {
    let c = d.of(side);
    let mut found = Vec::new();
    let mut queue: Vec<Vec<String>> = arns.chunks(LB_BATCH).map(<[String]>::to_vec).collect();
    while let Some(batch) = queue.pop() {
        let out = c
            .elb
            .describe_load_balancers()
            .set_load_balancer_arns(Some(batch.clone()))
            .send()
            .await
            .map_err(|e| {
                let op = "elasticloadbalancing:DescribeLoadBalancers";
                sdk_error(c.ctx(), op, &batch.join(", "), e)
            });
        match out {
            Ok(out) => found.extend(out.load_balancers().iter().map(|l| LbInfo {
                arn: l.load_balancer_arn().unwrap_or_default().to_string(),
                name: l.load_balancer_name().unwrap_or_default().to_string(),
                dns_name: l.dns_name().unwrap_or_default().to_string(),
                zone_id: l.canonical_hosted_zone_id().unwrap_or_default().to_string(),
            })),
            // One unknown ARN (deleted since it was tagged) fails the batch: ask each alone.
            Err(e) if not_found(&e) && batch.len() > 1 => {
                queue.extend(batch.into_iter().map(|a| vec![a]));
            }
            Err(e) if not_found(&e) => {}
            Err(e) => return Err(e),
        }
    }
    Ok(found)
}
pub(super) async fn services_in(
    d: &Discovery,
    side: Side,
    cluster: &str,
    arns: &[String],
) -> Result<Vec<String>, BackendError> {
    let c = d.of(side);
    let mut found = Vec::new();
    for batch in arns.chunks(ECS_BATCH) {
        let out = c
            .ecs
            .describe_services()
            .cluster(cluster)
            .set_services(Some(batch.to_vec()))
            .send()
            .await
            .map_err(|e| {
                sdk_error(
                    c.ctx(),
                    "ecs:DescribeServices",
                    &format!("cluster {cluster}"),
                    e,
                )
            });
        let out = match out {
            Err(e) if not_found(&e) => continue,
            other => other?,
        };
        found.extend(
            out.services()
                .iter()
                .filter(|s| s.status() != Some("INACTIVE"))
                .filter_map(|s| s.service_arn().map(str::to_string)),
        );
    }
    Ok(found)
}
pub(super) async fn global_clusters(
    d: &Discovery,
    side: Side,
) -> Result<Vec<GlobalInfo>, BackendError> {
    let c = d.of(side);
    let mut marker: Option<String> = None;
    let mut found = Vec::new();
    loop {
        let out = c
            .rds
            .describe_global_clusters()
            .set_marker(marker.take())
            .send()
            .await
            .map_err(|e| sdk_error(c.ctx(), "rds:DescribeGlobalClusters", "", e))?;
        found.extend(out.global_clusters().iter().map(|g| {
            GlobalInfo {
                id: g
                    .global_cluster_identifier()
                    .unwrap_or_default()
                    .to_string(),
                members: g
                    .global_cluster_members()
                    .iter()
                    .filter_map(|m| m.db_cluster_arn().map(str::to_string))
                    .collect(),
            }
        }));
        match out.marker().filter(|t| !t.is_empty()) {
            Some(t) => marker = Some(t.to_string()),
            None => return Ok(found),
        }
    }
}

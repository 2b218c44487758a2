//! What runs in each region: each service's desired count (ten services per
//! `DescribeServices`, a deleted one is not there) and each group's capacity (fifty groups per
//! `DescribeAutoScalingGroups`).

use super::super::errors::sdk_error;
use super::{Discovery, clamp, not_found};
use crate::backend::BackendError;
use crate::config::Capacity;
use crate::model::Side;

pub(super) const ECS_BATCH: usize = 10;
pub(super) const ASG_BATCH: usize = 50;

pub(super) async fn service_counts(
    d: &Discovery,
    side: Side,
    cluster: &str,
    names: &[String],
) -> Result<Vec<(String, u32)>, BackendError> {
    let c = d.of(side);
    let calls = names.chunks(ECS_BATCH).map(|batch| {
        let req = c
            .ecs
            .describe_services()
            .cluster(cluster)
            .set_services(Some(batch.to_vec()));
        async move {
            req.send().await.map_err(|e| {
                sdk_error(
                    c.ctx(),
                    "ecs:DescribeServices",
                    &format!("cluster {cluster}"),
                    e,
                )
            })
        }
    });
    let mut found = Vec::new();
    for out in futures::future::join_all(calls).await {
        let out = match out {
            Err(e) if not_found(&e) => continue,
            other => other?,
        };
        for s in out.services() {
            // A deleted service is still described, as INACTIVE: it is not there.
            if s.status() == Some("INACTIVE") {
                continue;
            }
            if let Some(n) = s.service_name() {
                found.push((n.to_string(), clamp(Some(s.desired_count()))));
            }
        }
    }
    Ok(found)
}
pub(super) async fn asg_capacities(
    d: &Discovery,
    side: Side,
    names: &[String],
) -> Result<Vec<(String, Capacity)>, BackendError> {
    if let Some(known) = d.cache.asgs(side, names) {
        return Ok(known);
    }
    let c = d.of(side);
    let calls = names.chunks(ASG_BATCH).map(|batch| {
        let req = c
            .autoscaling
            .describe_auto_scaling_groups()
            .set_auto_scaling_group_names(Some(batch.to_vec()))
            .max_records(ASG_BATCH as i32);
        let resource = batch.join(", ");
        async move {
            req.send().await.map_err(|e| {
                sdk_error(
                    c.ctx(),
                    "autoscaling:DescribeAutoScalingGroups",
                    &resource,
                    e,
                )
            })
        }
    });
    let mut found = Vec::new();
    for out in futures::future::join_all(calls).await {
        for g in out?.auto_scaling_groups() {
            if let Some(n) = g.auto_scaling_group_name() {
                found.push((
                    n.to_string(),
                    Capacity {
                        min: clamp(g.min_size()),
                        max: clamp(g.max_size()),
                        desired: clamp(g.desired_capacity()),
                    },
                ));
            }
        }
    }
    Ok(found)
}

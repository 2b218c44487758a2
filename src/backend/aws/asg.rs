//! Auto Scaling: every group of a region in one `DescribeAutoScalingGroups`, and capacity changes.

use std::collections::HashMap;

use aws_sdk_autoscaling::types::{AutoScalingGroup, LifecycleState};

use super::act::Acting;
use super::clients::RegionClients;
use super::errors::sdk_error;
use crate::backend::Action;
use crate::backend::{ActionOutcome, BackendError};
use crate::config::Capacity;
use crate::model::AsgReading;

/// Names per call; the answer holds at most 100 groups, so one page each.
const BATCH: usize = 100;

fn count(n: Option<i32>) -> u32 {
    n.and_then(|n| u32::try_from(n).ok()).unwrap_or(0)
}

fn reading(g: &AutoScalingGroup, name: &str) -> AsgReading {
    let instances: Vec<String> = g
        .instances()
        .iter()
        .filter(|i| i.lifecycle_state() == Some(&LifecycleState::InService))
        .filter_map(|i| i.instance_id().map(str::to_string))
        .collect();
    AsgReading {
        name: name.to_string(),
        found: true,
        min: count(g.min_size()),
        max: count(g.max_size()),
        desired: count(g.desired_capacity()),
        in_service: instances.len() as u32,
        instances,
        running: g
            .instances()
            .iter()
            .filter(|i| i.lifecycle_state() != Some(&LifecycleState::Terminated))
            .count() as u32,
    }
}

/// Reads the groups in configuration order; an absent group is `AsgReading::missing`.
pub async fn read_asgs(c: &RegionClients, names: &[&str]) -> Result<Vec<AsgReading>, BackendError> {
    let calls = names.chunks(BATCH).map(|batch| {
        let req = c
            .autoscaling
            .describe_auto_scaling_groups()
            .set_auto_scaling_group_names(Some(batch.iter().map(|s| s.to_string()).collect()))
            .max_records(BATCH as i32);
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
    let mut found: HashMap<String, AsgReading> = HashMap::new();
    for out in futures::future::join_all(calls).await {
        for g in out?.auto_scaling_groups() {
            if let Some(n) = g.auto_scaling_group_name() {
                found.insert(n.to_string(), reading(g, n));
            }
        }
    }
    Ok(names
        .iter()
        .map(|n| found.remove(*n).unwrap_or_else(|| AsgReading::missing(n)))
        .collect())
}

pub async fn set_capacity(
    c: &RegionClients,
    asg: &str,
    capacity: Capacity,
) -> Result<ActionOutcome, BackendError> {
    let n = |v: u32| i32::try_from(v).unwrap_or(i32::MAX);
    c.autoscaling
        .update_auto_scaling_group()
        .auto_scaling_group_name(asg)
        .min_size(n(capacity.min))
        .max_size(n(capacity.max))
        .desired_capacity(n(capacity.desired))
        .send()
        .await
        .map_err(|e| sdk_error(c.ctx(), "autoscaling:UpdateAutoScalingGroup", asg, e))?;
    Ok(ActionOutcome {
        summary: format!(
            "{asg} in {}: min/max/desired → {}/{}/{}",
            c.label, capacity.min, capacity.max, capacity.desired
        ),
        change_id: None,
    })
}

/// The Auto Scaling actions, through `b`'s clients that make one attempt.
pub(super) fn act<'a>(b: &'a super::AwsBackend, action: &'a Action) -> Option<Acting<'a>> {
    match action {
        Action::SetAsgCapacity {
            side,
            asg,
            capacity,
        } => Some(Box::pin(set_capacity(b.changes(*side), asg, *capacity))),
        _ => None,
    }
}

//! ELBv2: target health per group (all groups at once), and `RegisterTargets`.

use aws_sdk_elasticloadbalancingv2::types::{TargetDescription, TargetHealthStateEnum};

use super::act::Acting;
use super::clients::RegionClients;
use super::errors::sdk_error;
use crate::backend::Action;
use crate::backend::{ActionOutcome, BackendError, ErrorKind};
use crate::model::TargetGroupReading;

fn failed(name: &str, error: String) -> TargetGroupReading {
    TargetGroupReading {
        name: name.to_string(),
        error: Some(error),
        healthy: 0,
        unhealthy: 0,
        other: 0,
        registered: Vec::new(),
    }
}

/// One `DescribeTargetHealth` per group, concurrently. A group's failure stays on its row; the
/// error kind is returned beside it so that the caller can tell a dead region from a bad ARN.
pub async fn read_target_groups(
    c: &RegionClients,
    groups: &[(&str, &str)],
) -> Vec<(TargetGroupReading, Option<ErrorKind>)> {
    let calls = groups.iter().map(|(name, arn)| async move {
        let out = c
            .elb
            .describe_target_health()
            .target_group_arn(*arn)
            .send()
            .await
            .map_err(|e| sdk_error(c.ctx(), "elasticloadbalancing:DescribeTargetHealth", arn, e));
        match out {
            Err(e) => (failed(name, e.to_string()), Some(e.kind)),
            Ok(out) => {
                let mut r = TargetGroupReading {
                    name: name.to_string(),
                    error: None,
                    healthy: 0,
                    unhealthy: 0,
                    other: 0,
                    registered: Vec::new(),
                };
                for d in out.target_health_descriptions() {
                    match d.target_health().and_then(|h| h.state()) {
                        Some(TargetHealthStateEnum::Healthy) => r.healthy += 1,
                        Some(TargetHealthStateEnum::Unhealthy) => r.unhealthy += 1,
                        _ => r.other += 1,
                    }
                    if let Some(id) = d.target().and_then(|t| t.id()) {
                        r.registered.push(id.to_string());
                    }
                }
                (r, None)
            }
        }
    });
    futures::future::join_all(calls).await
}

pub async fn register(
    c: &RegionClients,
    target_group_arn: &str,
    targets: &[String],
    port: Option<u16>,
) -> Result<ActionOutcome, BackendError> {
    let mut req = c.elb.register_targets().target_group_arn(target_group_arn);
    for t in targets {
        let mut d = TargetDescription::builder().id(t);
        if let Some(p) = port {
            d = d.port(i32::from(p));
        }
        req = req.targets(d.build());
    }
    req.send().await.map_err(|e| {
        sdk_error(
            c.ctx(),
            "elasticloadbalancing:RegisterTargets",
            target_group_arn,
            e,
        )
    })?;
    let port = port.map(|p| format!(" on port {p}")).unwrap_or_default();
    Ok(ActionOutcome {
        summary: format!(
            "{target_group_arn} in {}: registered [{}]{port}",
            c.label,
            targets.join(", ")
        ),
        change_id: None,
    })
}

/// The ELBv2 actions, through `b`'s clients that make one attempt.
pub(super) fn act<'a>(b: &'a super::AwsBackend, action: &'a Action) -> Option<Acting<'a>> {
    match action {
        Action::RegisterTargets {
            side,
            target_group_arn,
            targets,
            port,
        } => Some(Box::pin(register(
            b.changes(*side),
            target_group_arn,
            targets,
            *port,
        ))),
        _ => None,
    }
}

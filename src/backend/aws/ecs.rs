//! ECS: services described ten at a time (all batches at once), and `UpdateService`.

use std::collections::HashMap;

use aws_sdk_ecs::operation::describe_services::DescribeServicesOutput;
use aws_sdk_ecs::types::{DeploymentRolloutState, Service};

use super::act::Acting;
use super::clients::RegionClients;
use super::errors::sdk_error;
use crate::backend::Action;
use crate::backend::{ActionOutcome, BackendError};
use crate::model::{Deployment, ServiceReading};

/// `DescribeServices` takes at most ten services per call.
pub const BATCH: usize = 10;

/// Failed: the primary deployment's rollout failed. Steady: a single deployment that has rolled
/// out, or is running as many tasks as desired. Otherwise in progress.
pub fn deployment_of(s: &Service) -> Deployment {
    let deployments = s.deployments();
    let primary = deployments
        .iter()
        .find(|d| d.status() == Some("PRIMARY"))
        .or_else(|| deployments.first());
    if primary.and_then(|d| d.rollout_state()) == Some(&DeploymentRolloutState::Failed) {
        return Deployment::Failed;
    }
    let settled = s.running_count() == s.desired_count();
    match deployments {
        [] if settled => Deployment::Steady,
        [only] if settled || only.rollout_state() == Some(&DeploymentRolloutState::Completed) => {
            Deployment::Steady
        }
        _ => Deployment::InProgress,
    }
}

fn count(n: i32) -> u32 {
    u32::try_from(n).unwrap_or(0)
}

fn reading(s: &Service, name: &str) -> ServiceReading {
    ServiceReading {
        name: name.to_string(),
        status: s.status().unwrap_or("UNKNOWN").to_string(),
        desired: count(s.desired_count()),
        running: count(s.running_count()),
        pending: count(s.pending_count()),
        deployment: deployment_of(s),
        task_definition: s.task_definition().map(str::to_string),
        primary_deployment: primary_deployment(Some(s)),
    }
}

/// The last path part of a service ARN (`arn:...:service/cluster/web` → `web`).
fn service_name_of_arn(arn: &str) -> &str {
    arn.rsplit('/').next().unwrap_or(arn)
}

/// `DescribeServices` for `names`, ten at a time (AWS's limit), all batches at once.
async fn describe_in_batches(
    c: &RegionClients,
    cluster: &str,
    names: &[&str],
) -> Vec<Result<DescribeServicesOutput, BackendError>> {
    let calls = names.chunks(BATCH).map(|batch| {
        let req = c
            .ecs
            .describe_services()
            .cluster(cluster)
            .set_services(Some(batch.iter().map(|s| s.to_string()).collect()));
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
    futures::future::join_all(calls).await
}

/// Reads every service of a cluster, in configuration order. A missing service is a row with
/// status `MISSING`; a missing cluster fails the whole section.
pub async fn read_services(
    c: &RegionClients,
    cluster: &str,
    names: &[&str],
) -> Result<Vec<ServiceReading>, BackendError> {
    let outputs = describe_in_batches(c, cluster, names).await;
    let mut found: HashMap<String, ServiceReading> = HashMap::new();
    let mut failures: HashMap<String, String> = HashMap::new();
    for out in outputs {
        let out = out?;
        for s in out.services() {
            if let Some(n) = s.service_name() {
                found.insert(n.to_string(), reading(s, n));
            }
        }
        for f in out.failures() {
            if let Some(arn) = f.arn() {
                let reason = f.reason().unwrap_or("MISSING").to_string();
                failures.insert(service_name_of_arn(arn).to_string(), reason);
            }
        }
    }
    Ok(names
        .iter()
        .map(|n| match found.remove(*n) {
            Some(r) => r,
            None => {
                let mut r = ServiceReading::missing(n);
                if let Some(reason) = failures.get(*n).filter(|r| r.as_str() != "MISSING") {
                    r.status = reason.clone();
                }
                r
            }
        })
        .collect())
}

/// The deployment an `UpdateService` started or kept (its id is the change to follow).
fn primary_deployment(s: Option<&Service>) -> Option<String> {
    s?.deployments()
        .iter()
        .find(|d| d.status() == Some("PRIMARY"))
        .and_then(|d| d.id())
        .map(str::to_string)
}

pub async fn scale(
    c: &RegionClients,
    cluster: &str,
    service: &str,
    desired: u32,
) -> Result<ActionOutcome, BackendError> {
    let resource = format!("{cluster}/{service}");
    let out = c
        .ecs
        .update_service()
        .cluster(cluster)
        .service(service)
        .desired_count(i32::try_from(desired).unwrap_or(i32::MAX))
        .send()
        .await
        .map_err(|e| sdk_error(c.ctx(), "ecs:UpdateService", &resource, e))?;
    let running = out.service().map(|s| s.running_count()).unwrap_or(0);
    Ok(ActionOutcome {
        summary: format!(
            "{resource} in {}: desiredCount → {desired} (running {running})",
            c.label
        ),
        change_id: primary_deployment(out.service()),
    })
}

pub async fn force_deployment(
    c: &RegionClients,
    cluster: &str,
    service: &str,
) -> Result<ActionOutcome, BackendError> {
    let resource = format!("{cluster}/{service}");
    let out = c
        .ecs
        .update_service()
        .cluster(cluster)
        .service(service)
        .force_new_deployment(true)
        .send()
        .await
        .map_err(|e| sdk_error(c.ctx(), "ecs:UpdateService", &resource, e))?;
    let id = primary_deployment(out.service());
    Ok(ActionOutcome {
        summary: format!(
            "{resource} in {}: new deployment {} started",
            c.label,
            id.as_deref().unwrap_or("(no id)")
        ),
        change_id: id,
    })
}

/// The ECS actions, through `b`'s clients that make one attempt.
pub(super) fn act<'a>(b: &'a super::AwsBackend, action: &'a Action) -> Option<Acting<'a>> {
    Some(match action {
        Action::ScaleService {
            side,
            cluster,
            service,
            desired,
        } => Box::pin(scale(b.changes(*side), cluster, service, *desired)),
        Action::ForceDeployment {
            side,
            cluster,
            service,
        } => Box::pin(force_deployment(b.changes(*side), cluster, service)),
        _ => return None,
    })
}

//! Service Quotas: the applied value of each quota a failover's scale-up counts against
//! (`servicequotas:GetServiceQuota`, one call per quota), and the sizes of the task
//! definitions the services run (`ecs:DescribeTaskDefinition`, one per definition), from
//! which the need is counted. Only reads. A quota the region has no applied value for
//! (`NoSuchResourceException`) is read as none.

use aws_sdk_ecs::types::Compatibility;

use super::clients::RegionClients;
use super::errors::sdk_error;
use crate::backend::BackendError;
use crate::model::{QuotaKind, QuotaReading, Side, TaskSize};

const OPERATION: &str = "servicequotas:GetServiceQuota";

pub async fn read_quotas(
    c: &RegionClients,
    side: Side,
    kinds: &[QuotaKind],
) -> Result<Vec<QuotaReading>, BackendError> {
    let reads = kinds.iter().map(|kind| async move {
        let (service, code) = kind.codes();
        let answer = c
            .quotas
            .get_service_quota()
            .service_code(service)
            .quota_code(code)
            .send()
            .await;
        let value = match answer {
            Ok(a) => a.quota().and_then(|q| q.value()),
            Err(e)
                if e.as_service_error()
                    .is_some_and(|s| s.is_no_such_resource_exception()) =>
            {
                None
            }
            Err(e) => return Err(sdk_error(c.ctx(), OPERATION, code, e)),
        };
        Ok(QuotaReading {
            kind: *kind,
            side,
            value,
        })
    });
    futures::future::join_all(reads).await.into_iter().collect()
}

/// Each of `task_definitions`' Fargate compatibility and task-level vCPU.
pub async fn task_sizes(
    c: &RegionClients,
    task_definitions: &[String],
) -> Result<Vec<TaskSize>, BackendError> {
    let reads = task_definitions.iter().map(|td| async move {
        let out = c
            .ecs
            .describe_task_definition()
            .task_definition(td)
            .send()
            .await
            .map_err(|e| sdk_error(c.ctx(), "ecs:DescribeTaskDefinition", td, e))?;
        let def = out.task_definition();
        Ok(TaskSize {
            task_definition: td.clone(),
            fargate: def.is_some_and(|d| {
                d.requires_compatibilities()
                    .contains(&Compatibility::Fargate)
            }),
            // `cpu` is in CPU units (1024 to a vCPU), as a string.
            vcpu: def
                .and_then(|d| d.cpu())
                .and_then(|u| u.trim().parse::<f64>().ok())
                .map(|units| units / 1024.0),
        })
    });
    futures::future::join_all(reads).await.into_iter().collect()
}

//! Service Quotas: the applied value of each quota a failover's scale-up counts against
//! (`servicequotas:GetServiceQuota`, one call per quota), and the sizes of the task
//! definitions the services run (`ecs:DescribeTaskDefinition`, one per definition), from
//! which the need is counted. Only reads. A quota the region has no applied value for
//! (`NoSuchResourceException`) is read as none.
//!
//! A task definition revision cannot be changed once registered (a change is a new
//! revision), so a revision's size is read once and remembered: an evaluation every 30
//! minutes reads only the revisions it has not seen. A bare family name (its latest
//! revision) is read every time.

use std::collections::HashMap;
use std::sync::Mutex;

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

/// The sizes of the task definition revisions read so far.
#[derive(Default)]
pub struct KnownSizes(Mutex<HashMap<String, TaskSize>>);

impl KnownSizes {
    /// Each of `task_definitions`' size, in their order: those remembered as they were, the
    /// others read (and remembered when they name a revision).
    pub async fn get(
        &self,
        c: &RegionClients,
        task_definitions: &[String],
    ) -> Result<Vec<TaskSize>, BackendError> {
        let unknown: Vec<String> = {
            let map = self.0.lock().unwrap_or_else(|e| e.into_inner());
            task_definitions
                .iter()
                .filter(|td| !map.contains_key(*td))
                .cloned()
                .collect()
        };
        let read = if unknown.is_empty() {
            Vec::new()
        } else {
            task_sizes(c, &unknown).await?
        };
        let mut map = self.0.lock().unwrap_or_else(|e| e.into_inner());
        let mut fresh = HashMap::new();
        for size in read {
            if names_a_revision(&size.task_definition) {
                map.insert(size.task_definition.clone(), size.clone());
            }
            fresh.insert(size.task_definition.clone(), size);
        }
        Ok(task_definitions
            .iter()
            .filter_map(|td| fresh.get(td).or_else(|| map.get(td)).cloned())
            .collect())
    }
}

/// `family:revision` or an ARN ending in one: a revision, which never changes. A bare
/// family is whatever revision is latest.
fn names_a_revision(task_definition: &str) -> bool {
    let name = task_definition
        .rsplit('/')
        .next()
        .unwrap_or(task_definition);
    name.rsplit_once(':')
        .is_some_and(|(family, revision)| !family.is_empty() && revision.parse::<u32>().is_ok())
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

#[cfg(test)]
mod tests {
    use super::names_a_revision;

    #[test]
    fn only_a_revision_is_remembered() {
        assert!(names_a_revision("web:12"));
        assert!(names_a_revision(
            "arn:aws:ecs:us-west-2:123456789012:task-definition/web:3"
        ));
        assert!(!names_a_revision("web"));
        assert!(!names_a_revision(
            "arn:aws:ecs:us-west-2:123456789012:task-definition/web"
        ));
        assert!(!names_a_revision(":3"));
        assert!(!names_a_revision("web:latest"));
    }
}

//! Will the region a move goes to let production run there? Its applied Service Quotas for
//! what a failover scales up, against what production needs (Fargate vCPU: each service's
//! production count × its task's vCPU; DB instances: the one a restore from backup creates)
//! and against the other region's quota (a region whose quota was never raised like the
//! primary's is found now, not when the scale-up is refused). Only reads.
//!
//! Quotas are the account's in the region: other workloads there count against them too, and
//! drconsole does not see them. The need is a floor, said as such.

mod judge;
#[cfg(test)]
mod tests;

use crate::backend::Backend;
use crate::config::{DatabaseKind, Estate};
use crate::model::{
    Aspect, AspectResult, Finding, Outcome, QuotaKind, RegionReading, Side, TaskSize,
};

pub use judge::judge;

/// What production needs of each quota in the target region, where drconsole can count it,
/// and the services it could not size (with why).
#[derive(Debug, Default, PartialEq)]
pub struct Need {
    pub fargate_vcpu: Option<f64>,
    pub db_instances: Option<f64>,
    pub not_sized: Vec<String>,
}

/// Counts the need from the estate, the target's reading (the task definition each service
/// runs there) and the sizes read of those definitions.
pub fn need(estate: &Estate, reading: Option<&RegionReading>, sizes: &[TaskSize]) -> Need {
    let mut need = Need::default();
    let services = reading.and_then(|r| r.services.as_ref().ok());
    let mut vcpu = 0.0;
    let mut counted = false;
    for cfg in estate.services().iter().filter(|s| s.production > 0) {
        let td = services
            .and_then(|all| all.iter().find(|s| s.name == cfg.name))
            .and_then(|s| s.task_definition.as_deref());
        let size = td.and_then(|td| sizes.iter().find(|s| s.task_definition == td));
        match size {
            Some(TaskSize {
                fargate: true,
                vcpu: Some(v),
                ..
            }) => {
                vcpu += f64::from(cfg.production) * v;
                counted = true;
            }
            // Not a Fargate task: it counts against the instances it is placed on.
            Some(TaskSize { fargate: false, .. }) => {}
            Some(TaskSize { vcpu: None, .. }) => need
                .not_sized
                .push(format!("{}: its task definition sets no cpu", cfg.name)),
            None => need
                .not_sized
                .push(format!("{}: its task definition was not read", cfg.name)),
        }
    }
    if counted {
        need.fargate_vcpu = Some(vcpu);
    }
    if estate
        .database
        .as_ref()
        .is_some_and(|d| d.kind == DatabaseKind::BackupRestore)
    {
        need.db_instances = Some(1.0);
    }
    need
}

/// Reads the quotas of both regions and the task sizes in `target`, then judges them.
pub async fn check(
    estate: &Estate,
    backend: &dyn Backend,
    target: Side,
    reading: Option<&RegionReading>,
) -> (AspectResult, Vec<Finding>) {
    let (ours, theirs) = tokio::join!(
        backend.quotas(target, &QuotaKind::ALL),
        backend.quotas(target.other(), &QuotaKind::ALL),
    );
    let ours = match ours {
        Ok(q) => q,
        Err(e) => {
            return (
                AspectResult {
                    aspect: Aspect::Quotas,
                    outcome: Outcome::NotEvaluated,
                    summary: format!("{target}'s quotas not read: {e}"),
                },
                Vec::new(),
            );
        }
    };
    let mut defs: Vec<String> = reading
        .and_then(|r| r.services.as_ref().ok())
        .into_iter()
        .flatten()
        .filter(|s| {
            estate
                .services()
                .iter()
                .any(|c| c.name == s.name && c.production > 0)
        })
        .filter_map(|s| s.task_definition.clone())
        .collect();
    defs.sort();
    defs.dedup();
    let sizes = if defs.is_empty() {
        Vec::new()
    } else {
        backend.task_sizes(target, &defs).await.unwrap_or_default()
    };
    let need = need(estate, reading, &sizes);
    judge(estate, target, &need, &ours, theirs.ok().as_deref())
}

//! Reading helpers several step kinds share: a region's database, a section of a reading,
//! the estate's resources a step names, and the texts plans are written with.

use std::time::Duration;

use crate::backend::EndpointStore;
use crate::config::{EcsService, Estate, TargetGroup};
use crate::model::{
    AsgReading, DbReading, Lag, Parts, RegionReading, Section, ServiceReading, Side,
};
use crate::runbook::error::StepError;

pub fn db_of(reading: &RegionReading, side: Side) -> Result<&DbReading, StepError> {
    match &reading.database {
        Some(Ok(db)) => Ok(db),
        Some(Err(e)) => Err(StepError::missing(format!("{side} database: {e}"))),
        None => Err(StepError::missing("no [database] in the estate")),
    }
}

pub fn section<'a, T>(s: &'a Section<T>, what: &str, side: Side) -> Result<&'a T, StepError> {
    s.as_ref()
        .map_err(|e| StepError::missing(format!("{side} {what}: {e}")))
}

/// `orders-db replica, available` (`…, available, pending resync` for an old Aurora writer
/// not rebuilt yet).
pub fn role_text(db: &DbReading) -> String {
    let resync = if db.pending_resync {
        ", pending resync"
    } else {
        ""
    };
    format!("{} {}, {}{resync}", db.id, db.role, db.status)
}

/// What promoting a replica with this lag would lose, against the estate's RPO budget.
pub fn lag_warnings(estate: &Estate, lag: Lag) -> Vec<String> {
    match lag {
        Lag::Known(0) => vec![format!("replica lag {lag}: caught up, promoting now loses nothing")],
        Lag::Known(s) => {
            let d = Duration::from_secs(s);
            let mut w = vec![format!(
                "replica lag {lag}: promoting now loses up to that"
            )];
            if d > estate.rpo_budget.0 {
                w.push(format!("lag is above the RPO budget of {}", estate.rpo_budget));
            }
            w
        }
        Lag::Stopped => vec![
            "replication stopped: the data loss of promoting now is unknown and may exceed the RPO budget"
                .into(),
        ],
        Lag::NoData => vec!["replica lag unknown (no data)".into()],
    }
}

/// The estate's services a step names (all of them when it names none).
pub fn services_of<'a>(
    estate: &'a Estate,
    names: &'a Option<Vec<String>>,
) -> impl Iterator<Item = &'a EcsService> {
    estate
        .services()
        .iter()
        .filter(move |s| names.as_ref().is_none_or(|n| n.contains(&s.name)))
}

/// A side's ECS services as read now, and that side's cluster name: what both ECS step
/// kinds plan from.
pub async fn services_now(
    cx: &super::StepCx<'_>,
    side: Side,
) -> Result<(Vec<ServiceReading>, String), StepError> {
    let ecs = cx
        .estate()
        .ecs
        .as_ref()
        .ok_or_else(|| StepError::missing("no [ecs] in the estate"))?;
    let cluster = ecs.cluster(side).to_string();
    let reading = cx.reader.read(side, Parts::SERVICES).await?;
    let read = section(&reading.services, "services", side)?.clone();
    Ok((read, cluster))
}

/// Every name must be one of the estate's services.
pub fn check_services(estate: &Estate, names: &Option<Vec<String>>) -> Result<(), String> {
    if estate.ecs.is_none() {
        return Err("expected an [ecs] section".into());
    }
    for n in names.iter().flatten() {
        if !estate.services().iter().any(|s| &s.name == n) {
            return Err(format!(
                "expected the name of a service in [[ecs.services]], found {n:?}"
            ));
        }
    }
    Ok(())
}

/// The estate's target groups with an `asg` that a step names (all when it names none).
pub fn target_groups_of<'a>(
    estate: &'a Estate,
    names: &'a Option<Vec<String>>,
) -> impl Iterator<Item = &'a TargetGroup> {
    estate
        .target_groups
        .iter()
        .filter(|t| t.asg.is_some())
        .filter(move |t| names.as_ref().is_none_or(|n| n.contains(&t.name)))
}

/// What a target group holds now in one region.
pub struct GroupState {
    /// InService instances of the group's ASG.
    pub instances: Vec<String>,
    pub registered: Vec<String>,
    pub healthy: u32,
}

pub fn group_state(
    estate: &Estate,
    tg: &TargetGroup,
    side: Side,
    reading: &RegionReading,
) -> Result<GroupState, StepError> {
    let asgs: &Vec<AsgReading> = section(&reading.asgs, "ASGs", side)?;
    let tgs = section(&reading.target_groups, "target groups", side)?;
    let asg_cfg = tg
        .asg
        .as_ref()
        .and_then(|n| estate.asgs.iter().find(|a| a.label() == n))
        .ok_or_else(|| StepError::missing(format!("target group {} has no ASG", tg.name)))?;
    let name = asg_cfg.name_in(side);
    let asg = asgs
        .iter()
        .find(|a| a.name == name && a.found)
        .ok_or_else(|| StepError::missing(format!("{side} ASG {name} not found")))?;
    let group = tgs
        .iter()
        .find(|t| t.name == tg.name)
        .ok_or_else(|| StepError::missing(format!("{side} target group {} not read", tg.name)))?;
    if let Some(e) = &group.error {
        return Err(StepError::missing(format!(
            "{side} target group {}: {e}",
            tg.name
        )));
    }
    Ok(GroupState {
        instances: asg.instances.clone(),
        registered: group.registered.clone(),
        healthy: group.healthy,
    })
}

/// Where the estate keeps the database endpoint the application reads.
pub fn stores(estate: &Estate) -> Vec<EndpointStore> {
    let mut v = Vec::new();
    if let Some(db) = &estate.database {
        if let Some(p) = &db.endpoint_parameter {
            v.push(EndpointStore::SsmParameter(p.clone()));
        }
        if let Some(s) = &db.endpoint_secret {
            v.push(EndpointStore::Secret(s.clone()));
        }
    }
    v
}

/// The estate's database must be of `kind` for a step that names it.
pub fn need_database(
    estate: &Estate,
    kind: crate::config::DatabaseKind,
    step: &str,
) -> Result<(), String> {
    match &estate.database {
        Some(d) if d.kind == kind => Ok(()),
        _ => Err(format!(
            "expected [database] kind = {:?} for {step}",
            match kind {
                crate::config::DatabaseKind::RdsReplica => "rds-replica",
                crate::config::DatabaseKind::AuroraGlobal => "aurora-global",
                crate::config::DatabaseKind::BackupRestore => "backup-restore",
            }
        )),
    }
}

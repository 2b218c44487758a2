//! What a step would do now (preflight) and whether AWS shows its target state (verify).
//! Both only read; every read has a timeout, because a dark region's calls may never return.

use std::sync::Arc;
use std::time::Duration;

use serde::{Deserialize, Serialize};

use super::spec::{CapacityTarget, Condition, Count, StepKind, StepSpec, side_name};
use crate::backend::{Action, Backend, BackendError, EndpointStore, ErrorKind};
use crate::config::{DatabaseKind, Estate};
use crate::model::{
    AlarmState, DbReading, DbRole, Deployment, GlobalReading, Lag, RegionReading, Side,
};

/// How engine durations map to the clock tokio sleeps on: 1 in production; a simulator running
/// `speed` times faster than real time is driven with `scale = speed`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Pace {
    pub scale: f64,
}

impl Pace {
    pub const REAL: Pace = Pace { scale: 1.0 };
    /// The tokio duration of an estate-time duration.
    pub fn wall(&self, d: Duration) -> Duration {
        d.div_f64(self.scale.max(1e-6))
    }
    /// The estate-time duration of a tokio duration.
    pub fn estate(&self, d: Duration) -> Duration {
        d.mul_f64(self.scale.max(1e-6))
    }
}

/// Memory a step keeps in the journal between preflight, action and verification, so that a
/// resumed run verifies the change it already made instead of making it again.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct StepMemo {
    /// `describe()` of every call that succeeded.
    #[serde(default)]
    pub calls_done: Vec<String>,
    /// Route 53 change to follow to INSYNC.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub change_id: Option<String>,
}

/// What a step will do, as shown before the operator confirms it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct StepPlan {
    pub actions: Vec<Action>,
    pub current: String,
    pub target: String,
    pub warnings: Vec<String>,
    /// Replica lag when the plan was made (for the RPO exposure of a promotion).
    pub lag: Option<Lag>,
    /// A manual step's instruction, acknowledged by the operator.
    pub instruction: Option<String>,
}

/// Why a step cannot go on, and whether the failed region is the reason.
#[derive(Debug, Clone, PartialEq)]
pub struct StepError {
    pub message: String,
    pub needs_primary: bool,
}

impl StepError {
    fn new(message: impl Into<String>) -> StepError {
        StepError {
            message: message.into(),
            needs_primary: false,
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum Verdict {
    Done(String),
    Pending(String),
}

/// Reads through the backend with the estate's call timeout, retrying throttled calls.
#[derive(Clone)]
pub struct Reader {
    pub backend: Arc<dyn Backend>,
    pub estate: Arc<Estate>,
    pub pace: Pace,
}

const THROTTLE_ATTEMPTS: u32 = 3;

impl Reader {
    fn call_timeout(&self) -> Duration {
        self.pace.wall(self.estate.call_timeout.0)
    }

    fn region_label(&self, side: Side) -> String {
        format!("{} ({side})", self.estate.region(side).region)
    }

    /// Runs one backend call with the timeout; throttling is retried with a short backoff.
    pub async fn call<T, F, Fut>(
        &self,
        side: Option<Side>,
        what: &str,
        f: F,
    ) -> Result<T, BackendError>
    where
        F: Fn() -> Fut,
        Fut: std::future::Future<Output = Result<T, BackendError>>,
    {
        let mut attempt = 0;
        loop {
            attempt += 1;
            let region = side
                .map(|s| self.region_label(s))
                .unwrap_or_else(|| "route53".into());
            let result = match tokio::time::timeout(self.call_timeout(), f()).await {
                Ok(r) => r,
                Err(_) => Err(BackendError::new(
                    ErrorKind::Unreachable,
                    &region,
                    what,
                    "",
                    format!(
                        "no answer within {}",
                        humantime::format_duration(self.estate.call_timeout.0)
                    ),
                )),
            };
            match result {
                Err(e) if e.kind == ErrorKind::Throttled && attempt < THROTTLE_ATTEMPTS => {
                    let backoff = Duration::from_millis(500 * 2u64.pow(attempt - 1));
                    tokio::time::sleep(self.pace.wall(backoff)).await;
                }
                other => return other,
            }
        }
    }

    pub async fn region(&self, side: Side) -> Result<RegionReading, StepError> {
        let b = self.backend.clone();
        self.call(Some(side), "describe", || {
            let b = b.clone();
            async move { b.read_region(side).await }
        })
        .await
        .map_err(|e| self.read_error(side, e))
    }

    pub async fn global(&self) -> Result<GlobalReading, StepError> {
        let b = self.backend.clone();
        self.call(None, "route53:read", || {
            let b = b.clone();
            async move { b.read_global().await }
        })
        .await
        .map_err(|e| StepError::new(e.to_string()))
    }

    pub async fn endpoint(
        &self,
        side: Side,
        store: &EndpointStore,
    ) -> Result<Option<String>, StepError> {
        let b = self.backend.clone();
        self.call(Some(side), "read endpoint", || {
            let b = b.clone();
            let store = store.clone();
            async move { b.read_endpoint(side, &store).await }
        })
        .await
        .map_err(|e| self.read_error(side, e))
    }

    pub async fn dns_in_sync(&self, change_id: &str) -> Result<bool, StepError> {
        let b = self.backend.clone();
        self.call(None, "route53:GetChange", || {
            let b = b.clone();
            let id = change_id.to_string();
            async move { b.dns_change_in_sync(&id).await }
        })
        .await
        .map_err(|e| StepError::new(e.to_string()))
    }

    pub async fn act(&self, action: &Action) -> Result<crate::backend::ActionOutcome, StepError> {
        let b = self.backend.clone();
        let side = action.side();
        self.call(side, action.api_call(), || {
            let b = b.clone();
            let a = action.clone();
            async move { b.act(&a).await }
        })
        .await
        .map_err(|e| match side {
            Some(s) => self.read_error(s, e),
            None => StepError::new(e.to_string()),
        })
    }

    fn read_error(&self, side: Side, e: BackendError) -> StepError {
        if side == Side::Primary && e.kind == ErrorKind::Unreachable {
            StepError {
                message: format!(
                    "primary unreachable ({e}): this step needs the primary region; skip it to go on without it"
                ),
                needs_primary: true,
            }
        } else {
            StepError::new(e.to_string())
        }
    }
}

fn db_of(reading: &RegionReading, side: Side) -> Result<&DbReading, StepError> {
    match &reading.database {
        Some(Ok(db)) => Ok(db),
        Some(Err(e)) => Err(StepError::new(format!("{side} database: {e}"))),
        None => Err(StepError::new("no [database] in the estate")),
    }
}

fn section<'a, T>(
    s: &'a crate::model::Section<T>,
    what: &str,
    side: Side,
) -> Result<&'a T, StepError> {
    s.as_ref()
        .map_err(|e| StepError::new(format!("{side} {what}: {e}")))
}

pub fn lag_text(lag: Lag) -> String {
    match lag {
        Lag::Known(s) => humantime::format_duration(Duration::from_secs(s)).to_string(),
        Lag::Stopped => "replication stopped".into(),
        Lag::NoData => "no data".into(),
    }
}

fn role_text(db: &DbReading) -> String {
    let role = match &db.role {
        DbRole::Writer => "writer".to_string(),
        DbRole::Replica { .. } => "replica".to_string(),
        DbRole::Standalone => "standalone".to_string(),
    };
    format!("{} {role}, {}", db.id, db.status)
}

fn lag_warnings(estate: &Estate, lag: Lag) -> Vec<String> {
    match lag {
        Lag::Known(s) => {
            let d = Duration::from_secs(s);
            let mut w = vec![format!(
                "replica lag {}: promoting now loses up to that",
                humantime::format_duration(d)
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

fn services_of<'a>(
    estate: &'a Estate,
    names: &'a Option<Vec<String>>,
) -> Vec<&'a crate::config::EcsService> {
    estate
        .services()
        .iter()
        .filter(|s| names.as_ref().is_none_or(|n| n.contains(&s.name)))
        .collect()
}

fn count_for(c: &Count, svc: &crate::config::EcsService) -> u32 {
    match c {
        Count::Production => svc.production,
        Count::Standby => svc.standby,
        Count::Exactly(n) => *n,
    }
}

fn cap_for(c: &CapacityTarget, asg: &crate::config::Asg) -> crate::config::Capacity {
    match c {
        CapacityTarget::Production => asg.production,
        CapacityTarget::Standby => asg.standby,
        CapacityTarget::Exactly(c) => *c,
    }
}

fn stores(estate: &Estate) -> Vec<EndpointStore> {
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

/// The name the promoted instance is renamed to on failback, freeing the replica's name.
pub fn renamed_id(id: &str) -> String {
    let stamp = chrono::Utc::now().format("%Y%m%d%H%M");
    let base: String = id.chars().take(40).collect();
    format!("{base}-promoted-{stamp}")
}

/// Reads what the step needs and says what it would change now.
pub async fn preflight(
    step: &StepSpec,
    memo: &StepMemo,
    r: &Reader,
) -> Result<StepPlan, StepError> {
    let estate = &r.estate;
    let mut plan = StepPlan::default();
    match &step.kind {
        StepKind::Check { require, warn } => {
            let mut failed = Vec::new();
            let mut met = Vec::new();
            for c in require {
                match eval(c, r).await {
                    Ok((true, d)) => met.push(d),
                    Ok((false, d)) => failed.push(format!("{c}: {d}")),
                    Err(e) => failed.push(format!("{c}: {}", e.message)),
                }
            }
            for c in warn {
                match eval(c, r).await {
                    Ok((true, d)) => met.push(d),
                    Ok((false, d)) => plan.warnings.push(format!("{c}: {d}")),
                    Err(e) => plan.warnings.push(format!("{c}: {}", e.message)),
                }
            }
            if !failed.is_empty() {
                return Err(StepError::new(format!(
                    "check failed: {}",
                    failed.join("; ")
                )));
            }
            if estate.database.is_some()
                && warn
                    .iter()
                    .chain(require)
                    .any(|c| matches!(c, Condition::LagBelow(_)))
            {
                plan.lag = r
                    .region(Side::Standby)
                    .await
                    .ok()
                    .and_then(|rr| db_of(&rr, Side::Standby).ok().map(|d| d.lag));
            }
            plan.current = met.join("; ");
            plan.target = "checks pass".into();
        }
        StepKind::PromoteReplica {} => {
            let reading = r.region(Side::Standby).await?;
            let db = db_of(&reading, Side::Standby)?;
            plan.current = role_text(db);
            plan.target = format!("{} writer, available", db.id);
            plan.lag = Some(db.lag);
            match (&db.role, db.status.as_str()) {
                (DbRole::Replica { .. }, "available") => {
                    plan.warnings = lag_warnings(estate, db.lag);
                    plan.actions.push(Action::PromoteReplica {
                        side: Side::Standby,
                        db: db.id.clone(),
                    });
                }
                (DbRole::Replica { .. }, "modifying") => {
                    plan.warnings
                        .push("promotion already in progress (status modifying)".into());
                }
                (DbRole::Replica { .. }, status) => {
                    return Err(StepError::new(format!(
                        "replica {} is {status}: AWS refuses a promotion until it is available; retry later",
                        db.id
                    )));
                }
                _ => {}
            }
        }
        StepKind::GlobalSwitchover { to } | StepKind::GlobalFailover { to } => {
            let reading = r.region(*to).await?;
            let db = db_of(&reading, *to)?;
            plan.current = role_text(db);
            plan.target = format!("{} writer, available", db.id);
            plan.lag = Some(db.lag);
            let global = estate
                .database
                .as_ref()
                .and_then(|d| d.global_cluster.clone())
                .unwrap_or_default();
            if db.role != DbRole::Writer && db.status == "available" {
                let arn = db.arn.clone().ok_or_else(|| {
                    StepError::new(format!("{to} cluster {} has no ARN in its reading", db.id))
                })?;
                let failover = matches!(step.kind, StepKind::GlobalFailover { .. });
                if failover {
                    plan.warnings = lag_warnings(estate, db.lag);
                    plan.actions.push(Action::GlobalFailover {
                        global_cluster: global,
                        target_cluster_arn: arn,
                        side: *to,
                    });
                } else {
                    plan.warnings.push(format!(
                        "a switchover needs the {} region reachable to sync first",
                        to.other()
                    ));
                    plan.actions.push(Action::GlobalSwitchover {
                        global_cluster: global,
                        target_cluster_arn: arn,
                        side: *to,
                    });
                }
            } else if db.role != DbRole::Writer {
                plan.warnings
                    .push(format!("cluster is {}: change in progress", db.status));
            }
        }
        StepKind::ScaleServices { side, to, services } => {
            let reading = r.region(*side).await?;
            let read = section(&reading.services, "services", *side)?;
            let ecs = estate
                .ecs
                .as_ref()
                .ok_or_else(|| StepError::new("no [ecs] in the estate"))?;
            let mut cur = Vec::new();
            let mut tgt = Vec::new();
            for svc in services_of(estate, services) {
                let want = count_for(to, svc);
                let s = read.iter().find(|s| s.name == svc.name).ok_or_else(|| {
                    StepError::new(format!("{side} service {} not read", svc.name))
                })?;
                if !s.exists() {
                    return Err(StepError::new(format!(
                        "{side} service {} is {}",
                        svc.name, s.status
                    )));
                }
                cur.push(format!("{} {}/{}", s.name, s.running, s.desired));
                tgt.push(format!("{} {want}/{want}", s.name));
                if s.desired != want {
                    plan.actions.push(Action::ScaleService {
                        side: *side,
                        cluster: ecs.cluster(*side).to_string(),
                        service: svc.name.clone(),
                        desired: want,
                    });
                }
            }
            plan.current = format!("running/desired: {}", cur.join(", "));
            plan.target = tgt.join(", ");
        }
        StepKind::ForceDeployment { side, services } => {
            let reading = r.region(*side).await?;
            let read = section(&reading.services, "services", *side)?;
            let ecs = estate
                .ecs
                .as_ref()
                .ok_or_else(|| StepError::new("no [ecs] in the estate"))?;
            let mut cur = Vec::new();
            for svc in services_of(estate, services) {
                if let Some(s) = read.iter().find(|s| s.name == svc.name) {
                    cur.push(format!(
                        "{} {}",
                        s.name,
                        s.task_definition.clone().unwrap_or_default()
                    ));
                }
                let a = Action::ForceDeployment {
                    side: *side,
                    cluster: ecs.cluster(*side).to_string(),
                    service: svc.name.clone(),
                };
                // A forced deployment is not a state AWS shows: the journal says whether it was made.
                if !memo.calls_done.contains(&a.describe()) {
                    plan.actions.push(a);
                }
            }
            plan.current = cur.join(", ");
            plan.target = "a new deployment of each, steady".into();
        }
        StepKind::SetAsgCapacity { side, to, asgs } => {
            let reading = r.region(*side).await?;
            let read = section(&reading.asgs, "ASGs", *side)?;
            let mut cur = Vec::new();
            let mut tgt = Vec::new();
            for asg in estate.asgs.iter().filter(|a| {
                asgs.as_ref()
                    .is_none_or(|n| n.iter().any(|n| n == a.label()))
            }) {
                let name = asg.name_in(*side);
                let want = cap_for(to, asg);
                let a = read
                    .iter()
                    .find(|a| a.name == name && a.found)
                    .ok_or_else(|| StepError::new(format!("{side} ASG {name} not found")))?;
                cur.push(format!(
                    "{name} {}/{}/{} ({} InService)",
                    a.min, a.max, a.desired, a.in_service
                ));
                tgt.push(format!("{name} {}/{}/{}", want.min, want.max, want.desired));
                if (a.min, a.max, a.desired) != (want.min, want.max, want.desired) {
                    plan.actions.push(Action::SetAsgCapacity {
                        side: *side,
                        asg: name.to_string(),
                        capacity: want,
                    });
                }
            }
            plan.current = format!("min/max/desired: {}", cur.join(", "));
            plan.target = tgt.join(", ");
        }
        StepKind::RegisterTargets {
            side,
            target_groups,
        } => {
            let reading = r.region(*side).await?;
            let asgs = section(&reading.asgs, "ASGs", *side)?;
            let tgs = section(&reading.target_groups, "target groups", *side)?;
            let mut cur = Vec::new();
            for tg in target_groups_of(estate, target_groups) {
                let (instances, registered, healthy) = tg_state(estate, tg, *side, asgs, tgs)?;
                let missing: Vec<String> = instances
                    .iter()
                    .filter(|i| !registered.contains(i))
                    .cloned()
                    .collect();
                cur.push(format!(
                    "{}: {} InService, {} registered, {healthy} healthy",
                    tg.name,
                    instances.len(),
                    registered.len()
                ));
                if instances.is_empty() {
                    plan.warnings
                        .push(format!("{}: no InService instance to register", tg.name));
                }
                if !missing.is_empty() {
                    plan.actions.push(Action::RegisterTargets {
                        side: *side,
                        target_group_arn: tg.arn(*side).to_string(),
                        targets: missing,
                        port: tg.port,
                    });
                }
            }
            plan.current = cur.join("; ");
            plan.target = "every InService instance registered and healthy".into();
        }
        StepKind::MoveDns { to } => {
            let dns = estate
                .dns
                .as_ref()
                .ok_or_else(|| StepError::new("no [dns] in the estate"))?;
            let g = r.global().await?;
            let reading = match &g.dns {
                Some(Ok(d)) => d,
                Some(Err(e)) => return Err(StepError::new(format!("DNS record: {e}"))),
                None => return Err(StepError::new("DNS record not read")),
            };
            plan.current = format!(
                "{} -> {} ({})",
                dns.record,
                reading.value.clone().unwrap_or_else(|| "?".into()),
                reading
                    .points_at
                    .map(|s| s.to_string())
                    .unwrap_or_else(|| "unknown".into())
            );
            plan.target = format!("{} -> {} ({to})", dns.record, dns.value(*to));
            if reading.points_at != Some(*to) {
                plan.actions.push(Action::UpsertRecord {
                    zone_id: dns.zone_id.clone(),
                    record: dns.record.clone(),
                    record_type: dns.record_type.clone(),
                    ttl: dns.ttl,
                    value: dns.value(*to).to_string(),
                });
                plan.warnings.push(format!(
                    "clients follow within the record's TTL ({} s)",
                    dns.ttl
                ));
            }
        }
        StepKind::WriteEndpoint { side, database } => {
            let from = database.unwrap_or(*side);
            let reading = r.region(from).await?;
            let db = db_of(&reading, from)?;
            let value = db.endpoint.clone().ok_or_else(|| {
                StepError::new(format!("{from} database {} has no endpoint yet", db.id))
            })?;
            let mut cur = Vec::new();
            for store in stores(estate) {
                let now = r.endpoint(*side, &store).await?;
                cur.push(now.clone().unwrap_or_else(|| "(unset)".into()));
                if now.as_deref() != Some(value.as_str()) {
                    plan.actions.push(Action::WriteEndpoint {
                        side: *side,
                        store,
                        value: value.clone(),
                    });
                }
            }
            plan.current = cur.join(", ");
            plan.target = value;
        }
        StepKind::RecreateReplica {} => {
            let cfg = estate
                .database
                .as_ref()
                .filter(|d| d.kind == DatabaseKind::RdsReplica)
                .ok_or_else(|| StepError::new("recreate_replica needs an rds-replica database"))?;
            let standby = r.region(Side::Standby).await?;
            let primary_arn =
                |reading: &RegionReading| -> Result<(String, Option<String>), StepError> {
                    let p = db_of(reading, Side::Primary)?;
                    let arn = p.arn.clone().ok_or_else(|| {
                        StepError::new(format!("primary database {} has no ARN", p.id))
                    })?;
                    Ok((arn, p.instance_class.clone()))
                };
            plan.target = format!(
                "{} replica of the primary, available, lag known",
                cfg.standby
            );
            match &standby.database {
                Some(Ok(db)) => {
                    plan.current = role_text(db);
                    match &db.role {
                        DbRole::Replica { .. } => {
                            if db.status != "available" {
                                plan.warnings.push(format!(
                                    "replica is {}: creation in progress",
                                    db.status
                                ));
                            }
                        }
                        DbRole::Writer | DbRole::Standalone => {
                            let primary = r.region(Side::Primary).await?;
                            let (arn, class) = primary_arn(&primary)?;
                            let to = renamed_id(&db.id);
                            plan.warnings.push(format!(
                                "{} is no longer a replica: it is renamed to {to} (kept, not deleted) so the replica can take its name",
                                db.id
                            ));
                            plan.actions.push(Action::RenameDb {
                                side: Side::Standby,
                                from: db.id.clone(),
                                to,
                            });
                            plan.actions.push(Action::CreateReplica {
                                side: Side::Standby,
                                replica: cfg.standby.clone(),
                                source_arn: arn,
                                instance_class: cfg
                                    .replica_class
                                    .clone()
                                    .or(db.instance_class.clone())
                                    .or(class),
                            });
                        }
                    }
                }
                Some(Err(e)) if e.is_not_found() => {
                    plan.current = format!("{} absent", cfg.standby);
                    let primary = r.region(Side::Primary).await?;
                    let (arn, class) = primary_arn(&primary)?;
                    plan.actions.push(Action::CreateReplica {
                        side: Side::Standby,
                        replica: cfg.standby.clone(),
                        source_arn: arn,
                        instance_class: cfg.replica_class.clone().or(class),
                    });
                }
                Some(Err(e)) => return Err(StepError::new(format!("standby database: {e}"))),
                None => return Err(StepError::new("no [database] in the estate")),
            }
            plan.warnings
                .push("replica creation takes 8-15 minutes".into());
        }
        StepKind::Wait { until } => {
            let (ok, detail) = eval(until, r).await?;
            plan.current = detail;
            plan.target = until.to_string();
            let _ = ok;
        }
        StepKind::Manual { instruction } => {
            plan.instruction = Some(instruction.clone());
            plan.current = "waiting for the operator".into();
            plan.target = "acknowledged".into();
        }
        StepKind::Parallel { .. } => {
            return Err(StepError::new("a parallel group is planned step by step"));
        }
    }
    Ok(plan)
}

/// Whether AWS shows the step's target state now.
pub async fn verify(step: &StepSpec, memo: &StepMemo, r: &Reader) -> Result<Verdict, StepError> {
    let estate = &r.estate;
    let pending = |s: String| Ok(Verdict::Pending(s));
    match &step.kind {
        StepKind::Check { .. } | StepKind::Manual { .. } | StepKind::Parallel { .. } => {
            Ok(Verdict::Done("nothing to verify".into()))
        }
        StepKind::PromoteReplica {} => {
            let reading = r.region(Side::Standby).await?;
            let db = db_of(&reading, Side::Standby)?;
            if !matches!(db.role, DbRole::Replica { .. }) && db.status == "available" {
                Ok(Verdict::Done(format!("{} is a writer, available", db.id)))
            } else {
                pending(role_text(db))
            }
        }
        StepKind::GlobalSwitchover { to } | StepKind::GlobalFailover { to } => {
            let reading = r.region(*to).await?;
            let db = db_of(&reading, *to)?;
            if db.role == DbRole::Writer && db.status == "available" {
                Ok(Verdict::Done(format!("{} is the writer", db.id)))
            } else {
                pending(role_text(db))
            }
        }
        StepKind::ScaleServices { side, to, services } => {
            let reading = r.region(*side).await?;
            let read = section(&reading.services, "services", *side)?;
            let mut waiting = Vec::new();
            for svc in services_of(estate, services) {
                let want = count_for(to, svc);
                match read.iter().find(|s| s.name == svc.name) {
                    Some(s)
                        if s.desired == want
                            && s.running == want
                            && s.deployment == Deployment::Steady => {}
                    Some(s) => waiting.push(format!("{} {}/{}", s.name, s.running, want)),
                    None => waiting.push(format!("{} not read", svc.name)),
                }
            }
            if waiting.is_empty() {
                Ok(Verdict::Done(
                    "every service running its desired count, steady".into(),
                ))
            } else {
                pending(format!("running/desired: {}", waiting.join(", ")))
            }
        }
        StepKind::ForceDeployment { side, services } => {
            let reading = r.region(*side).await?;
            let read = section(&reading.services, "services", *side)?;
            let waiting: Vec<String> = services_of(estate, services)
                .iter()
                .filter_map(|svc| match read.iter().find(|s| s.name == svc.name) {
                    Some(s) if s.deployment == Deployment::Steady && s.running >= s.desired => None,
                    Some(s) => Some(format!(
                        "{} deploying ({}/{})",
                        s.name, s.running, s.desired
                    )),
                    None => Some(format!("{} not read", svc.name)),
                })
                .collect();
            if waiting.is_empty() {
                Ok(Verdict::Done("deployments steady".into()))
            } else {
                pending(waiting.join(", "))
            }
        }
        StepKind::SetAsgCapacity { side, to, asgs } => {
            let reading = r.region(*side).await?;
            let read = section(&reading.asgs, "ASGs", *side)?;
            let mut waiting = Vec::new();
            for asg in estate.asgs.iter().filter(|a| {
                asgs.as_ref()
                    .is_none_or(|n| n.iter().any(|n| n == a.label()))
            }) {
                let name = asg.name_in(*side);
                let want = cap_for(to, asg);
                match read.iter().find(|a| a.name == name) {
                    Some(a)
                        if (a.min, a.max, a.desired) == (want.min, want.max, want.desired)
                            && a.in_service >= want.desired => {}
                    Some(a) => waiting.push(format!(
                        "{name} {}/{} InService",
                        a.in_service, want.desired
                    )),
                    None => waiting.push(format!("{name} not read")),
                }
            }
            if waiting.is_empty() {
                Ok(Verdict::Done("InService ≥ desired".into()))
            } else {
                pending(waiting.join(", "))
            }
        }
        StepKind::RegisterTargets {
            side,
            target_groups,
        } => {
            let reading = r.region(*side).await?;
            let asgs = section(&reading.asgs, "ASGs", *side)?;
            let tgs = section(&reading.target_groups, "target groups", *side)?;
            let mut waiting = Vec::new();
            for tg in target_groups_of(estate, target_groups) {
                let (instances, registered, healthy) = tg_state(estate, tg, *side, asgs, tgs)?;
                let all_in = instances.iter().all(|i| registered.contains(i));
                if !all_in || (healthy as usize) < instances.len() {
                    waiting.push(format!(
                        "{}: {healthy}/{} healthy",
                        tg.name,
                        instances.len()
                    ));
                }
            }
            if waiting.is_empty() {
                Ok(Verdict::Done("targets healthy".into()))
            } else {
                pending(waiting.join(", "))
            }
        }
        StepKind::MoveDns { to } => {
            if let Some(id) = &memo.change_id
                && !r.dns_in_sync(id).await?
            {
                return pending(format!("change {id} PENDING"));
            }
            let g = r.global().await?;
            match &g.dns {
                Some(Ok(d)) if d.points_at == Some(*to) => Ok(Verdict::Done(format!(
                    "record points at {to}{}",
                    if memo.change_id.is_some() {
                        ", change INSYNC"
                    } else {
                        ""
                    }
                ))),
                Some(Ok(d)) => pending(format!(
                    "record points at {}",
                    d.value.clone().unwrap_or_else(|| "?".into())
                )),
                Some(Err(e)) => pending(format!("DNS record: {e}")),
                None => pending("DNS record not read".into()),
            }
        }
        StepKind::WriteEndpoint { side, database } => {
            let from = database.unwrap_or(*side);
            let reading = r.region(from).await?;
            let db = db_of(&reading, from)?;
            let value = db.endpoint.clone().unwrap_or_default();
            for store in stores(estate) {
                let now = r.endpoint(*side, &store).await?;
                if now.as_deref() != Some(value.as_str()) {
                    return pending(format!(
                        "read back {}",
                        now.unwrap_or_else(|| "(unset)".into())
                    ));
                }
            }
            Ok(Verdict::Done(format!("read back {value}")))
        }
        StepKind::RecreateReplica {} => {
            let reading = r.region(Side::Standby).await?;
            match &reading.database {
                Some(Ok(db)) => match (&db.role, db.status.as_str(), db.lag) {
                    (DbRole::Replica { .. }, "available", Lag::Known(s)) => {
                        Ok(Verdict::Done(format!(
                            "{} replicating, lag {}",
                            db.id,
                            humantime::format_duration(Duration::from_secs(s))
                        )))
                    }
                    _ => pending(format!("{}, lag {}", role_text(db), lag_text(db.lag))),
                },
                Some(Err(e)) => pending(format!("standby database: {e}")),
                None => Err(StepError::new("no [database] in the estate")),
            }
        }
        StepKind::Wait { until } => {
            let (ok, detail) = eval(until, r).await?;
            if ok {
                Ok(Verdict::Done(detail))
            } else {
                pending(detail)
            }
        }
    }
}

fn target_groups_of<'a>(
    estate: &'a Estate,
    names: &'a Option<Vec<String>>,
) -> impl Iterator<Item = &'a crate::config::TargetGroup> {
    estate
        .target_groups
        .iter()
        .filter(|t| t.asg.is_some())
        .filter(move |t| names.as_ref().is_none_or(|n| n.contains(&t.name)))
}

/// (InService instances of the group's ASG, registered targets, healthy count).
fn tg_state(
    estate: &Estate,
    tg: &crate::config::TargetGroup,
    side: Side,
    asgs: &[crate::model::AsgReading],
    tgs: &[crate::model::TargetGroupReading],
) -> Result<(Vec<String>, Vec<String>, u32), StepError> {
    let asg_cfg = tg
        .asg
        .as_ref()
        .and_then(|n| estate.asgs.iter().find(|a| a.label() == n))
        .ok_or_else(|| StepError::new(format!("target group {} has no ASG", tg.name)))?;
    let name = asg_cfg.name_in(side);
    let asg = asgs
        .iter()
        .find(|a| a.name == name && a.found)
        .ok_or_else(|| StepError::new(format!("{side} ASG {name} not found")))?;
    let group = tgs
        .iter()
        .find(|t| t.name == tg.name)
        .ok_or_else(|| StepError::new(format!("{side} target group {} not read", tg.name)))?;
    if let Some(e) = &group.error {
        return Err(StepError::new(format!(
            "{side} target group {}: {e}",
            tg.name
        )));
    }
    Ok((
        asg.instances.clone(),
        group.registered.clone(),
        group.healthy,
    ))
}

/// Evaluates a condition now: whether it holds, and what was seen.
pub async fn eval(c: &Condition, r: &Reader) -> Result<(bool, String), StepError> {
    let estate = &r.estate;
    match c {
        Condition::LagBelow(max) => {
            let reading = r.region(Side::Standby).await?;
            let db = db_of(&reading, Side::Standby)?;
            Ok(match db.lag {
                Lag::Known(s) => (
                    Duration::from_secs(s) < max.0,
                    format!("replica lag {}", lag_text(db.lag)),
                ),
                other => (false, format!("replica lag {}", lag_text(other))),
            })
        }
        Condition::LagKnown(want) => {
            let reading = r.region(Side::Standby).await?;
            let db = db_of(&reading, Side::Standby)?;
            let known = matches!(db.lag, Lag::Known(_));
            Ok((known == *want, format!("replica lag {}", lag_text(db.lag))))
        }
        Condition::HealthCheckHealthy(which) => {
            let g = r.global().await?;
            let checks = g
                .health_checks
                .as_ref()
                .map_err(|e| StepError::new(format!("health checks: {e}")))?;
            let chosen: Vec<_> = checks
                .iter()
                .filter(|h| match side_name(which) {
                    Some(s) => h.watches == s,
                    None => &h.id == which,
                })
                .collect();
            if chosen.is_empty() {
                return Ok((false, format!("no health check for {which}")));
            }
            let bad: Vec<String> = chosen
                .iter()
                .filter(|h| h.healthy != Some(true))
                .map(|h| {
                    format!(
                        "{} {}",
                        h.label,
                        match h.healthy {
                            Some(false) => "unhealthy",
                            _ => "unknown",
                        }
                    )
                })
                .collect();
            if bad.is_empty() {
                Ok((
                    true,
                    format!(
                        "{} healthy",
                        chosen
                            .iter()
                            .map(|h| h.label.as_str())
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                ))
            } else {
                Ok((false, bad.join(", ")))
            }
        }
        Condition::AlarmOk(name) => {
            let side = estate
                .alarms
                .iter()
                .find(|a| &a.name == name)
                .map(|a| a.region)
                .ok_or_else(|| StepError::new(format!("no alarm {name} in the estate")))?;
            let reading = r.region(side).await?;
            let alarms = section(&reading.alarms, "alarms", side)?;
            let state = alarms.iter().find(|a| &a.name == name).map(|a| a.state);
            Ok((
                state == Some(AlarmState::Ok),
                format!("alarm {name} {:?}", state.unwrap_or(AlarmState::Missing)),
            ))
        }
        Condition::ServiceRunning(side) => {
            let reading = r.region(*side).await?;
            let services = section(&reading.services, "services", *side)?;
            let bad: Vec<String> = services
                .iter()
                .filter(|s| {
                    !(s.exists() && s.running == s.desired && s.deployment == Deployment::Steady)
                })
                .map(|s| format!("{} {}/{}", s.name, s.running, s.desired))
                .collect();
            Ok((
                bad.is_empty(),
                if bad.is_empty() {
                    format!("{side} services running")
                } else {
                    bad.join(", ")
                },
            ))
        }
        Condition::RegionReachable(side) => match r.region(*side).await {
            Ok(_) => Ok((true, format!("{side} reachable"))),
            Err(e) => Ok((false, e.message)),
        },
        Condition::DatabaseAvailable(side) => {
            let reading = r.region(*side).await?;
            match &reading.database {
                Some(Ok(db)) => Ok((db.status == "available", role_text(db))),
                Some(Err(e)) => Ok((false, e.to_string())),
                None => Ok((false, "no database".into())),
            }
        }
        Condition::DatabaseWriter(side) => {
            let reading = r.region(*side).await?;
            match &reading.database {
                Some(Ok(db)) => Ok((
                    db.role == DbRole::Writer && db.status == "available",
                    role_text(db),
                )),
                Some(Err(e)) => Ok((false, e.to_string())),
                None => Ok((false, "no database".into())),
            }
        }
        Condition::RegionHealthy(side) => {
            let reading = r.region(*side).await?;
            let mut bad = Vec::new();
            if let Some(db) = &reading.database {
                match db {
                    Ok(db) if db.status == "available" => {}
                    Ok(db) => bad.push(role_text(db)),
                    Err(e) => bad.push(e.to_string()),
                }
            }
            match &reading.services {
                Ok(s) => bad.extend(
                    s.iter()
                        .filter(|s| s.running < s.desired)
                        .map(|s| format!("{} {}/{}", s.name, s.running, s.desired)),
                ),
                Err(e) => bad.push(e.to_string()),
            }
            let (hc_ok, hc) =
                Box::pin(eval(&Condition::HealthCheckHealthy(side.to_string()), r)).await?;
            if !hc_ok && estate.health_checks.iter().any(|h| h.region == *side) {
                bad.push(hc);
            }
            Ok((
                bad.is_empty(),
                if bad.is_empty() {
                    format!("{side} healthy")
                } else {
                    bad.join(", ")
                },
            ))
        }
        Condition::DnsPointsTo(side) => {
            let g = r.global().await?;
            match &g.dns {
                Some(Ok(d)) => Ok((
                    d.points_at == Some(*side),
                    format!("DNS -> {}", d.value.clone().unwrap_or_default()),
                )),
                Some(Err(e)) => Ok((false, e.to_string())),
                None => Ok((false, "no DNS".into())),
            }
        }
    }
}

/// How long verification may take by default: AWS's usual time for the step, with margin.
pub fn default_timeout(step: &StepSpec) -> Duration {
    let m = |n: u64| Duration::from_secs(n * 60);
    match &step.kind {
        StepKind::PromoteReplica {} => m(15),
        StepKind::GlobalSwitchover { .. } => m(6),
        StepKind::GlobalFailover { .. } => m(5),
        StepKind::ScaleServices { .. } => m(5),
        StepKind::ForceDeployment { .. } => m(10),
        StepKind::SetAsgCapacity { .. } => m(10),
        StepKind::RegisterTargets { .. } => m(5),
        StepKind::MoveDns { .. } => m(3),
        StepKind::WriteEndpoint { .. } => m(1),
        StepKind::RecreateReplica {} => m(25),
        StepKind::Wait {
            until: Condition::HealthCheckHealthy(_),
        } => m(5),
        StepKind::Wait { .. } => m(10),
        StepKind::Check { .. } | StepKind::Manual { .. } | StepKind::Parallel { .. } => m(1),
    }
}

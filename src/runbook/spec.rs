//! Runbooks as written in the estate file.
//!
//! A runbook is an ordered list of steps under `[runbooks.NAME]`. Steps run one after another;
//! a `parallel` step runs the steps inside it at the same time (confirmed once, as a group).
//! `failover` and `failback` are generated from the estate when the file does not write them
//! (see [`super::defaults`]); any other name is a drill the operator starts by name.
//!
//! ```toml
//! [runbooks.failover]
//! description = "Promote the replica and serve from us-west-2"
//!
//! [[runbooks.failover.steps]]
//! kind = "check"
//! title = "standby ready"
//! require = [{ region_reachable = "standby" }, { database_available = "standby" }]
//! warn = [{ lag_below = "5m" }, { region_reachable = "primary" }]
//!
//! [[runbooks.failover.steps]]
//! kind = "parallel"
//! title = "database and capacity"
//!
//!   [[runbooks.failover.steps.steps]]
//!   kind = "promote_replica"
//!
//!   [[runbooks.failover.steps.steps]]
//!   kind = "set_asg_capacity"
//!   side = "standby"
//!   to = "production"            # "production" | "standby" | { min = 2, max = 10, desired = 4 }
//!
//!   [[runbooks.failover.steps.steps]]
//!   kind = "scale_services"
//!   side = "standby"
//!   services = ["web", "api"]    # optional: every configured service when absent
//!   to = "production"            # "production" | "standby" | a number
//!
//! [[runbooks.failover.steps]]
//! kind = "register_targets"
//! side = "standby"               # target_groups = ["web"]: optional, every group with an `asg`
//!
//! [[runbooks.failover.steps]]
//! kind = "write_endpoint"
//! side = "standby"               # writes the standby database's endpoint there
//!
//! [[runbooks.failover.steps]]
//! kind = "force_deployment"
//! side = "standby"
//!
//! [[runbooks.failover.steps]]
//! kind = "move_dns"
//! to = "standby"
//!
//! [[runbooks.failover.steps]]
//! kind = "wait"
//! until = { health_check_healthy = "standby" }   # a side, or one health check id
//! timeout = "5m"
//!
//! [[runbooks.failover.steps]]
//! kind = "manual"
//! instruction = "Tell the payments provider to use the us-west-2 callback URL"
//! optional = true
//! ```
//!
//! Keys every step accepts: `id` (unique within the runbook; default: its position, `3` or
//! `2.1` inside a group), `title`, `timeout` (how long verification may take, e.g. `"10m"`;
//! each kind has a default from AWS's usual timings) and `optional` (the step may be skipped
//! without failing the run: use it for steps that need the primary region during a failover).
//!
//! Step kinds:
//!
//! | kind | keys | AWS calls | done when |
//! |---|---|---|---|
//! | `check` (alias `preflight`) | `require`, `warn`: lists of conditions | — | every `require` condition holds now |
//! | `promote_replica` | — | `PromoteReadReplica` (irreversible) | standby database no longer a replica and `available` |
//! | `global_switchover` | `to` (default `standby`) | `SwitchoverGlobalCluster` | that side's cluster is the writer |
//! | `global_failover` | `to` (default `standby`) | `FailoverGlobalCluster` (irreversible) | that side's cluster is the writer |
//! | `scale_services` | `side`, `to`, `services` | `UpdateService` desiredCount | running = desired, deployment steady |
//! | `force_deployment` | `side`, `services` | `UpdateService` forceNewDeployment | deployment steady |
//! | `set_asg_capacity` | `side`, `to`, `asgs` | `UpdateAutoScalingGroup` | InService ≥ desired |
//! | `register_targets` | `side`, `target_groups` | `RegisterTargets` (the ASG's InService instances) | those targets healthy |
//! | `move_dns` | `to` | `ChangeResourceRecordSets` UPSERT | change `INSYNC`, record points at `to` |
//! | `write_endpoint` | `side` (default `standby`), `database` (default = `side`) | `PutParameter` / `PutSecretValue` | value read back |
//! | `recreate_replica` | — | `ModifyDBInstance` (rename the promoted instance away), `CreateDBInstanceReadReplica` | replica `available`, lag known |
//! | `wait` | `until`: one condition | — | the condition holds |
//! | `manual` | `instruction` | — | the operator acknowledges |
//! | `parallel` | `steps` | the steps inside | all steps inside finished |
//!
//! Conditions (for `wait.until`, `check.require`, `check.warn`), each a one-key table:
//! `{ lag_below = "30s" }` (standby replica lag known and below), `{ lag_known = true }`,
//! `{ health_check_healthy = "standby" }` (every check watching that side, or one check id),
//! `{ alarm_ok = "orders-5xx" }`, `{ service_running = "standby" }` (every service running its
//! desired count, steady), `{ region_reachable = "primary" }`, `{ database_available = "standby" }`,
//! `{ database_writer = "standby" }`, `{ region_healthy = "primary" }` (reachable, database
//! available, services running, its health checks healthy), `{ dns_points_to = "standby" }`.

use std::collections::BTreeSet;
use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::config::{Capacity, DatabaseKind, Estate, HumanDuration};
use crate::model::Side;

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RunbookSpec {
    pub description: Option<String>,
    #[serde(default)]
    pub steps: Vec<StepSpec>,
}

/// One step: the keys every step has, and what it does.
#[derive(Debug, Clone, PartialEq)]
pub struct StepSpec {
    pub common: Common,
    pub kind: StepKind,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Common {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timeout: Option<HumanDuration>,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub optional: bool,
}

const COMMON_KEYS: [&str; 4] = ["id", "title", "timeout", "optional"];

/// What a step does. In the file, `kind = "..."` names the variant.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum StepKind {
    #[serde(alias = "preflight")]
    Check {
        #[serde(default)]
        require: Vec<Condition>,
        #[serde(default)]
        warn: Vec<Condition>,
    },
    PromoteReplica {},
    GlobalSwitchover {
        #[serde(default = "standby")]
        to: Side,
    },
    GlobalFailover {
        #[serde(default = "standby")]
        to: Side,
    },
    ScaleServices {
        side: Side,
        to: Count,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        services: Option<Vec<String>>,
    },
    ForceDeployment {
        side: Side,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        services: Option<Vec<String>>,
    },
    SetAsgCapacity {
        side: Side,
        to: CapacityTarget,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        asgs: Option<Vec<String>>,
    },
    RegisterTargets {
        side: Side,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        target_groups: Option<Vec<String>>,
    },
    MoveDns {
        to: Side,
    },
    WriteEndpoint {
        #[serde(default = "standby")]
        side: Side,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        database: Option<Side>,
    },
    RecreateReplica {},
    Wait {
        until: Condition,
    },
    Manual {
        instruction: String,
    },
    Parallel {
        steps: Vec<StepSpec>,
    },
}

fn standby() -> Side {
    Side::Standby
}

/// A desired count: the estate's `production` or `standby` count, or an explicit number.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Count {
    Production,
    Standby,
    Exactly(u32),
}

/// A capacity: the estate's `production` or `standby` capacity, or an explicit one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CapacityTarget {
    Production,
    Standby,
    Exactly(Capacity),
}

/// A fact about the estate that a `wait` step waits for and a `check` step checks.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum Condition {
    LagBelow(HumanDuration),
    LagKnown(bool),
    /// `primary`, `standby`, or one health check id.
    HealthCheckHealthy(String),
    AlarmOk(String),
    ServiceRunning(Side),
    RegionReachable(Side),
    DatabaseAvailable(Side),
    DatabaseWriter(Side),
    RegionHealthy(Side),
    DnsPointsTo(Side),
}

impl fmt::Display for Condition {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Condition::LagBelow(d) => write!(f, "replica lag below {d}"),
            Condition::LagKnown(true) => f.write_str("replica lag known"),
            Condition::LagKnown(false) => f.write_str("replica lag unknown"),
            Condition::HealthCheckHealthy(h) => match side_name(h) {
                Some(s) => write!(f, "{s} health checks healthy"),
                None => write!(f, "health check {h} healthy"),
            },
            Condition::AlarmOk(a) => write!(f, "alarm {a} OK"),
            Condition::ServiceRunning(s) => write!(f, "{s} services running"),
            Condition::RegionReachable(s) => write!(f, "{s} reachable"),
            Condition::DatabaseAvailable(s) => write!(f, "{s} database available"),
            Condition::DatabaseWriter(s) => write!(f, "{s} database is the writer"),
            Condition::RegionHealthy(s) => write!(f, "{s} healthy"),
            Condition::DnsPointsTo(s) => write!(f, "DNS points at {s}"),
        }
    }
}

/// `"primary"` / `"standby"` as a side; anything else is a health check id.
pub fn side_name(text: &str) -> Option<Side> {
    match text {
        "primary" => Some(Side::Primary),
        "standby" => Some(Side::Standby),
        _ => None,
    }
}

impl StepSpec {
    pub fn new(kind: StepKind) -> StepSpec {
        StepSpec {
            common: Common::default(),
            kind,
        }
    }
    pub fn titled(mut self, title: &str) -> StepSpec {
        self.common.title = Some(title.to_string());
        self
    }
    pub fn optional(mut self) -> StepSpec {
        self.common.optional = true;
        self
    }
    pub fn with_timeout(mut self, timeout: std::time::Duration) -> StepSpec {
        self.common.timeout = Some(HumanDuration(timeout));
        self
    }
    pub fn with_id(mut self, id: &str) -> StepSpec {
        self.common.id = Some(id.to_string());
        self
    }

    /// The kind as written in the file.
    pub fn kind_name(&self) -> &'static str {
        match &self.kind {
            StepKind::Check { .. } => "check",
            StepKind::PromoteReplica {} => "promote_replica",
            StepKind::GlobalSwitchover { .. } => "global_switchover",
            StepKind::GlobalFailover { .. } => "global_failover",
            StepKind::ScaleServices { .. } => "scale_services",
            StepKind::ForceDeployment { .. } => "force_deployment",
            StepKind::SetAsgCapacity { .. } => "set_asg_capacity",
            StepKind::RegisterTargets { .. } => "register_targets",
            StepKind::MoveDns { .. } => "move_dns",
            StepKind::WriteEndpoint { .. } => "write_endpoint",
            StepKind::RecreateReplica {} => "recreate_replica",
            StepKind::Wait { .. } => "wait",
            StepKind::Manual { .. } => "manual",
            StepKind::Parallel { .. } => "parallel",
        }
    }

    /// The title shown in the action pane: written, or made from the kind and its keys.
    pub fn title(&self) -> String {
        if let Some(t) = &self.common.title {
            return t.clone();
        }
        let count = |c: &Count| match c {
            Count::Production => "production count".to_string(),
            Count::Standby => "standby count".to_string(),
            Count::Exactly(n) => n.to_string(),
        };
        let cap = |c: &CapacityTarget| match c {
            CapacityTarget::Production => "production capacity".to_string(),
            CapacityTarget::Standby => "standby capacity".to_string(),
            CapacityTarget::Exactly(c) => format!("{}/{}/{}", c.min, c.max, c.desired),
        };
        match &self.kind {
            StepKind::Check { .. } => "preflight checks".into(),
            StepKind::PromoteReplica {} => "promote the standby replica".into(),
            StepKind::GlobalSwitchover { to } => format!("switch the global database over to {to}"),
            StepKind::GlobalFailover { to } => format!("fail the global database over to {to}"),
            StepKind::ScaleServices { side, to, .. } => {
                format!("scale {side} ECS services to {}", count(to))
            }
            StepKind::ForceDeployment { side, .. } => {
                format!("force a new deployment of {side} ECS services")
            }
            StepKind::SetAsgCapacity { side, to, .. } => {
                format!("set {side} ASGs to {}", cap(to))
            }
            StepKind::RegisterTargets { side, .. } => {
                format!("register {side} instances with target groups")
            }
            StepKind::MoveDns { to } => format!("move DNS to {to}"),
            StepKind::WriteEndpoint { side, database } => format!(
                "write the {} database endpoint in {side}",
                database.unwrap_or(*side)
            ),
            StepKind::RecreateReplica {} => "recreate the cross-region replica".into(),
            StepKind::Wait { until } => format!("wait until {until}"),
            StepKind::Manual { instruction } => format!("manual: {instruction}"),
            StepKind::Parallel { steps } => steps
                .iter()
                .map(|s| s.title())
                .collect::<Vec<_>>()
                .join(" | "),
        }
    }
}

impl<'de> Deserialize<'de> for StepSpec {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        use serde::de::Error;
        // Split the keys every step has from the kind's own, so that both are checked for
        // unknown names (serde's `flatten` would lose `deny_unknown_fields`).
        let value = serde_json::Value::deserialize(d)?;
        let serde_json::Value::Object(mut map) = value else {
            return Err(D::Error::custom("expected a step table with a `kind` key"));
        };
        let mut common = serde_json::Map::new();
        for key in COMMON_KEYS {
            if let Some(v) = map.remove(key) {
                common.insert(key.to_string(), v);
            }
        }
        let kind_name = map
            .get("kind")
            .and_then(|k| k.as_str())
            .unwrap_or("?")
            .to_string();
        if !map.contains_key("kind") {
            return Err(D::Error::custom("expected a `kind` key in every step"));
        }
        let common: Common = serde_json::from_value(serde_json::Value::Object(common))
            .map_err(|e| D::Error::custom(format!("step {kind_name}: {e}")))?;
        let kind: StepKind = serde_json::from_value(serde_json::Value::Object(map))
            .map_err(|e| D::Error::custom(format!("step {kind_name}: {e}")))?;
        Ok(StepSpec { common, kind })
    }
}

impl Serialize for StepSpec {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::Error;
        let mut map = match serde_json::to_value(&self.kind).map_err(S::Error::custom)? {
            serde_json::Value::Object(m) => m,
            _ => serde_json::Map::new(),
        };
        if let serde_json::Value::Object(c) =
            serde_json::to_value(&self.common).map_err(S::Error::custom)?
        {
            map.extend(c);
        }
        map.serialize(s)
    }
}

impl<'de> Deserialize<'de> for Count {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        use serde::de::Error;
        match serde_json::Value::deserialize(d)? {
            serde_json::Value::String(s) if s == "production" => Ok(Count::Production),
            serde_json::Value::String(s) if s == "standby" => Ok(Count::Standby),
            serde_json::Value::Number(n) if n.as_u64().is_some_and(|n| n <= u32::MAX as u64) => {
                Ok(Count::Exactly(n.as_u64().unwrap_or(0) as u32))
            }
            other => Err(D::Error::custom(format!(
                "expected \"production\", \"standby\" or a count, found {other}"
            ))),
        }
    }
}

impl Serialize for Count {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Count::Production => s.serialize_str("production"),
            Count::Standby => s.serialize_str("standby"),
            Count::Exactly(n) => s.serialize_u32(*n),
        }
    }
}

impl<'de> Deserialize<'de> for CapacityTarget {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        use serde::de::Error;
        match serde_json::Value::deserialize(d)? {
            serde_json::Value::String(s) if s == "production" => Ok(CapacityTarget::Production),
            serde_json::Value::String(s) if s == "standby" => Ok(CapacityTarget::Standby),
            v @ serde_json::Value::Object(_) => {
                let c: Capacity = serde_json::from_value(v).map_err(|e| {
                    D::Error::custom(format!("expected {{ min, max, desired }}: {e}"))
                })?;
                if !(c.min <= c.desired && c.desired <= c.max) {
                    return Err(D::Error::custom(format!(
                        "expected min <= desired <= max, found min {} desired {} max {}",
                        c.min, c.desired, c.max
                    )));
                }
                Ok(CapacityTarget::Exactly(c))
            }
            other => Err(D::Error::custom(format!(
                "expected \"production\", \"standby\" or {{ min, max, desired }}, found {other}"
            ))),
        }
    }
}

impl Serialize for CapacityTarget {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            CapacityTarget::Production => s.serialize_str("production"),
            CapacityTarget::Standby => s.serialize_str("standby"),
            CapacityTarget::Exactly(c) => c.serialize(s),
        }
    }
}

impl RunbookSpec {
    /// Checks every name a step refers to against the estate, and that ids are unique.
    pub fn validate(&self, estate: &Estate) -> Result<(), String> {
        if self.steps.is_empty() {
            return Err("expected at least one step in `steps`".into());
        }
        let mut ids = BTreeSet::new();
        for (i, step) in self.steps.iter().enumerate() {
            validate_step(step, &format!("{}", i + 1), estate, &mut ids, false)?;
        }
        Ok(())
    }

    /// The same steps with every parallel group unrolled in order: how a sequential script runs.
    pub fn sequential(&self) -> RunbookSpec {
        fn flatten(steps: &[StepSpec], out: &mut Vec<StepSpec>) {
            for s in steps {
                match &s.kind {
                    StepKind::Parallel { steps } => flatten(steps, out),
                    _ => out.push(s.clone()),
                }
            }
        }
        let mut steps = Vec::new();
        flatten(&self.steps, &mut steps);
        RunbookSpec {
            description: self.description.clone(),
            steps,
        }
    }
}

/// Gives every step an id: written ones are kept, others get their position (`3`, `2.1`).
pub fn assign_ids(steps: &mut [StepSpec], prefix: &str) {
    for (i, step) in steps.iter_mut().enumerate() {
        let pos = if prefix.is_empty() {
            format!("{}", i + 1)
        } else {
            format!("{prefix}.{}", i + 1)
        };
        if step.common.id.is_none() {
            step.common.id = Some(pos.clone());
        }
        let id = step.common.id.clone().unwrap_or(pos);
        if let StepKind::Parallel { steps } = &mut step.kind {
            assign_ids(steps, &id);
        }
    }
}

fn validate_step(
    step: &StepSpec,
    pos: &str,
    estate: &Estate,
    ids: &mut BTreeSet<String>,
    in_group: bool,
) -> Result<(), String> {
    let at = |m: String| format!("step {pos} ({}): {m}", step.kind_name());
    if let Some(id) = &step.common.id {
        if id.is_empty() {
            return Err(at("expected a non-empty `id`".into()));
        }
        if !ids.insert(id.clone()) {
            return Err(at(format!("duplicate step id {id:?}")));
        }
    }
    let db = estate.database.as_ref();
    let need_kind = |kind: DatabaseKind, what: &str| -> Result<(), String> {
        match db {
            Some(d) if d.kind == kind => Ok(()),
            Some(_) | None => Err(at(format!(
                "expected [database] kind = {:?} for {what}",
                match kind {
                    DatabaseKind::RdsReplica => "rds-replica",
                    DatabaseKind::AuroraGlobal => "aurora-global",
                }
            ))),
        }
    };
    let known_services = |names: &Option<Vec<String>>| -> Result<(), String> {
        if estate.ecs.is_none() {
            return Err(at("expected an [ecs] section".into()));
        }
        for n in names.iter().flatten() {
            if !estate.services().iter().any(|s| &s.name == n) {
                return Err(at(format!(
                    "expected the name of a service in [[ecs.services]], found {n:?}"
                )));
            }
        }
        Ok(())
    };
    match &step.kind {
        StepKind::Check { require, warn } => {
            if require.is_empty() && warn.is_empty() {
                return Err(at("expected conditions in `require` or `warn`".into()));
            }
            for c in require.iter().chain(warn) {
                validate_condition(c, estate).map_err(at)?;
            }
        }
        StepKind::PromoteReplica {} => need_kind(DatabaseKind::RdsReplica, "promote_replica")?,
        StepKind::RecreateReplica {} => need_kind(DatabaseKind::RdsReplica, "recreate_replica")?,
        StepKind::GlobalSwitchover { .. } | StepKind::GlobalFailover { .. } => {
            need_kind(DatabaseKind::AuroraGlobal, step.kind_name())?
        }
        StepKind::ScaleServices { services, .. } | StepKind::ForceDeployment { services, .. } => {
            known_services(services)?
        }
        StepKind::SetAsgCapacity { asgs, .. } => {
            if estate.asgs.is_empty() {
                return Err(at("expected [[asgs]] in the estate".into()));
            }
            for n in asgs.iter().flatten() {
                if !estate.asgs.iter().any(|a| a.label() == n) {
                    return Err(at(format!(
                        "expected the name of an ASG in [[asgs]], found {n:?}"
                    )));
                }
            }
        }
        StepKind::RegisterTargets { target_groups, .. } => {
            for n in target_groups.iter().flatten() {
                match estate.target_groups.iter().find(|t| &t.name == n) {
                    None => {
                        return Err(at(format!(
                            "expected the name of a target group in [[target_groups]], found {n:?}"
                        )));
                    }
                    Some(t) if t.asg.is_none() => {
                        return Err(at(format!(
                            "target group {n:?} has no `asg` whose instances to register"
                        )));
                    }
                    Some(_) => {}
                }
            }
            if !estate.target_groups.iter().any(|t| t.asg.is_some()) {
                return Err(at("expected a [[target_groups]] entry with an `asg`".into()));
            }
        }
        StepKind::MoveDns { .. } => {
            if estate.dns.is_none() {
                return Err(at("expected a [dns] section".into()));
            }
        }
        StepKind::WriteEndpoint { .. } => match db {
            Some(d) if d.endpoint_parameter.is_some() || d.endpoint_secret.is_some() => {}
            _ => {
                return Err(at(
                    "expected [database] endpoint_parameter or endpoint_secret".into(),
                ));
            }
        },
        StepKind::Wait { until } => validate_condition(until, estate).map_err(at)?,
        StepKind::Manual { instruction } => {
            if instruction.trim().is_empty() {
                return Err(at("expected a non-empty `instruction`".into()));
            }
        }
        StepKind::Parallel { steps } => {
            if in_group {
                return Err(at("parallel groups cannot be nested".into()));
            }
            if steps.is_empty() {
                return Err(at("expected steps inside the parallel group".into()));
            }
            for (i, s) in steps.iter().enumerate() {
                if matches!(s.kind, StepKind::Manual { .. }) {
                    return Err(at("a manual step cannot run inside a parallel group".into()));
                }
                validate_step(s, &format!("{pos}.{}", i + 1), estate, ids, true)?;
            }
        }
    }
    Ok(())
}

fn validate_condition(c: &Condition, estate: &Estate) -> Result<(), String> {
    match c {
        Condition::LagBelow(_) | Condition::LagKnown(_) => {
            if estate.database.is_none() {
                return Err(format!("{c}: expected a [database] section"));
            }
        }
        Condition::DatabaseAvailable(_) | Condition::DatabaseWriter(_) => {
            if estate.database.is_none() {
                return Err(format!("{c}: expected a [database] section"));
            }
        }
        Condition::HealthCheckHealthy(h) => {
            if side_name(h).is_none() && !estate.health_checks.iter().any(|c| &c.id == h) {
                return Err(format!(
                    "expected \"primary\", \"standby\" or the id of a [[health_checks]] entry, found {h:?}"
                ));
            }
        }
        Condition::AlarmOk(a) => {
            if !estate.alarms.iter().any(|x| &x.name == a) {
                return Err(format!(
                    "expected the name of an alarm in [[alarms]], found {a:?}"
                ));
            }
        }
        Condition::ServiceRunning(_) => {
            if estate.ecs.is_none() {
                return Err(format!("{c}: expected an [ecs] section"));
            }
        }
        Condition::DnsPointsTo(_) => {
            if estate.dns.is_none() {
                return Err(format!("{c}: expected a [dns] section"));
            }
        }
        Condition::RegionReachable(_) | Condition::RegionHealthy(_) => {}
    }
    Ok(())
}

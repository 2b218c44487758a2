//! Values steps are written with: counts, capacities and conditions. Shared by several step
//! kinds, and checked against the estate here, where the estate's names are known.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::config::{Asg, Capacity, EcsService, Estate, HumanDuration};
use crate::model::Side;

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
    /// The side's database is a replica of the other side's writer, available, lag known.
    ReplicaOf(Side),
    /// The side's replica has applied everything its writer holds (lag 0).
    CaughtUp(Side),
    /// The side's endpoint stores can take a new endpoint without damage: a JSON secret holds
    /// `endpoint_secret_key`, a plain one is plain while no key is named.
    EndpointWritable(Side),
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
            Condition::ReplicaOf(s) => {
                write!(f, "{s} database replicates from the {} writer", s.other())
            }
            Condition::CaughtUp(s) => write!(f, "{s} replica caught up (lag 0)"),
            Condition::EndpointWritable(s) => write!(f, "{s} endpoint stores writable"),
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

impl Count {
    /// The desired count of `svc` this names.
    pub fn for_service(&self, svc: &EcsService) -> u32 {
        match self {
            Count::Production => svc.production,
            Count::Standby => svc.standby,
            Count::Exactly(n) => *n,
        }
    }
}

impl fmt::Display for Count {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Count::Production => f.write_str("production count"),
            Count::Standby => f.write_str("standby count"),
            Count::Exactly(n) => write!(f, "{n}"),
        }
    }
}

impl CapacityTarget {
    /// The capacity of `asg` this names.
    pub fn for_asg(&self, asg: &Asg) -> Capacity {
        match self {
            CapacityTarget::Production => asg.production,
            CapacityTarget::Standby => asg.standby,
            CapacityTarget::Exactly(c) => *c,
        }
    }
}

impl fmt::Display for CapacityTarget {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CapacityTarget::Production => f.write_str("production capacity"),
            CapacityTarget::Standby => f.write_str("standby capacity"),
            CapacityTarget::Exactly(c) => write!(f, "{}/{}/{}", c.min, c.max, c.desired),
        }
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

impl Condition {
    /// Checks the names the condition refers to against the estate.
    pub fn check(&self, estate: &Estate) -> Result<(), String> {
        validate_condition(self, estate)
    }

    /// The regions the condition is read from (Route 53 is not one).
    pub fn sides(&self, estate: &Estate) -> Vec<Side> {
        match self {
            Condition::LagBelow(_) | Condition::LagKnown(_) => vec![Side::Standby],
            Condition::HealthCheckHealthy(_) | Condition::DnsPointsTo(_) => Vec::new(),
            Condition::AlarmOk(name) => estate
                .alarms
                .iter()
                .filter(|a| &a.name == name)
                .map(|a| a.region)
                .collect(),
            Condition::ServiceRunning(s)
            | Condition::RegionReachable(s)
            | Condition::DatabaseAvailable(s)
            | Condition::DatabaseWriter(s)
            | Condition::RegionHealthy(s)
            | Condition::CaughtUp(s)
            | Condition::EndpointWritable(s) => vec![*s],
            Condition::ReplicaOf(_) => Side::BOTH.to_vec(),
        }
    }
}

fn validate_condition(c: &Condition, estate: &Estate) -> Result<(), String> {
    match c {
        Condition::LagBelow(_) | Condition::LagKnown(_) => {
            if estate.database.is_none() {
                return Err(format!("{c}: expected a [database] section"));
            }
        }
        Condition::DatabaseAvailable(_)
        | Condition::DatabaseWriter(_)
        | Condition::ReplicaOf(_)
        | Condition::CaughtUp(_) => {
            if estate.database.is_none() {
                return Err(format!("{c}: expected a [database] section"));
            }
        }
        Condition::EndpointWritable(_) => {
            if !estate
                .database
                .as_ref()
                .is_some_and(|d| d.endpoint_parameter.is_some() || d.endpoint_secret.is_some())
            {
                return Err(format!(
                    "{c}: expected [database] endpoint_parameter or endpoint_secret"
                ));
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

//! What the backends read and the dashboard shows: plain data, no AWS SDK types.

use std::fmt;
use std::time::Duration;

use serde::{Deserialize, Serialize};

/// One of the estate's two regions, by role (not by AWS region name).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Side {
    Primary,
    Standby,
}

impl Side {
    pub const BOTH: [Side; 2] = [Side::Primary, Side::Standby];
    pub fn other(self) -> Side {
        match self {
            Side::Primary => Side::Standby,
            Side::Standby => Side::Primary,
        }
    }
    pub fn as_str(self) -> &'static str {
        match self {
            Side::Primary => "primary",
            Side::Standby => "standby",
        }
    }
}

impl fmt::Display for Side {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Where a poller reads from: one region's services, or the global Route 53 view.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Scope {
    Region(Side),
    Global,
}

impl fmt::Display for Scope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Scope::Region(s) => write!(f, "{s}"),
            Scope::Global => f.write_str("route53"),
        }
    }
}

/// What kind of failure an AWS (or simulated) call met. Decisions are made on this, never on
/// the text of an error.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorKind {
    /// The endpoint did not answer in time, or refused the connection.
    Unreachable,
    Throttled,
    AccessDenied,
    Credentials,
    /// The resource does not exist.
    NotFound,
    Other,
}

/// Why a section of a reading could not be read: its kind, for decisions, and the full text,
/// for the panel that shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SectionError {
    pub kind: ErrorKind,
    pub message: String,
}

impl SectionError {
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> SectionError {
        SectionError {
            kind,
            message: message.into(),
        }
    }
    pub fn is_not_found(&self) -> bool {
        self.kind == ErrorKind::NotFound
    }
}

impl fmt::Display for SectionError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

/// A section of a reading: its data, or why it could not be read (shown on its panel).
pub type Section<T> = Result<T, SectionError>;

/// Replica lag as AWS reports it. `-1` (replication not running) is `Stopped`, never 0.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "state", content = "seconds", rename_all = "snake_case")]
pub enum Lag {
    Known(u64),
    Stopped,
    NoData,
}

impl Lag {
    /// Interprets a CloudWatch `ReplicaLag` datapoint in seconds.
    pub fn from_metric(value: Option<f64>) -> Lag {
        match value {
            None => Lag::NoData,
            Some(v) if v < 0.0 => Lag::Stopped,
            Some(v) => Lag::Known(v.round() as u64),
        }
    }
    pub fn known(self) -> Option<Duration> {
        match self {
            Lag::Known(s) => Some(Duration::from_secs(s)),
            _ => None,
        }
    }
}

/// `8s` / `2m05s`, `replication stopped`, `no data`.
impl fmt::Display for Lag {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Lag::Known(s) => f.write_str(&crate::timefmt::secs(*s)),
            Lag::Stopped => f.write_str("replication stopped"),
            Lag::NoData => f.write_str("no data"),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum DbRole {
    /// Accepts writes (a primary instance, or the writer cluster of a global database).
    Writer,
    /// Replicates from `source`.
    Replica { source: String },
    /// Neither: e.g. a promoted replica still settling, or a detached cluster.
    Standalone,
}

impl DbRole {
    /// `writer`, `replica` or `standalone` (a replica's source is not included).
    pub fn as_str(&self) -> &'static str {
        match self {
            DbRole::Writer => "writer",
            DbRole::Replica { .. } => "replica",
            DbRole::Standalone => "standalone",
        }
    }
}

impl fmt::Display for DbRole {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DbReading {
    pub id: String,
    pub role: DbRole,
    /// AWS status text: `available`, `modifying`, `backing-up`, ...
    pub status: String,
    /// Lag of this database behind its source (only meaningful for a replica).
    pub lag: Lag,
    pub endpoint: Option<String>,
    pub engine: Option<String>,
    pub instance_class: Option<String>,
    pub arn: Option<String>,
    /// The last transaction id the database applied (only the simulator knows it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub applied_txn: Option<u64>,
}

impl DbReading {
    /// Whether this database replicates from `writer`: AWS names a cross-region source by
    /// ARN, the simulator by ARN or (Aurora) by the global cluster `global`.
    pub fn replicates_from(&self, writer: &DbReading, global: Option<&str>) -> bool {
        let DbRole::Replica { source } = &self.role else {
            return false;
        };
        source == &writer.id
            || writer.arn.as_deref() == Some(source.as_str())
            || source.ends_with(&format!(":db:{}", writer.id))
            || source.ends_with(&format!(":cluster:{}", writer.id))
            || global
                .is_some_and(|g| source == g || source.ends_with(&format!(":global-cluster:{g}")))
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Deployment {
    Steady,
    InProgress,
    Failed,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ServiceReading {
    pub name: String,
    /// ECS status (`ACTIVE`, `DRAINING`, `INACTIVE`), or `MISSING` when the service does not exist.
    pub status: String,
    pub desired: u32,
    pub running: u32,
    pub pending: u32,
    pub deployment: Deployment,
    pub task_definition: Option<String>,
}

impl ServiceReading {
    pub fn missing(name: &str) -> ServiceReading {
        ServiceReading {
            name: name.to_string(),
            status: "MISSING".into(),
            desired: 0,
            running: 0,
            pending: 0,
            deployment: Deployment::Steady,
            task_definition: None,
        }
    }
    pub fn exists(&self) -> bool {
        self.status == "ACTIVE"
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AsgReading {
    pub name: String,
    pub found: bool,
    pub min: u32,
    pub max: u32,
    pub desired: u32,
    pub in_service: u32,
    /// Instance ids that are InService (what gets registered with target groups).
    #[serde(default)]
    pub instances: Vec<String>,
}

impl AsgReading {
    pub fn missing(name: &str) -> AsgReading {
        AsgReading {
            name: name.to_string(),
            found: false,
            min: 0,
            max: 0,
            desired: 0,
            in_service: 0,
            instances: Vec::new(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TargetGroupReading {
    pub name: String,
    /// The error for this group alone (e.g. it does not exist), shown on its row.
    pub error: Option<String>,
    pub healthy: u32,
    pub unhealthy: u32,
    /// initial, draining, unused, unavailable.
    pub other: u32,
    #[serde(default)]
    pub registered: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum AlarmState {
    Ok,
    Alarm,
    InsufficientData,
    /// No alarm of that name exists.
    Missing,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AlarmReading {
    pub name: String,
    pub state: AlarmState,
}

/// Everything one region reports in one poll cycle.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RegionReading {
    /// The database of the estate in this region (absent when no database is configured).
    pub database: Option<Section<DbReading>>,
    pub services: Section<Vec<ServiceReading>>,
    pub asgs: Section<Vec<AsgReading>>,
    pub target_groups: Section<Vec<TargetGroupReading>>,
    pub alarms: Section<Vec<AlarmReading>>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HealthCheckReading {
    pub id: String,
    pub label: String,
    pub watches: Side,
    /// `None` when the check does not exist or reports nothing.
    pub healthy: Option<bool>,
    pub checkers_ok: u32,
    pub checkers_total: u32,
    pub error: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DnsReading {
    pub record: String,
    pub value: Option<String>,
    pub points_at: Option<Side>,
}

/// Route 53: global, read through the standby's credentials so it never depends on the primary.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GlobalReading {
    pub health_checks: Section<Vec<HealthCheckReading>>,
    pub dns: Option<Section<DnsReading>>,
}

/// Writes acknowledged by the application and writes lost, where a backend can count them
/// (the simulator models its data; AWS does not expose such a count).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct DataLedger {
    pub acknowledged: u64,
    /// Acknowledged writes held by no database serving as the writer; `None` while none serves.
    pub lost: Option<u64>,
}

/// Route 53's rule: a check is healthy while more than 18 % of its checkers report success.
pub fn route53_healthy(ok: u32, total: u32) -> Option<bool> {
    (total > 0).then(|| (ok as f64) / (total as f64) > 0.18)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lag_and_role_texts() {
        assert_eq!(Lag::Known(8).to_string(), "8s");
        assert_eq!(Lag::Known(125).to_string(), "2m05s");
        assert_eq!(Lag::Stopped.to_string(), "replication stopped");
        assert_eq!(Lag::NoData.to_string(), "no data");
        assert_eq!(DbRole::Writer.to_string(), "writer");
        let replica = DbRole::Replica {
            source: "arn:db".into(),
        };
        assert_eq!(replica.to_string(), "replica");
        assert_eq!(DbRole::Standalone.to_string(), "standalone");
    }
}

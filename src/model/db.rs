//! A database as read: its role (writer, replica or standalone), status and replica lag.

use std::fmt;
use std::time::Duration;

use serde::{Deserialize, Serialize};

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

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
    /// No database runs: it exists only as recovery points in an AWS Backup vault, from
    /// which a failover restores it (`backup-restore`).
    Backup,
}

impl DbRole {
    /// `writer`, `replica` or `standalone` (a replica's source is not included).
    pub fn as_str(&self) -> &'static str {
        match self {
            DbRole::Writer => "writer",
            DbRole::Replica { .. } => "replica",
            DbRole::Standalone => "standalone",
            DbRole::Backup => "backup",
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
    /// An Aurora member AWS has not rebuilt as a secondary yet, after a failover with data
    /// loss (`SynchronizationStatus: pending-resync`): it replicates from nothing. Beside
    /// `status`, never in it, so that a check of the status reads AWS's own word.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub pending_resync: bool,
    /// What the kind of database adds: an Aurora global database's members, or the
    /// recovery point a warm standby restores from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail: Option<DbDetail>,
}

impl DbReading {
    /// The standby of `backup-restore` while no database runs there (`id`: the name a
    /// restore creates): its status says whether a restore is under way, and its lag is the
    /// newest recovery point's age (the writes a restore now would lack).
    pub fn restorable(id: &str, b: BackupReading) -> DbReading {
        DbReading {
            id: id.to_string(),
            role: DbRole::Backup,
            status: match (&b.restore_job, &b.recovery_point) {
                (Some(j), _) if j.under_way() => "restoring".into(),
                (_, Some(_)) => "not restored".into(),
                (_, None) => "no recovery point".into(),
            },
            lag: b
                .recovery_point
                .as_ref()
                .map(|p| Lag::Known(p.age_secs))
                .unwrap_or(Lag::NoData),
            endpoint: None,
            engine: None,
            instance_class: None,
            arn: None,
            applied_txn: None,
            pending_resync: false,
            detail: Some(DbDetail::Backup(b)),
        }
    }
}

/// What one kind of database adds to its reading.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum DbDetail {
    Global(GlobalClusterReading),
    Backup(BackupReading),
}

/// An Aurora global database as `DescribeGlobalClusters` shows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GlobalClusterReading {
    pub id: String,
    /// `available`, `failing-over`, `switching-over`...
    pub status: String,
    pub members: Vec<GlobalMember>,
    /// A switchover or failover under way (`FailoverState`): its status, and whether data
    /// loss was allowed.
    pub moving: Option<GlobalMove>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GlobalMember {
    pub cluster_arn: String,
    pub writer: bool,
    /// `connected`, or `pending-resync` for an old writer AWS has not rebuilt as a secondary
    /// yet (after a failover with data loss); `None` for the writer.
    pub sync: Option<String>,
}

impl GlobalMember {
    /// The region of the member's ARN (`arn:aws:rds:REGION:...`).
    pub fn region(&self) -> Option<&str> {
        self.cluster_arn.split(':').nth(3).filter(|r| !r.is_empty())
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GlobalMove {
    pub status: String,
    pub to_arn: Option<String>,
    pub data_loss: bool,
}

impl GlobalClusterReading {
    pub fn writer(&self) -> Option<&GlobalMember> {
        self.members.iter().find(|m| m.writer)
    }
}

/// A warm standby restored from AWS Backup: the newest completed recovery point of the
/// primary database in the standby's vault, and a restore job under way.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BackupReading {
    pub vault: String,
    /// `None` when the vault holds no completed recovery point of the primary.
    pub recovery_point: Option<RecoveryPoint>,
    /// A restore job of that recovery point that has not finished (or the last one).
    pub restore_job: Option<RestoreJob>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RecoveryPoint {
    pub arn: String,
    /// RFC 3339: when the backup was taken (the restored data ends there).
    pub created: String,
    /// Seconds between `created` and the reading.
    pub age_secs: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RestoreJob {
    pub id: String,
    pub recovery_point_arn: String,
    /// `PENDING`, `RUNNING`, `COMPLETED`, `ABORTED`, `FAILED`.
    pub status: String,
    pub created_resource_arn: Option<String>,
}

impl RestoreJob {
    /// Neither finished nor given up.
    pub fn under_way(&self) -> bool {
        matches!(self.status.as_str(), "PENDING" | "RUNNING" | "CREATED")
    }
}

impl DbReading {
    pub fn backup(&self) -> Option<&BackupReading> {
        match &self.detail {
            Some(DbDetail::Backup(b)) => Some(b),
            _ => None,
        }
    }
    pub fn global(&self) -> Option<&GlobalClusterReading> {
        match &self.detail {
            Some(DbDetail::Global(g)) => Some(g),
            _ => None,
        }
    }
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

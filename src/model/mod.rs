//! What the backends read and the dashboard shows: plain data, no AWS SDK types.

mod account;
mod db;
mod error;
mod evaluation;
mod parts;
mod region;
mod replicated;
mod route53;
mod secret;
mod section;

pub use account::{
    AccountCheck, Identity, IdentityError, IdentityRead, merge_identity, refusal_on,
    runbook_refusal,
};
pub use db::{
    BackupReading, DbDetail, DbReading, DbRole, GlobalClusterReading, GlobalMember, GlobalMove,
    Lag, RecoveryPoint, RestoreJob,
};
pub use error::{ErrorKind, Section, SectionError};
pub use evaluation::{
    Aspect, AspectResult, Decision, Evaluation, Finding, Outcome, Permission, QuotaKind,
    QuotaReading, TaskSize,
};
pub use parts::Parts;
pub use region::{
    AlarmReading, AlarmState, AsgReading, Deployment, RegionReading, ServiceReading,
    TargetGroupReading,
};
pub use replicated::{
    BucketReading, ImageReading, NewestObject, ReplicatedReading, ReplicationRule,
};
pub use route53::{
    DnsReading, FailoverReading, FailoverRecord, GlobalReading, HealthCheckReading,
    PrimaryCheckReading, failover_answer, route53_healthy,
};
pub use secret::{REDACTED, Secret, SecretString, url_origin};

use std::fmt;

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

/// Writes acknowledged by the application and writes lost, where a backend can count them
/// (the simulator models its data; AWS does not expose such a count).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct DataLedger {
    pub acknowledged: u64,
    /// Acknowledged writes held by no database serving as the writer; `None` while none serves.
    pub lost: Option<u64>,
}

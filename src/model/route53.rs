//! What Route 53 reports: health checks and the DNS record, and its rule for a healthy check.

use serde::{Deserialize, Serialize};

use super::{Section, Side, section};

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
    /// The record's value or alias DNS name; with failover routing, the target of the record
    /// Route 53 answers with.
    pub value: Option<String>,
    /// The side DNS sends traffic to: the side whose value the record holds, or the side of
    /// the failover record Route 53 answers with.
    pub points_at: Option<Side>,
    /// `"swap"` or `"failover-routing"`.
    #[serde(default = "swap")]
    pub mode: String,
    /// Whether the record is an alias (its `value` is the alias target's DNS name).
    #[serde(default)]
    pub alias: bool,
    /// Failover routing only: both records, the primary's health check and which record
    /// Route 53 answers with.
    #[serde(default)]
    pub failover: Option<Box<FailoverReading>>,
}

fn swap() -> String {
    "swap".into()
}

impl DnsReading {
    /// A swapped record's reading.
    pub fn swap(record: &str, value: Option<String>, points_at: Option<Side>, alias: bool) -> Self {
        DnsReading {
            record: record.to_string(),
            value,
            points_at,
            mode: swap(),
            alias,
            failover: None,
        }
    }

    /// Whether the failover pair's primary health check is inverted: traffic held on the
    /// standby by hand, which must be undone to fail back.
    pub fn inverted_check(&self) -> Option<&PrimaryCheckReading> {
        self.failover
            .as_ref()
            .and_then(|f| f.check.as_ref())
            .filter(|c| c.inverted == Some(true))
    }
}

/// One record of a failover pair as Route 53 holds it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FailoverRecord {
    pub set_identifier: String,
    /// `PRIMARY` or `SECONDARY` as the record says; `None` when the record is not found.
    pub failover: Option<String>,
    /// Its value or alias DNS name.
    pub target: Option<String>,
    pub alias: bool,
    /// The health check the record is associated with.
    pub health_check: Option<String>,
    /// Whether a record with this identifier exists under the name.
    pub found: bool,
}

impl FailoverRecord {
    pub fn missing(set_identifier: &str) -> Self {
        FailoverRecord {
            set_identifier: set_identifier.to_string(),
            failover: None,
            target: None,
            alias: false,
            health_check: None,
            found: false,
        }
    }
}

/// The PRIMARY record's health check: its configuration and what Route 53 makes of it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PrimaryCheckReading {
    pub id: String,
    /// `Inverted` in the check's configuration (`None`: not read).
    pub inverted: Option<bool>,
    /// What the checkers observe, before inversion.
    pub observed_healthy: Option<bool>,
    /// The status Route 53 routes by: observed, flipped when inverted.
    pub healthy: Option<bool>,
    /// Seconds between checks, and failures in a row before the status flips.
    pub request_interval: Option<u32>,
    pub failure_threshold: Option<u32>,
    pub error: Option<String>,
}

impl PrimaryCheckReading {
    /// The seconds Route 53 takes to see a change of the check's health: interval × threshold.
    pub fn flip_seconds(&self) -> Option<u64> {
        Some(u64::from(self.request_interval?) * u64::from(self.failure_threshold?))
    }
}

/// A PRIMARY/SECONDARY pair of failover records.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FailoverReading {
    pub primary: FailoverRecord,
    pub standby: FailoverRecord,
    pub check: Option<PrimaryCheckReading>,
    /// The health check the SECONDARY record is associated with, read like the PRIMARY's
    /// (`None`: the record has none, or it was not read).
    #[serde(default)]
    pub standby_check: Option<PrimaryCheckReading>,
    /// The side whose record Route 53 answers with (`None`: cannot tell).
    pub answers: Option<Side>,
    /// What stops the console from telling, or what is set up differently from the file.
    pub problem: Option<String>,
}

/// Route 53's failover rule (API reference, `ResourceRecordSet.Failover`): the PRIMARY
/// record while its health check is healthy (with `Inverted`, while the checkers see it
/// failing); else the SECONDARY while its own check is healthy, or when it has none; when the
/// SECONDARY's check is unhealthy too, the PRIMARY again. `standby_healthy` is `Some(true)`
/// for a SECONDARY without a check, `None` when its check could not be read.
pub fn failover_answer(
    primary: &FailoverRecord,
    standby: &FailoverRecord,
    primary_healthy: Option<bool>,
    standby_healthy: Option<bool>,
) -> Option<Side> {
    match (
        primary.found,
        standby.found,
        primary_healthy,
        standby_healthy,
    ) {
        (true, _, Some(true), _) => Some(Side::Primary),
        (true, true, Some(false), Some(true)) => Some(Side::Standby),
        (true, true, Some(false), Some(false)) => Some(Side::Primary),
        // With no SECONDARY, Route 53 answers the primary whatever its health.
        (true, false, Some(_), _) => Some(Side::Primary),
        (false, true, _, _) => Some(Side::Standby),
        _ => None,
    }
}

/// Route 53: global, read through the standby's credentials so it never depends on the primary.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GlobalReading {
    #[serde(with = "section")]
    pub health_checks: Section<Vec<HealthCheckReading>>,
    /// Absent when the estate has no `[dns]`.
    #[serde(with = "section::optional", default)]
    pub dns: Option<Section<DnsReading>>,
}

/// Route 53's rule: a check is healthy while more than 18 % of its checkers report success.
pub fn route53_healthy(ok: u32, total: u32) -> Option<bool> {
    (total > 0).then(|| (ok as f64) / (total as f64) > 0.18)
}

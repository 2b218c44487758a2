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
    pub value: Option<String>,
    pub points_at: Option<Side>,
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

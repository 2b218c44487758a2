//! What a run measured: its recovery point and time, the posture before and after, and the
//! writes it lost.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::model::{DataLedger, Lag, Side};
use crate::posture::Posture;

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Metrics {
    /// Replica lag read just before the promotion (or global failover) call.
    pub rpo_lag: Option<Lag>,
    pub promoted_at: Option<f64>,
    pub dns_moved_at: Option<f64>,
    pub dns_side: Option<Side>,
    /// First time each side's health checks were seen healthy by a step.
    #[serde(default)]
    pub healthy_at: BTreeMap<Side, f64>,
    /// The estate's posture read when the run started and when it ended.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub posture_before: Option<Posture>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub posture_after: Option<Posture>,
    /// Databases the run renamed aside (stale old writers), kept for a person to delete.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub stale: Vec<String>,
    /// Writes acknowledged and lost at the start and at the end, where the backend counts them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ledger_start: Option<DataLedger>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ledger_end: Option<DataLedger>,
    /// When every alarm of the estate was first seen OK in the side DNS moved to, after the
    /// move (the recovery users feel), and that side.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub alarms_ok_at: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub alarms_ok_side: Option<Side>,
}

impl Metrics {
    /// Acknowledged writes this run lost, where the backend counts them. A start with no
    /// writer serving (an outage) counts from zero.
    pub fn writes_lost(&self) -> Option<u64> {
        let end = self.ledger_end?.lost?;
        let start = self.ledger_start.and_then(|l| l.lost).unwrap_or(0);
        Some(end.saturating_sub(start))
    }

    /// Run start → DNS moved and the side it points at healthy, in seconds.
    pub fn rto(&self) -> Option<f64> {
        let dns = self.dns_moved_at?;
        let healthy = self.healthy_at.get(&self.dns_side?)?;
        Some(dns.max(*healthy))
    }

    /// Run start → the RTO above reached and every alarm OK in the side DNS points at.
    pub fn rto_alarms(&self) -> Option<f64> {
        let rto = self.rto()?;
        (self.alarms_ok_side? == self.dns_side?).then_some(rto.max(self.alarms_ok_at?))
    }
}

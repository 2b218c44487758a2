//! Route 53: the failover record, its pending changes, and the health checks that observe each
//! region's endpoint and flip only after their failure threshold.

use serde::{Deserialize, Serialize};

use super::super::timings as t;
use super::{World, running};
use crate::model::{DnsReading, HealthCheckReading, Side, route53_healthy};

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SimCheck {
    pub reported_healthy: bool,
    /// Consecutive observations contradicting the reported state.
    pub contrary: u32,
    pub next_observation: f64,
}

impl World {
    /// Every health check, reporting from the start what it would observe.
    pub(super) fn seed_checks(&mut self) {
        for hc in &self.estate.health_checks {
            self.checks.insert(
                hc.id.clone(),
                SimCheck {
                    reported_healthy: true,
                    contrary: 0,
                    next_observation: 0.0,
                },
            );
        }
        let watched: Vec<(String, Side)> = self
            .estate
            .health_checks
            .iter()
            .map(|h| (h.id.clone(), h.region))
            .collect();
        for (id, side) in watched {
            let raw = self.endpoint_healthy(side);
            if let Some(c) = self.checks.get_mut(&id) {
                c.reported_healthy = raw;
            }
        }
    }

    /// Each check due observes its endpoint; the reported state follows after the threshold.
    pub(super) fn observe_checks(&mut self) {
        let now = self.now;
        let checks: Vec<(String, Side)> = self
            .estate
            .health_checks
            .iter()
            .map(|h| (h.id.clone(), h.region))
            .collect();
        for (id, side) in checks {
            let raw = self.endpoint_healthy(side);
            if let Some(c) = self.checks.get_mut(&id)
                && c.next_observation <= now
            {
                c.next_observation = now + t::CHECK_INTERVAL;
                if raw == c.reported_healthy {
                    c.contrary = 0;
                } else {
                    c.contrary += 1;
                    if c.contrary >= t::CHECK_THRESHOLD {
                        c.reported_healthy = raw;
                        c.contrary = 0;
                    }
                }
            }
        }
    }

    /// What a health checker would see at the region's load balancer right now.
    pub fn endpoint_healthy(&self, side: Side) -> bool {
        if self.is_dark(side) {
            return false;
        }
        let region = self.region(side);
        if region.target_groups.is_empty() {
            return region.services.values().any(|s| running(s, self.now) > 0);
        }
        region
            .target_groups
            .keys()
            .any(|arn| self.target_group_counts(side, arn).0 > 0)
    }

    pub fn read_health_checks(&self) -> Vec<HealthCheckReading> {
        self.estate
            .health_checks
            .iter()
            .map(|hc| {
                let healthy = self
                    .checks
                    .get(&hc.id)
                    .map(|c| c.reported_healthy)
                    .unwrap_or(false);
                let ok = if healthy { t::CHECKERS - 1 } else { 1 };
                HealthCheckReading {
                    id: hc.id.clone(),
                    label: hc.label.clone(),
                    watches: hc.region,
                    healthy: route53_healthy(ok, t::CHECKERS),
                    checkers_ok: ok,
                    checkers_total: t::CHECKERS,
                    error: None,
                }
            })
            .collect()
    }

    pub fn read_dns(&self) -> Option<DnsReading> {
        self.estate.dns.as_ref().map(|d| DnsReading {
            record: d.record.clone(),
            value: Some(self.dns_value.clone()),
            points_at: d.side_of(&self.dns_value),
        })
    }
}

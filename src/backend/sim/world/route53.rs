//! Route 53: the record (a swapped value or alias, or a failover pair), its pending changes,
//! and the health checks that observe each region's endpoint and flip only after their failure
//! threshold; an inverted check reports the opposite of what it observes, as Route 53's does.

use serde::{Deserialize, Serialize};

use super::super::timings as t;
use super::{World, running};
use crate::config::DnsMode;
use crate::model::{
    DnsReading, FailoverReading, FailoverRecord, HealthCheckReading, PrimaryCheckReading, Side,
    failover_answer, route53_healthy,
};

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SimCheck {
    pub reported_healthy: bool,
    /// Consecutive observations contradicting the reported state.
    pub contrary: u32,
    pub next_observation: f64,
    /// `Inverted` in the check's configuration.
    #[serde(default)]
    pub inverted: bool,
    /// Before the last change of `inverted`, and when it was made: Route 53 routes by the
    /// new setting once the check has been evaluated again (interval × failure threshold).
    #[serde(default)]
    pub was_inverted: bool,
    #[serde(default)]
    pub inverted_at: f64,
}

impl SimCheck {
    /// Whether Route 53 routes by the inverted status at `now`.
    pub fn routes_inverted(&self, now: f64) -> bool {
        if now >= self.inverted_at + t::CHECK_INTERVAL * f64::from(t::CHECK_THRESHOLD) {
            self.inverted
        } else {
            self.was_inverted
        }
    }

    /// The status Route 53 routes by: what the checkers report, flipped when inverted.
    pub fn route53_healthy(&self, now: f64) -> bool {
        self.reported_healthy != self.routes_inverted(now)
    }
}

impl World {
    /// Every health check, reporting from the start what it would observe.
    pub(super) fn seed_checks(&mut self) {
        let watched = self.watched_checks();
        for (id, _) in &watched {
            self.checks.insert(
                id.clone(),
                SimCheck {
                    reported_healthy: true,
                    contrary: 0,
                    next_observation: 0.0,
                    inverted: false,
                    was_inverted: false,
                    inverted_at: 0.0,
                },
            );
        }
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
        for (id, side) in self.watched_checks() {
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

    /// Every check the world keeps, with the region it watches: the estate's, and the
    /// failover pair's primary check (watching the primary) when the estate does not list it.
    fn watched_checks(&self) -> Vec<(String, Side)> {
        let mut out: Vec<(String, Side)> = self
            .estate
            .health_checks
            .iter()
            .map(|h| (h.id.clone(), h.region))
            .collect();
        if let Some(id) = self
            .estate
            .dns
            .as_ref()
            .filter(|d| d.mode == DnsMode::FailoverRouting)
            .and_then(|d| d.primary_health_check.clone())
            && !out.iter().any(|(known, _)| *known == id)
        {
            out.push((id, Side::Primary));
        }
        out
    }

    /// The side DNS sends traffic to now.
    pub fn dns_side(&self) -> Option<Side> {
        self.read_dns().and_then(|d| d.points_at)
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
        let d = self.estate.dns.as_ref()?;
        if d.mode == DnsMode::Swap {
            return Some(DnsReading::swap(
                &d.record,
                Some(self.dns_value.clone()),
                d.side_of(&self.dns_value),
                d.is_alias(),
            ));
        }
        // The simulated pair: each region's load balancer, the PRIMARY with its check.
        let check_id = d.primary_health_check.clone().unwrap_or_default();
        let record = |side: Side, role: &str, check: Option<String>| FailoverRecord {
            set_identifier: d.set_identifier(side).unwrap_or_default().to_string(),
            failover: Some(role.to_string()),
            target: Some(format!(
                "lb-{}.sim.example",
                self.estate.region(side).region
            )),
            alias: false,
            health_check: check,
            found: true,
        };
        let primary = record(Side::Primary, "PRIMARY", Some(check_id.clone()));
        let standby = record(Side::Standby, "SECONDARY", None);
        let check = self.checks.get(&check_id).map(|c| PrimaryCheckReading {
            id: check_id.clone(),
            inverted: Some(c.inverted),
            observed_healthy: Some(c.reported_healthy),
            healthy: Some(c.route53_healthy(self.now)),
            request_interval: Some(t::CHECK_INTERVAL as u32),
            failure_threshold: Some(t::CHECK_THRESHOLD),
            error: None,
        });
        // The simulated SECONDARY has no health check: Route 53 takes it as healthy.
        let answers = failover_answer(
            &primary,
            &standby,
            check.as_ref().and_then(|c| c.healthy),
            Some(true),
        );
        let value = answers.and_then(|side| match side {
            Side::Primary => primary.target.clone(),
            Side::Standby => standby.target.clone(),
        });
        Some(DnsReading {
            record: d.record.clone(),
            value,
            points_at: answers,
            mode: d.mode.as_str().into(),
            alias: false,
            failover: Some(Box::new(FailoverReading {
                primary,
                standby,
                check,
                standby_check: None,
                answers,
                problem: None,
            })),
        })
    }
}

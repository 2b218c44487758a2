//! Readiness of routing: the standby's Route 53 health checks green, and DNS pointing at the
//! active side.

use super::{Check, Item, item};
use crate::config::Estate;
use crate::model::{GlobalReading, Side};

/// The Route 53 items: the health checks of the side standing by, and the record.
pub(super) fn items(estate: &Estate, active: Side, global: Option<&GlobalReading>) -> Vec<Item> {
    let passive = active.other();
    let checks_label = format!("{passive} health checks green");
    let dns_label = format!("DNS points at {active}");
    let mut items = Vec::new();
    let standby_checks: Vec<_> = estate
        .health_checks
        .iter()
        .filter(|h| h.region == passive)
        .collect();
    if !standby_checks.is_empty() {
        items.push(match global.map(|g| &g.health_checks) {
            Some(Ok(checks)) => {
                let bad: Vec<&str> = checks
                    .iter()
                    .filter(|c| c.watches == passive && c.healthy != Some(true))
                    .map(|c| c.label.as_str())
                    .collect();
                if bad.is_empty() {
                    item(
                        &checks_label,
                        Check::Pass,
                        &format!("{} check(s)", standby_checks.len()),
                    )
                } else {
                    item(
                        &checks_label,
                        Check::Fail,
                        &format!("unhealthy: {}", bad.join(", ")),
                    )
                }
            }
            Some(Err(e)) => item(&checks_label, Check::Unknown, &e.message),
            None => item(&checks_label, Check::Unknown, "Route 53 not read"),
        });
    }
    if estate.dns.is_some() {
        items.push(match global.and_then(|g| g.dns.as_ref()) {
            Some(Ok(d)) => match d.points_at {
                Some(s) if s == active => item(&dns_label, Check::Pass, &d.record),
                Some(s) => item(&dns_label, Check::Fail, &format!("points at {s}")),
                None => item(
                    &dns_label,
                    Check::Fail,
                    &format!("unknown value {}", d.value.as_deref().unwrap_or("(none)")),
                ),
            },
            Some(Err(e)) => item(&dns_label, Check::Unknown, &e.message),
            None => item(&dns_label, Check::Unknown, "Route 53 not read"),
        });
    }
    items
}

//! Standby readiness: the short checklist the on-call engineer glances at, and its verdict.
//! Shared by the dashboard and `drconsole status`.

use serde::Serialize;

use crate::config::Estate;
use crate::model::{DbRole, GlobalReading, Lag, RegionReading, Side};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Check {
    Pass,
    /// Passes, but close to the limit (e.g. lag above the warning level).
    Warn,
    Fail,
    /// Could not be read.
    Unknown,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Item {
    pub label: &'static str,
    pub check: Check,
    pub detail: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    Ready,
    Degraded,
    /// Too little could be read to say.
    Unknown,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Readiness {
    pub verdict: Verdict,
    pub items: Vec<Item>,
}

/// Evaluates the checklist from the latest standby and Route 53 readings (`None` where a
/// scope could not be read). The primary does not count: readiness is about the standby.
pub fn evaluate(
    estate: &Estate,
    standby: Option<&RegionReading>,
    global: Option<&GlobalReading>,
) -> Readiness {
    let mut items = Vec::new();
    let standby_db = standby
        .and_then(|s| s.database.as_ref())
        .map(|d| d.as_ref());
    if estate.database.is_some() {
        items.push(match standby_db {
            None => item("replica replicating", Check::Unknown, "standby not read"),
            Some(Err(e)) => item("replica replicating", Check::Fail, &e.message),
            Some(Ok(db)) => match (&db.role, db.lag) {
                (DbRole::Replica { .. }, Lag::Stopped) => {
                    item("replica replicating", Check::Fail, &db.lag.to_string())
                }
                (DbRole::Replica { .. }, _) if db.status == "available" => item(
                    "replica replicating",
                    Check::Pass,
                    &format!("{} available", db.id),
                ),
                (DbRole::Replica { .. }, _) => item(
                    "replica replicating",
                    Check::Warn,
                    &format!("{} {}", db.id, db.status),
                ),
                _ => item(
                    "replica replicating",
                    Check::Fail,
                    &format!("{} is not a replica", db.id),
                ),
            },
        });
        let budget = estate.rpo_budget.0;
        let warning = estate.lag_warning.0;
        items.push(match standby_db {
            Some(Ok(db)) => match db.lag {
                Lag::Known(s) => {
                    let lag = std::time::Duration::from_secs(s);
                    let text = format!("{} (budget {})", db.lag, estate.rpo_budget);
                    if lag > budget {
                        item("lag within budget", Check::Fail, &text)
                    } else if lag > warning {
                        item("lag within budget", Check::Warn, &text)
                    } else {
                        item("lag within budget", Check::Pass, &text)
                    }
                }
                Lag::Stopped => item("lag within budget", Check::Fail, &db.lag.to_string()),
                Lag::NoData => item("lag within budget", Check::Unknown, &db.lag.to_string()),
            },
            _ => item("lag within budget", Check::Unknown, "standby not read"),
        });
    }
    if !estate.asgs.is_empty() {
        items.push(match standby.map(|s| &s.asgs) {
            Some(Ok(asgs)) => {
                let short: Vec<String> = estate
                    .asgs
                    .iter()
                    .filter_map(|cfg| {
                        let name = cfg.name_in(Side::Standby);
                        match asgs.iter().find(|a| a.name == name) {
                            Some(a) if a.found && a.max >= cfg.production.desired => None,
                            Some(a) if a.found => {
                                Some(format!("{name} max {} < {}", a.max, cfg.production.desired))
                            }
                            _ => Some(format!("{name} missing")),
                        }
                    })
                    .collect();
                if short.is_empty() {
                    item(
                        "standby ASG max ≥ production",
                        Check::Pass,
                        &format!("{} group(s)", asgs.len()),
                    )
                } else {
                    item(
                        "standby ASG max ≥ production",
                        Check::Fail,
                        &short.join(", "),
                    )
                }
            }
            Some(Err(e)) => item("standby ASG max ≥ production", Check::Unknown, &e.message),
            None => item(
                "standby ASG max ≥ production",
                Check::Unknown,
                "standby not read",
            ),
        });
    }
    if !estate.services().is_empty() {
        items.push(match standby.map(|s| &s.services) {
            Some(Ok(services)) => {
                let bad: Vec<&str> = services
                    .iter()
                    .filter(|s| !s.exists() || s.task_definition.is_none())
                    .map(|s| s.name.as_str())
                    .collect();
                if bad.is_empty() {
                    item(
                        "standby services defined",
                        Check::Pass,
                        &format!("{} service(s)", services.len()),
                    )
                } else {
                    item(
                        "standby services defined",
                        Check::Fail,
                        &format!("missing: {}", bad.join(", ")),
                    )
                }
            }
            Some(Err(e)) => item("standby services defined", Check::Fail, &e.message),
            None => item(
                "standby services defined",
                Check::Unknown,
                "standby not read",
            ),
        });
    }
    let standby_checks: Vec<_> = estate
        .health_checks
        .iter()
        .filter(|h| h.region == Side::Standby)
        .collect();
    if !standby_checks.is_empty() {
        items.push(match global.map(|g| &g.health_checks) {
            Some(Ok(checks)) => {
                let bad: Vec<&str> = checks
                    .iter()
                    .filter(|c| c.watches == Side::Standby && c.healthy != Some(true))
                    .map(|c| c.label.as_str())
                    .collect();
                if bad.is_empty() {
                    item(
                        "standby health checks green",
                        Check::Pass,
                        &format!("{} check(s)", standby_checks.len()),
                    )
                } else {
                    item(
                        "standby health checks green",
                        Check::Fail,
                        &format!("unhealthy: {}", bad.join(", ")),
                    )
                }
            }
            Some(Err(e)) => item("standby health checks green", Check::Unknown, &e.message),
            None => item(
                "standby health checks green",
                Check::Unknown,
                "Route 53 not read",
            ),
        });
    }
    if estate.dns.is_some() {
        items.push(match global.and_then(|g| g.dns.as_ref()) {
            Some(Ok(d)) => match d.points_at {
                Some(Side::Primary) => item("DNS points at primary", Check::Pass, &d.record),
                Some(Side::Standby) => {
                    item("DNS points at primary", Check::Fail, "points at standby")
                }
                None => item(
                    "DNS points at primary",
                    Check::Fail,
                    &format!("unknown value {}", d.value.as_deref().unwrap_or("(none)")),
                ),
            },
            Some(Err(e)) => item("DNS points at primary", Check::Unknown, &e.message),
            None => item("DNS points at primary", Check::Unknown, "Route 53 not read"),
        });
    }
    let verdict = if items.iter().any(|i| i.check == Check::Fail) {
        Verdict::Degraded
    } else if items.iter().any(|i| i.check == Check::Unknown) {
        if standby.is_none() && global.is_none() {
            Verdict::Unknown
        } else {
            Verdict::Degraded
        }
    } else {
        Verdict::Ready
    };
    Readiness { verdict, items }
}

fn item(label: &'static str, check: Check, detail: &str) -> Item {
    Item {
        label,
        check,
        detail: detail.to_string(),
    }
}

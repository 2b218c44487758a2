//! Standby readiness: the short checklist the on-call engineer glances at, and its verdict.
//! Shared by the dashboard and `drconsole status`.

mod replicated;

use serde::Serialize;

use crate::config::{DatabaseKind, Estate};
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

/// One spelling wherever a check is written as text: `OK`, `WARN`, `FAIL`, `UNKNOWN`.
impl std::fmt::Display for Check {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Check::Pass => "OK",
            Check::Warn => "WARN",
            Check::Fail => "FAIL",
            Check::Unknown => "UNKNOWN",
        })
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Item {
    pub label: String,
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
    /// The side judged: the one standing by (the standby, or the primary after a failover).
    pub side: Side,
    pub items: Vec<Item>,
}

/// Evaluates the checklist of the side standing by against the active one (`None` where a
/// scope could not be read). The posture says which is which: before a failover the standby
/// is judged; after one, the primary ("failback readiness"), against the standby's writer.
pub fn evaluate(
    estate: &Estate,
    active: Side,
    readings: [Option<&RegionReading>; 2],
    global: Option<&GlobalReading>,
) -> Readiness {
    let passive = active.other();
    let of = |s: Side| readings[if s == Side::Primary { 0 } else { 1 }];
    let standby = of(passive);
    let writer = of(active)
        .and_then(|r| r.database.as_ref())
        .and_then(|d| d.as_ref().ok())
        .filter(|w| w.role == DbRole::Writer);
    let global_cluster = estate.global_cluster();
    let not_read = format!("{passive} not read");
    let asg_label = format!("{passive} ASG max ≥ production");
    let services_label = format!("{passive} services defined");
    let checks_label = format!("{passive} health checks green");
    let dns_label = format!("DNS points at {active}");
    let mut items = Vec::new();
    let standby_db = standby
        .and_then(|s| s.database.as_ref())
        .map(|d| d.as_ref());
    let restored = estate
        .database
        .as_ref()
        .is_some_and(|d| d.kind == DatabaseKind::BackupRestore);
    if restored {
        items.extend(recovery_point_items(estate, standby_db, &not_read));
    } else if estate.database.is_some() {
        items.push(match standby_db {
            None => item("replica replicating", Check::Unknown, &not_read),
            Some(Err(e)) => item("replica replicating", Check::Fail, &e.message),
            Some(Ok(db)) => match (&db.role, db.lag) {
                (DbRole::Replica { .. }, Lag::Stopped) => {
                    item("replica replicating", Check::Fail, &db.lag.to_string())
                }
                (DbRole::Replica { .. }, _)
                    if writer.is_some_and(|w| !db.replicates_from(w, global_cluster)) =>
                {
                    item(
                        "replica replicating",
                        Check::Fail,
                        &format!(
                            "{} does not replicate from the {active} writer {}",
                            db.id,
                            writer.map(|w| w.id.as_str()).unwrap_or("")
                        ),
                    )
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
            _ => item("lag within budget", Check::Unknown, &not_read),
        });
    }
    if !estate.asgs.is_empty() {
        items.push(match standby.map(|s| &s.asgs) {
            Some(Ok(asgs)) => {
                let short: Vec<String> = estate
                    .asgs
                    .iter()
                    .filter_map(|cfg| {
                        let name = cfg.name_in(passive);
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
                    item(&asg_label, Check::Pass, &format!("{} group(s)", asgs.len()))
                } else {
                    item(&asg_label, Check::Fail, &short.join(", "))
                }
            }
            Some(Err(e)) => item(&asg_label, Check::Unknown, &e.message),
            None => item(&asg_label, Check::Unknown, &not_read),
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
                        &services_label,
                        Check::Pass,
                        &format!("{} service(s)", services.len()),
                    )
                } else {
                    item(
                        &services_label,
                        Check::Fail,
                        &format!("missing: {}", bad.join(", ")),
                    )
                }
            }
            Some(Err(e)) => item(&services_label, Check::Fail, &e.message),
            None => item(&services_label, Check::Unknown, &not_read),
        });
    }
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
    // S3 and ECR: a failure degrades; what cannot be read does not (see `replicated`).
    let extra = replicated::items(estate, readings);
    let extra_fails = extra.iter().any(|i| i.check == Check::Fail);
    let verdict = if extra_fails || items.iter().any(|i| i.check == Check::Fail) {
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
    items.extend(extra);
    Readiness {
        verdict,
        side: passive,
        items,
    }
}

/// `backup-restore`: the newest completed recovery point of the primary in the standby's
/// vault, and its age against the RPO budget (warning above `lag_warning`).
fn recovery_point_items(
    estate: &Estate,
    standby_db: Option<Result<&crate::model::DbReading, &crate::model::SectionError>>,
    not_read: &str,
) -> Vec<Item> {
    const POINT: &str = "recovery point in vault";
    const AGE: &str = "backup age within budget";
    let db = match standby_db {
        None => {
            return vec![
                item(POINT, Check::Unknown, not_read),
                item(AGE, Check::Unknown, not_read),
            ];
        }
        Some(Err(e)) => {
            return vec![
                item(POINT, Check::Unknown, &e.message),
                item(AGE, Check::Unknown, &e.message),
            ];
        }
        Some(Ok(db)) => db,
    };
    let Some(b) = db.backup() else {
        return vec![
            item(POINT, Check::Unknown, "vault not read"),
            item(AGE, Check::Unknown, "vault not read"),
        ];
    };
    let Some(p) = &b.recovery_point else {
        let none = format!("none completed in {}", b.vault);
        return vec![
            item(POINT, Check::Fail, &none),
            item(AGE, Check::Fail, "no recovery point"),
        ];
    };
    let age = std::time::Duration::from_secs(p.age_secs);
    let text = format!(
        "{} (budget {})",
        crate::timefmt::secs(p.age_secs),
        estate.rpo_budget
    );
    let check = if age > estate.rpo_budget.0 {
        Check::Fail
    } else if age > estate.lag_warning.0 {
        Check::Warn
    } else {
        Check::Pass
    };
    vec![
        item(POINT, Check::Pass, &format!("taken {}", p.created)),
        item(AGE, check, &text),
    ]
}

fn item(label: &str, check: Check, detail: &str) -> Item {
    Item {
        label: label.to_string(),
        check,
        detail: detail.to_string(),
    }
}

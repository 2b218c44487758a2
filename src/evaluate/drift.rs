//! Does AWS still match the estate file? Every name it lists exists, the database standing by
//! is a replica, the side standing by can grow to production (ASG max), and the active side
//! runs no more than the estate's production counts (else the standby would come up short).
//! Judged on one reading of each region; a region that could not be read is not evaluated.

use crate::config::{DatabaseKind, Estate};
use crate::model::{Aspect, AspectResult, DbRole, Finding, Outcome, RegionReading, Side};

fn finding(outcome: Outcome, text: String) -> Finding {
    Finding {
        aspect: Aspect::Drift,
        outcome,
        step: None,
        text,
    }
}

/// `readings` are the primary's and the standby's (an error: why it could not be read).
pub fn check(
    estate: &Estate,
    active: Side,
    readings: [Result<&RegionReading, &str>; 2],
) -> (AspectResult, Vec<Finding>) {
    let mut out = Vec::new();
    for side in Side::BOTH {
        let reading = readings[if side == Side::Primary { 0 } else { 1 }];
        let r = match reading {
            Ok(r) => r,
            Err(e) => {
                out.push(finding(
                    Outcome::NotEvaluated,
                    format!("{side} not read: {e}"),
                ));
                continue;
            }
        };
        side_findings(estate, side, side == active, r, &mut out);
    }
    let worst = out
        .iter()
        .map(|f| f.outcome)
        .max()
        .unwrap_or(Outcome::Passed);
    let summary = match worst {
        Outcome::Passed => "every name exists; capacity matches the estate".to_string(),
        _ => format!("{} finding(s)", out.len()),
    };
    (
        AspectResult {
            aspect: Aspect::Drift,
            outcome: worst,
            summary,
        },
        out,
    )
}

fn side_findings(
    estate: &Estate,
    side: Side,
    active: bool,
    r: &RegionReading,
    out: &mut Vec<Finding>,
) {
    let unread = |what: &str, e: &crate::model::SectionError| {
        if e.is_not_found() {
            finding(
                Outcome::ActionRequired,
                format!("{side} {what} not found: {}", e.message),
            )
        } else {
            finding(
                Outcome::NotEvaluated,
                format!("{side} {what} not read: {}", e.message),
            )
        }
    };
    if let (Some(db), Some(cfg)) = (&r.database, &estate.database) {
        match db {
            Err(e) => {
                // A backup-restore standby has no database until it is restored.
                let restored_later = cfg.kind == DatabaseKind::BackupRestore && !active;
                if !(restored_later && e.is_not_found()) {
                    out.push(unread("database", e));
                }
            }
            Ok(db) if !active && cfg.kind != DatabaseKind::BackupRestore => {
                if db.role == DbRole::Writer {
                    out.push(finding(
                        Outcome::ActionRequired,
                        format!(
                            "{side} database {} is a writer, the estate expects a replica",
                            db.id
                        ),
                    ));
                }
            }
            Ok(_) => {}
        }
    }
    match &r.services {
        Err(e) if !estate.services().is_empty() => out.push(unread("services", e)),
        Err(_) => {}
        Ok(services) => {
            for cfg in estate.services() {
                match services.iter().find(|s| s.name == cfg.name) {
                    Some(s) if s.exists() => {
                        if active && s.desired > cfg.production {
                            out.push(finding(
                                Outcome::ActionRequired,
                                format!(
                                    "{side} service {} runs {} task(s), more than production {}: \
                                     the other side would come up short",
                                    cfg.name, s.desired, cfg.production
                                ),
                            ));
                        }
                    }
                    _ => out.push(finding(
                        Outcome::ActionRequired,
                        format!("{side} service {} not found", cfg.name),
                    )),
                }
            }
        }
    }
    match &r.asgs {
        Err(e) if !estate.asgs.is_empty() => out.push(unread("ASGs", e)),
        Err(_) => {}
        Ok(asgs) => {
            for cfg in &estate.asgs {
                let name = cfg.name_in(side);
                match asgs.iter().find(|a| a.name == name && a.found) {
                    None => out.push(finding(
                        Outcome::ActionRequired,
                        format!("{side} ASG {name} not found"),
                    )),
                    Some(a) if !active && a.max < cfg.production.desired => out.push(finding(
                        Outcome::ActionRequired,
                        format!(
                            "{side} ASG {name} max {} < production {}",
                            a.max, cfg.production.desired
                        ),
                    )),
                    Some(a) if active && a.desired > cfg.production.desired => out.push(finding(
                        Outcome::ActionRequired,
                        format!(
                            "{side} ASG {name} runs {} instance(s), more than production {}: \
                                 the other side would come up short",
                            a.desired, cfg.production.desired
                        ),
                    )),
                    Some(_) => {}
                }
            }
        }
    }
    match &r.target_groups {
        Err(e) if !estate.target_groups.is_empty() => out.push(unread("target groups", e)),
        Err(_) => {}
        Ok(groups) => {
            for g in groups {
                if let Some(e) = &g.error {
                    let gone = e.contains("NotFound") || e.contains("not found");
                    out.push(finding(
                        if gone {
                            Outcome::ActionRequired
                        } else {
                            Outcome::NotEvaluated
                        },
                        format!("{side} target group {}: {e}", g.name),
                    ));
                }
            }
        }
    }
}

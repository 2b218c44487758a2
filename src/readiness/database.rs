//! Readiness of the database standing by: a replica replicating from the active writer and
//! its lag within the RPO budget, or, restored from backups, the newest recovery point in the
//! standby's vault and its age.

use super::{Check, Item, item};
use crate::config::{DatabaseKind, Estate};
use crate::model::{DbReading, DbRole, Lag, RegionReading, Side};

/// The database items of the side standing by, judged against the active side's writer.
pub(super) fn items(
    estate: &Estate,
    active: Side,
    standby: Option<&RegionReading>,
    writer: Option<&DbReading>,
    not_read: &str,
) -> Vec<Item> {
    let global_cluster = estate.global_cluster();
    let mut items = Vec::new();
    let standby_db = standby
        .and_then(|s| s.database.as_ref())
        .map(|d| d.as_ref());
    let restored = estate
        .database
        .as_ref()
        .is_some_and(|d| d.kind == DatabaseKind::BackupRestore);
    if restored {
        items.extend(recovery_point_items(estate, standby_db, not_read));
    } else if estate.database.is_some() {
        items.push(match standby_db {
            None => item("replica replicating", Check::Unknown, not_read),
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
            _ => item("lag within budget", Check::Unknown, not_read),
        });
    }
    items
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

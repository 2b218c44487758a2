//! Conditions, as `wait` waits for them and `check` checks them: evaluated now, from one
//! read of what each needs.

use super::read::{db_of, role_text, section};
use crate::config::Estate;
use crate::config::runbook::{Condition, side_name};
use crate::model::{AlarmState, DbRole, Deployment, Lag, Parts, Side};
use crate::runbook::error::StepError;
use crate::runbook::reader::Reader;
use std::time::Duration;

/// Evaluates a condition now: whether it holds, and what was seen.
pub async fn eval(c: &Condition, r: &Reader) -> Result<(bool, String), StepError> {
    let estate = &r.estate;
    match c {
        Condition::LagBelow(max) => {
            let reading = r.read(Side::Standby, Parts::DATABASE | Parts::LAG).await?;
            let db = db_of(&reading, Side::Standby)?;
            Ok(match db.lag {
                Lag::Known(s) => (
                    Duration::from_secs(s) < max.0,
                    format!("replica lag {}", db.lag),
                ),
                other => (false, format!("replica lag {}", other)),
            })
        }
        Condition::LagKnown(want) => {
            let reading = r.read(Side::Standby, Parts::DATABASE | Parts::LAG).await?;
            let db = db_of(&reading, Side::Standby)?;
            let known = matches!(db.lag, Lag::Known(_));
            Ok((known == *want, format!("replica lag {}", db.lag)))
        }
        Condition::HealthCheckHealthy(which) => {
            let g = r.global_parts(Parts::HEALTH_CHECKS).await?;
            let checks = g
                .health_checks
                .as_ref()
                .map_err(|e| StepError::missing(format!("health checks: {e}")))?;
            let chosen: Vec<_> = checks
                .iter()
                .filter(|h| match side_name(which) {
                    Some(s) => h.watches == s,
                    None => &h.id == which,
                })
                .collect();
            if chosen.is_empty() {
                return Ok((false, format!("no health check for {which}")));
            }
            let bad: Vec<String> = chosen
                .iter()
                .filter(|h| h.healthy != Some(true))
                .map(|h| {
                    format!(
                        "{} {}",
                        h.label,
                        match h.healthy {
                            Some(false) => "unhealthy",
                            _ => "unknown",
                        }
                    )
                })
                .collect();
            if bad.is_empty() {
                Ok((
                    true,
                    format!(
                        "{} healthy",
                        chosen
                            .iter()
                            .map(|h| h.label.as_str())
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                ))
            } else {
                Ok((false, bad.join(", ")))
            }
        }
        Condition::AlarmOk(name) => {
            let side = estate
                .alarms
                .iter()
                .find(|a| &a.name == name)
                .map(|a| a.region)
                .ok_or_else(|| StepError::missing(format!("no alarm {name} in the estate")))?;
            let reading = r.read(side, Parts::ALARMS).await?;
            let alarms = section(&reading.alarms, "alarms", side)?;
            let state = alarms.iter().find(|a| &a.name == name).map(|a| a.state);
            Ok((
                state == Some(AlarmState::Ok),
                format!("alarm {name} {:?}", state.unwrap_or(AlarmState::Missing)),
            ))
        }
        Condition::ServiceRunning(side) => {
            let reading = r.read(*side, Parts::SERVICES).await?;
            let services = section(&reading.services, "services", *side)?;
            let bad: Vec<String> = services
                .iter()
                .filter(|s| {
                    !(s.exists() && s.running == s.desired && s.deployment == Deployment::Steady)
                })
                .map(|s| format!("{} {}/{}", s.name, s.running, s.desired))
                .collect();
            Ok((
                bad.is_empty(),
                if bad.is_empty() {
                    format!("{side} services running")
                } else {
                    bad.join(", ")
                },
            ))
        }
        Condition::EndpointWritable(side) => {
            let mut seen = Vec::new();
            for store in super::read::stores(estate) {
                let name = super::write_endpoint::store_name(&store);
                match r.endpoint(*side, &store).await? {
                    Some(s) => {
                        if let Err(why) = s.endpoint {
                            return Ok((false, format!("{name} in {side}: {why}")));
                        }
                        seen.push(format!("{name} writable"));
                    }
                    None => seen.push(format!("{name} not there yet")),
                }
            }
            Ok((true, seen.join(", ")))
        }
        Condition::RegionReachable(side) => match r.read(*side, probe(estate)).await {
            Ok(_) => Ok((true, format!("{side} reachable"))),
            Err(e) => Ok((false, e.to_string())),
        },
        Condition::DatabaseAvailable(side) => {
            let reading = r.read(*side, Parts::DATABASE).await?;
            match &reading.database {
                Some(Ok(db)) => Ok((db.status == "available", role_text(db))),
                Some(Err(e)) => Ok((false, e.to_string())),
                None => Ok((false, "no database".into())),
            }
        }
        Condition::DatabaseWriter(side) => {
            let reading = r.read(*side, Parts::DATABASE).await?;
            match &reading.database {
                Some(Ok(db)) => Ok((
                    db.role == DbRole::Writer && db.status == "available",
                    role_text(db),
                )),
                Some(Err(e)) => Ok((false, e.to_string())),
                None => Ok((false, "no database".into())),
            }
        }
        Condition::RegionHealthy(side) => {
            let reading = r.read(*side, Parts::DATABASE | Parts::SERVICES).await?;
            let mut bad = Vec::new();
            if let Some(db) = &reading.database {
                match db {
                    Ok(db) if db.status == "available" => {}
                    Ok(db) => bad.push(role_text(db)),
                    Err(e) => bad.push(e.to_string()),
                }
            }
            match &reading.services {
                Ok(s) => bad.extend(
                    s.iter()
                        .filter(|s| s.running < s.desired)
                        .map(|s| format!("{} {}/{}", s.name, s.running, s.desired)),
                ),
                Err(e) => bad.push(e.to_string()),
            }
            let (hc_ok, hc) =
                Box::pin(eval(&Condition::HealthCheckHealthy(side.to_string()), r)).await?;
            if !hc_ok && estate.health_checks.iter().any(|h| h.region == *side) {
                bad.push(hc);
            }
            Ok((
                bad.is_empty(),
                if bad.is_empty() {
                    format!("{side} healthy")
                } else {
                    bad.join(", ")
                },
            ))
        }
        Condition::DnsPointsTo(side) => {
            let g = r.global_parts(Parts::DNS).await?;
            match &g.dns {
                Some(Ok(d)) => Ok((
                    d.points_at == Some(*side),
                    format!("DNS -> {}", d.value.clone().unwrap_or_default()),
                )),
                Some(Err(e)) => Ok((false, e.to_string())),
                None => Ok((false, "no DNS".into())),
            }
        }
        Condition::ReplicaOf(side) => {
            let (replica, writer) = tokio::join!(
                r.read(*side, Parts::DATABASE | Parts::LAG),
                r.read(side.other(), Parts::DATABASE)
            );
            let (replica, writer) = (replica?, writer?);
            let w = db_of(&writer, side.other())?;
            let db = match &replica.database {
                Some(Ok(db)) => db,
                Some(Err(e)) if e.is_not_found() => {
                    return Ok((
                        false,
                        format!("no database in {side} (run `reprotect` first): {e}"),
                    ));
                }
                _ => db_of(&replica, *side)?,
            };
            if w.role != DbRole::Writer {
                return Ok((
                    false,
                    format!("{} has no writer: {}", side.other(), role_text(w)),
                ));
            }
            if !db.replicates_from(w, estate.global_cluster()) {
                return Ok((
                    false,
                    format!(
                        "{}: no replica of the {} writer {} here (run `reprotect` first)",
                        role_text(db),
                        side.other(),
                        w.id
                    ),
                ));
            }
            let ok = db.status == "available" && matches!(db.lag, Lag::Known(_));
            Ok((ok, format!("{}, lag {}", role_text(db), db.lag)))
        }
        Condition::CaughtUp(side) => {
            let reading = r.read(*side, Parts::DATABASE | Parts::LAG).await?;
            let db = db_of(&reading, *side)?;
            Ok((
                matches!(db.role, DbRole::Replica { .. }) && db.lag == Lag::Known(0),
                format!("{} replica lag {}", db.id, db.lag),
            ))
        }
    }
}

/// The one read that tells whether a region answers: its database, else its services, else
/// its Auto Scaling groups, else everything.
fn probe(estate: &Estate) -> Parts {
    if estate.database.is_some() {
        Parts::DATABASE
    } else if !estate.services().is_empty() {
        Parts::SERVICES
    } else if !estate.asgs.is_empty() {
        Parts::ASGS
    } else {
        Parts::REGION
    }
}

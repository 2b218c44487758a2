//! A runbook's preconditions judged from the dashboard's latest readings, without a call:
//! what the picker says before a run starts. The run's own check reads AWS again.

use crate::config::runbook::Condition;
use crate::model::{DbReading, DbRole, Lag, Side};
use crate::poll::FeedState;

use super::App;

/// Whether `c` holds as last read: `None` when the readings cannot say (the run will).
pub fn holds(app: &App, c: &Condition) -> Option<Result<(), String>> {
    let verdict = |ok: bool, seen: String| Some(if ok { Ok(()) } else { Err(seen) });
    match c {
        Condition::RegionReachable(side) => {
            let state = app.state_of(*side);
            verdict(
                !matches!(state, FeedState::Unreachable | FeedState::Loading),
                format!("{side} {}", state_text(state)),
            )
        }
        Condition::DatabaseAvailable(side) => {
            let db = db(app, *side)?;
            verdict(db.status == "available", format!("{} {}", db.id, db.status))
        }
        Condition::DatabaseWriter(side) => {
            let db = db(app, *side)?;
            verdict(
                db.role == DbRole::Writer,
                format!("{} is a {}", db.id, db.role),
            )
        }
        Condition::ReplicaOf(side) => {
            let replica = db(app, *side)?;
            let writer = db(app, side.other())?;
            let ok = writer.role == DbRole::Writer
                && replica.replicates_from(writer, app.estate.global_cluster());
            verdict(ok, format!("{} {} is a {}", side, replica.id, replica.role))
        }
        Condition::DnsPointsTo(side) => {
            let dns = app.global.data.as_ref()?.dns.as_ref()?.as_ref().ok()?;
            verdict(
                dns.points_at == Some(*side),
                format!(
                    "DNS points at {}",
                    dns.points_at.map_or("an unknown value", Side::as_str)
                ),
            )
        }
        Condition::LagKnown(want) => {
            let db = db(app, Side::Standby)?;
            verdict(
                matches!(db.lag, Lag::Known(_)) == *want,
                format!("replica lag {}", db.lag),
            )
        }
        Condition::LagBelow(max) => {
            let db = db(app, Side::Standby)?;
            verdict(
                db.lag.known().is_some_and(|l| l < max.0),
                format!("replica lag {}", db.lag),
            )
        }
        _ => None,
    }
}

fn state_text(state: FeedState) -> &'static str {
    match state {
        FeedState::Fresh => "reachable",
        FeedState::Stale => "stale",
        FeedState::Unreachable => "unreachable",
        FeedState::Throttled => "throttled by AWS (busy, not unreachable)",
        FeedState::Loading => "not read yet",
    }
}

/// The side's database as last read, if the region answers.
fn db(app: &App, side: Side) -> Option<&DbReading> {
    if app.state_of(side) == FeedState::Unreachable {
        return None;
    }
    app.region(side)
        .data
        .as_ref()?
        .database
        .as_ref()?
        .as_ref()
        .ok()
}

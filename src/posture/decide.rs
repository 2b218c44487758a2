//! Deciding the posture from one poll's readings: which side is active, and what the other holds.

use crate::config::Estate;
use crate::model::{DbReading, DbRole, GlobalReading, RegionReading, Side};

use super::{Posture, PostureState};

/// What one side's database is, as far as its reading tells.
enum Db<'a> {
    /// The region was not read (unreachable, or not yet).
    Unread,
    /// The estate's instance (or cluster) does not exist there, or cannot be read.
    Absent(String),
    Read(&'a DbReading),
}

fn db<'a>(reading: Option<&'a RegionReading>) -> Db<'a> {
    match reading.and_then(|r| r.database.as_ref()) {
        None if reading.is_none() => Db::Unread,
        None => Db::Absent("no database".into()),
        Some(Ok(d)) => Db::Read(d),
        Some(Err(e)) => Db::Absent(e.to_string()),
    }
}

fn is_writer(d: &Db<'_>) -> bool {
    matches!(d, Db::Read(r) if r.role == DbRole::Writer)
}

fn describe(side: Side, d: &Db<'_>) -> String {
    match d {
        Db::Unread => format!("{side} unreadable"),
        Db::Absent(e) => format!("{side} database absent ({e})"),
        Db::Read(r) => {
            let role = match &r.role {
                DbRole::Writer => "writer",
                DbRole::Replica { .. } => "replica",
                DbRole::Standalone => "standalone",
                DbRole::Backup => "backup",
            };
            format!("{side} {} {role}", r.id)
        }
    }
}

/// Decides the posture from one poll's readings. `None` for a side that could not be read.
pub fn posture(
    estate: &Estate,
    primary: Option<&RegionReading>,
    standby: Option<&RegionReading>,
    global: Option<&GlobalReading>,
) -> Posture {
    let dns_side = match (&estate.dns, global.map(|g| &g.dns)) {
        (None, _) => None,
        (Some(_), None) => {
            return Posture::new(PostureState::Unknown, None, "Route 53 unreadable");
        }
        (Some(_), Some(None)) => None,
        (Some(d), Some(Some(Err(e)))) => {
            return Posture::new(
                PostureState::Unknown,
                None,
                format!("DNS record {}: {e}", d.record),
            );
        }
        (Some(d), Some(Some(Ok(r)))) => match r.points_at {
            Some(s) => Some(s),
            None => {
                return Posture::new(
                    PostureState::Unknown,
                    None,
                    format!(
                        "DNS record {} points at {}, neither side's value",
                        d.record,
                        r.value.as_deref().unwrap_or("nothing")
                    ),
                );
            }
        },
    };
    if estate.database.is_none() {
        return match dns_side {
            Some(Side::Primary) => {
                Posture::new(PostureState::Normal, dns_side, "DNS serves primary")
            }
            Some(Side::Standby) => {
                Posture::new(PostureState::FailedOver, dns_side, "DNS serves standby")
            }
            None => Posture::new(PostureState::Unknown, None, "no [database] and no [dns]"),
        };
    }
    let dbs = [db(primary), db(standby)];
    let of = |s: Side| &dbs[if s == Side::Primary { 0 } else { 1 }];
    let active = match dns_side {
        Some(s) => s,
        None => match (is_writer(of(Side::Primary)), is_writer(of(Side::Standby))) {
            (true, false) => Side::Primary,
            (false, true) => Side::Standby,
            (true, true) => {
                return Posture::new(
                    PostureState::SplitBrain,
                    None,
                    "writers in both regions and no [dns] to say which serves",
                );
            }
            (false, false) => {
                return Posture::new(
                    PostureState::Unknown,
                    None,
                    format!(
                        "no writer seen: {}; {}",
                        describe(Side::Primary, of(Side::Primary)),
                        describe(Side::Standby, of(Side::Standby))
                    ),
                );
            }
        },
    };
    let passive = active.other();
    let served = if dns_side.is_some() {
        format!("DNS serves {active}")
    } else {
        format!("{active} holds the writer")
    };
    let writer = match of(active) {
        Db::Unread => {
            return Posture::new(
                PostureState::Unknown,
                Some(active),
                format!("{served}; {active} unreadable"),
            );
        }
        Db::Read(w) if w.role == DbRole::Writer => *w,
        other => {
            return Posture::new(
                PostureState::SplitBrain,
                Some(active),
                format!(
                    "{served} but its database is not the writer ({})",
                    describe(active, other)
                ),
            );
        }
    };
    let head = format!("{served}; writer {} in {active}", writer.id);
    let settled = |protected: bool| match (active, protected) {
        (Side::Primary, _) => PostureState::Normal,
        (Side::Standby, true) => PostureState::Reprotected,
        (Side::Standby, false) => PostureState::FailedOver,
    };
    match of(passive) {
        Db::Read(r) if r.replicates_from(writer, estate.global_cluster()) => Posture::new(
            settled(true),
            Some(active),
            format!("{head}; {passive} {} replicates from it", r.id),
        ),
        Db::Read(r) if r.role == DbRole::Writer && active == Side::Primary => Posture::new(
            PostureState::SplitBrain,
            Some(active),
            format!(
                "writers in both regions: {head}, and {passive} {} also accepts writes",
                r.id
            ),
        ),
        Db::Read(r) if r.role == DbRole::Writer => Posture::new(
            settled(false),
            Some(active),
            format!(
                "{head}; the old writer {} in {passive} is stale and still accepts writes (reprotect renames it)",
                r.id
            ),
        ),
        Db::Unread if active == Side::Primary => Posture::new(
            PostureState::Unknown,
            Some(active),
            format!("{head}; {passive} unreadable"),
        ),
        other => Posture::new(
            settled(false),
            Some(active),
            format!(
                "{head}; no replica of it in {passive} ({})",
                describe(passive, other)
            ),
        ),
    }
}

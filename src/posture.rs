//! The estate's posture, read from AWS on every poll and never from a journal: which region
//! holds the database writer, where DNS sends traffic, and whether the passive region holds a
//! replica of the active writer. Another operator, a Lambda or AWS itself may have acted.
//!
//! | state | DNS serves | its database | the other region |
//! |---|---|---|---|
//! | `normal` | primary | writer | a replica of it (or, flagged in the detail, none) |
//! | `failed-over` | standby | writer | no replica of it (a stale old writer, or nothing) |
//! | `reprotected` | standby | writer | a replica of it |
//! | `split-brain` | a side whose database is not the writer, or the primary while the standby also writes | | |
//! | `unknown` | a side needed to decide is unreadable | | |
//!
//! Without `[dns]` the active side is the one whose database is the writer; without
//! `[database]` it is the side DNS serves.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::config::Estate;
use crate::model::{DbReading, DbRole, GlobalReading, RegionReading, Side};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum PostureState {
    Normal,
    FailedOver,
    Reprotected,
    SplitBrain,
    Unknown,
}

impl PostureState {
    pub fn as_str(self) -> &'static str {
        match self {
            PostureState::Normal => "normal",
            PostureState::FailedOver => "failed-over",
            PostureState::Reprotected => "reprotected",
            PostureState::SplitBrain => "split-brain",
            PostureState::Unknown => "unknown",
        }
    }
}

impl fmt::Display for PostureState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Posture {
    pub state: PostureState,
    /// The side that serves traffic and holds the writer; `None` when that is not known.
    pub active: Option<Side>,
    /// What was seen, and what disagrees.
    pub detail: String,
}

impl Posture {
    fn new(state: PostureState, active: Option<Side>, detail: impl Into<String>) -> Posture {
        Posture {
            state,
            active,
            detail: detail.into(),
        }
    }
    /// The side that stands by: the other side of the active one (the standby when unknown).
    pub fn passive(&self) -> Side {
        self.active.map(Side::other).unwrap_or(Side::Standby)
    }
}

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

/// Whether `replica` replicates from `writer` (see [`DbReading::replicates_from`]).
pub fn replicates_from(replica: &DbReading, writer: &DbReading, estate: &Estate) -> bool {
    let global = estate
        .database
        .as_ref()
        .and_then(|d| d.global_cluster.as_deref());
    replica.replicates_from(writer, global)
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
        Db::Read(r) if replicates_from(r, writer, estate) => Posture::new(
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{DnsReading, Lag, Section};

    fn estate() -> Estate {
        crate::backend::sim::built_in_estate()
    }

    fn db(id: &str, role: DbRole, region: &str) -> Section<DbReading> {
        Ok(DbReading {
            id: id.into(),
            role,
            status: "available".into(),
            lag: Lag::Known(3),
            endpoint: None,
            engine: None,
            instance_class: None,
            arn: Some(format!("arn:aws:rds:{region}:123456789012:db:{id}")),
            applied_txn: None,
        })
    }

    fn region(database: Section<DbReading>) -> RegionReading {
        RegionReading {
            database: Some(database),
            services: Ok(vec![]),
            asgs: Ok(vec![]),
            target_groups: Ok(vec![]),
            alarms: Ok(vec![]),
        }
    }

    fn dns(points_at: Option<Side>) -> GlobalReading {
        GlobalReading {
            health_checks: Ok(vec![]),
            dns: Some(Ok(DnsReading {
                record: "shop.example.com".into(),
                value: Some("somewhere".into()),
                points_at,
            })),
        }
    }

    fn writer(id: &str, region: &str) -> Section<DbReading> {
        db(id, DbRole::Writer, region)
    }

    fn replica_of(
        id: &str,
        region: &str,
        source_id: &str,
        source_region: &str,
    ) -> Section<DbReading> {
        db(
            id,
            DbRole::Replica {
                source: format!("arn:aws:rds:{source_region}:123456789012:db:{source_id}"),
            },
            region,
        )
    }

    fn missing() -> Section<DbReading> {
        Err(crate::model::SectionError::new(
            crate::model::ErrorKind::NotFound,
            "DBInstanceNotFound",
        ))
    }

    const P: &str = "us-east-1";
    const S: &str = "us-west-2";

    fn decide(p: Option<RegionReading>, s: Option<RegionReading>, g: GlobalReading) -> Posture {
        posture(&estate(), p.as_ref(), s.as_ref(), Some(&g))
    }

    #[test]
    fn every_stage_of_the_lifecycle_is_named() {
        // Before anything: the primary writes and serves, the standby replicates from it.
        let p = decide(
            Some(region(writer("orders-db", P))),
            Some(region(replica_of("orders-db-replica", S, "orders-db", P))),
            dns(Some(Side::Primary)),
        );
        assert_eq!(
            (p.state, p.active),
            (PostureState::Normal, Some(Side::Primary)),
            "{p:?}"
        );

        // After a failover with the primary dark.
        let p = decide(
            None,
            Some(region(writer("orders-db-replica", S))),
            dns(Some(Side::Standby)),
        );
        assert_eq!(
            (p.state, p.active),
            (PostureState::FailedOver, Some(Side::Standby)),
            "{p:?}"
        );

        // The primary back, its old writer stale: still failed over, and said so.
        let p = decide(
            Some(region(writer("orders-db", P))),
            Some(region(writer("orders-db-replica", S))),
            dns(Some(Side::Standby)),
        );
        assert_eq!(p.state, PostureState::FailedOver, "{p:?}");
        assert!(p.detail.contains("stale"), "{p:?}");

        // Re-protected: the primary's instance replicates from the standby's writer.
        let p = decide(
            Some(region(replica_of("orders-db", P, "orders-db-replica", S))),
            Some(region(writer("orders-db-replica", S))),
            dns(Some(Side::Standby)),
        );
        assert_eq!(
            (p.state, p.active),
            (PostureState::Reprotected, Some(Side::Standby)),
            "{p:?}"
        );

        // Failed back: the primary writes again, a replica of it in the standby.
        let p = decide(
            Some(region(writer("orders-db", P))),
            Some(region(replica_of("orders-db-replica", S, "orders-db", P))),
            dns(Some(Side::Primary)),
        );
        assert_eq!(p.state, PostureState::Normal, "{p:?}");
    }

    #[test]
    fn disagreements_are_split_brain() {
        // The replica promoted outside drconsole while DNS stays on the primary.
        let p = decide(
            Some(region(writer("orders-db", P))),
            Some(region(writer("orders-db-replica", S))),
            dns(Some(Side::Primary)),
        );
        assert_eq!(p.state, PostureState::SplitBrain, "{p:?}");
        assert!(p.detail.contains("writers in both regions"), "{p:?}");

        // DNS sends traffic to a region whose database is a replica.
        let p = decide(
            Some(region(writer("orders-db", P))),
            Some(region(replica_of("orders-db-replica", S, "orders-db", P))),
            dns(Some(Side::Standby)),
        );
        assert_eq!(p.state, PostureState::SplitBrain, "{p:?}");
        assert!(p.detail.contains("not the writer"), "{p:?}");
    }

    #[test]
    fn what_cannot_be_read_is_unknown_never_guessed() {
        // Serving from the primary, the standby unreadable: it may have been promoted.
        let p = decide(
            Some(region(writer("orders-db", P))),
            None,
            dns(Some(Side::Primary)),
        );
        assert_eq!(p.state, PostureState::Unknown, "{p:?}");
        // DNS unreadable.
        let p = posture(&estate(), Some(&region(writer("orders-db", P))), None, None);
        assert_eq!((p.state, p.active), (PostureState::Unknown, None), "{p:?}");
        // The serving side unreadable.
        let p = decide(
            None,
            Some(region(writer("orders-db-replica", S))),
            dns(Some(Side::Primary)),
        );
        assert_eq!(p.state, PostureState::Unknown, "{p:?}");
    }

    #[test]
    fn a_missing_replica_is_not_protection() {
        let p = decide(
            Some(region(missing())),
            Some(region(writer("orders-db-replica", S))),
            dns(Some(Side::Standby)),
        );
        assert_eq!(p.state, PostureState::FailedOver, "{p:?}");
        assert!(p.detail.contains("no replica"), "{p:?}");
        // A replica of something else is not a replica of the writer either.
        let p = decide(
            Some(region(replica_of("orders-db", P, "elsewhere", S))),
            Some(region(writer("orders-db-replica", S))),
            dns(Some(Side::Standby)),
        );
        assert_eq!(p.state, PostureState::FailedOver, "{p:?}");
    }
}

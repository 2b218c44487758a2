//! Tests of the posture decided from readings of both regions and of Route 53.

use super::*;
use crate::config::Estate;
use crate::model::{DbReading, DbRole, DnsReading, GlobalReading, Lag, RegionReading, Section};

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
        pending_resync: false,
        detail: None,
    })
}

fn region(database: Section<DbReading>) -> RegionReading {
    RegionReading {
        database: Some(database),
        services: Ok(vec![]),
        asgs: Ok(vec![]),
        target_groups: Ok(vec![]),
        alarms: Ok(vec![]),
        replicated: None,
    }
}

fn dns(points_at: Option<Side>) -> GlobalReading {
    GlobalReading {
        health_checks: Ok(vec![]),
        dns: Some(Ok(DnsReading::swap(
            "shop.example.com",
            Some("somewhere".into()),
            points_at,
            false,
        ))),
    }
}

fn writer(id: &str, region: &str) -> Section<DbReading> {
    db(id, DbRole::Writer, region)
}

fn replica_of(id: &str, region: &str, source_id: &str, source_region: &str) -> Section<DbReading> {
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

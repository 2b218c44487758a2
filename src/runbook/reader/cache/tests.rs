//! A read shared within a tick, kept across a lag-less read, made stale by a change.

use super::*;
use crate::model::{DbReading, DbRole, Lag, SectionError};

fn db(lag: Lag) -> RegionReading {
    let mut r = RegionReading::unread(true);
    r.database = Some(Ok(DbReading {
        id: "orders-db-replica".into(),
        role: DbRole::Replica {
            source: "orders-db".into(),
        },
        status: "available".into(),
        lag,
        endpoint: None,
        engine: None,
        instance_class: None,
        arn: None,
        applied_txn: None,
        pending_resync: false,
        detail: None,
    }));
    r.services = Ok(Vec::new());
    r
}

#[test]
fn a_database_read_without_lag_keeps_the_lag_read_before() {
    let mut slot = Slot::default();
    let readings = Readings::default();
    slot.store(
        db(Lag::Known(12)),
        Parts::DATABASE | Parts::LAG,
        readings.stamp(),
    );
    slot.store(db(Lag::NoData), Parts::DATABASE, readings.stamp());
    let view = slot.view(Parts::DATABASE | Parts::LAG).expect("read");
    assert!(matches!(view.database, Some(Ok(ref d)) if d.lag == Lag::Known(12)));
    // Asked without the lag, a view has none, and no part it was not asked for.
    let view = slot.view(Parts::DATABASE).expect("read");
    assert!(matches!(view.database, Some(Ok(ref d)) if d.lag == Lag::NoData));
    assert_eq!(view.services, Err(SectionError::not_read()));
    assert_eq!(
        slot.missing(Parts::LAG | Parts::DATABASE, |_, _| true),
        Parts::NONE
    );
    assert_eq!(
        slot.missing(Parts::DATABASE | Parts::SERVICES, |_, _| true),
        Parts::SERVICES
    );
    // A change answered after the read began makes it stale, even in the same instant.
    let change = readings.stamp();
    assert_eq!(
        slot.missing(Parts::DATABASE, |_, t| t.seq > change.seq),
        Parts::DATABASE
    );
}

#[test]
fn a_change_makes_only_the_parts_it_changes_stale() {
    let readings = Readings::default();
    let before = readings.stamp();
    readings.changed(Some(Side::Standby), Parts::SERVICES);
    readings.changed(Some(Side::Standby), Parts::ASGS | Parts::TARGETS);
    readings.changed(Some(Side::Standby), Parts::SERVICES);
    let changed = |p| readings.last_change(Some(Side::Standby), p);
    assert!(changed(Parts::SERVICES).is_some_and(|t| t.seq > before.seq));
    assert!(changed(Parts::TARGETS).is_some());
    assert_eq!(changed(Parts::DATABASE), None);
    assert_eq!(
        readings.last_change(Some(Side::Primary), Parts::SERVICES),
        None
    );
    assert_eq!(readings.last_change(None, Parts::SERVICES), None);
    // The older change of the services is forgotten; the ASG change is kept.
    assert_eq!(readings.changed.lock().map(|c| c.len()).unwrap_or(0), 2);
}

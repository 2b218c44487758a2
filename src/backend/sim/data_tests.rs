//! The simulated data: writes to the serving writer, replicas applying with their lag, and
//! lost writes counted exactly across a planned switch and an unplanned failover.

use std::time::Duration;

use super::*;
use crate::backend::{Action, Backend};
use crate::model::{DbReading, Lag};

const RATE: u64 = WRITES_PER_SECOND;

fn sim_of(estate: Estate) -> Arc<Simulator> {
    Simulator::new(estate, 42, SimClock::manual())
}

fn aurora_estate() -> Estate {
    let text = BUILT_IN_ESTATE.replace(
        "kind = \"rds-replica\"",
        "kind = \"aurora-global\"\nglobal_cluster = \"orders-global\"",
    );
    Estate::parse(&text, "aurora").expect("aurora estate")
}

async fn db(sim: &Simulator, side: Side) -> DbReading {
    sim.read_region(side)
        .await
        .expect("read")
        .database
        .expect("database configured")
        .expect("database read")
}

async fn lag(sim: &Simulator, side: Side) -> Lag {
    db(sim, side).await.lag
}

fn advance(sim: &Simulator, secs: u64) {
    sim.clock().advance(Duration::from_secs(secs));
}

async fn promote_standby(sim: &Simulator) {
    sim.act(&Action::PromoteReplica {
        side: Side::Standby,
        db: "orders-db-replica".into(),
    })
    .await
    .expect("promote");
    // Promotion takes at most seven minutes.
    advance(sim, 421);
}

/// Scales every service of the region to `desired` tasks.
async fn scale_app(sim: &Simulator, side: Side, cluster: &str, desired: u32) {
    for svc in built_in_estate().services() {
        sim.act(&Action::ScaleService {
            side,
            cluster: cluster.into(),
            service: svc.name.clone(),
            desired,
        })
        .await
        .expect("scale");
    }
}

#[tokio::test]
async fn the_writer_takes_writes_and_its_replica_applies_them_with_its_lag() {
    let sim = sim_of(built_in_estate());
    let start = sim.acknowledged_txns();
    assert!(
        start > 0,
        "the application has been writing before the start"
    );
    advance(&sim, 30);
    let acked = sim.acknowledged_txns();
    assert_eq!(acked - start, 30 * RATE);
    let writer = db(&sim, Side::Primary).await;
    assert_eq!(
        writer.applied_txn,
        Some(acked),
        "the writer holds every write"
    );
    let replica = db(&sim, Side::Standby).await;
    let Lag::Known(l) = replica.lag else {
        panic!("lag {:?}", replica.lag)
    };
    let behind = acked - replica.applied_txn.expect("applied");
    assert_eq!(behind, l * RATE, "lag {l} s at {RATE}/s");
    assert_eq!(sim.lost_writes(), Some(0));
}

#[tokio::test]
async fn writes_stop_when_the_app_is_scaled_to_zero_or_the_region_is_dark() {
    let sim = sim_of(built_in_estate());
    scale_app(&sim, Side::Primary, "orders", 0).await;
    let stopped = sim.acknowledged_txns();
    advance(&sim, 60);
    assert_eq!(sim.acknowledged_txns(), stopped, "no app, no writes");
    assert_eq!(sim.lost_writes(), None, "no database serves as the writer");
    // Caught up with nothing more to apply, the replica reads lag 0.
    assert_eq!(lag(&sim, Side::Standby).await, Lag::Known(0));
    assert_eq!(sim.applied_txn(Side::Standby), Some(stopped));

    let sim = sim_of(built_in_estate());
    sim.toggle(Fault::PrimaryDark);
    let dark = sim.acknowledged_txns();
    advance(&sim, 60);
    assert_eq!(
        sim.acknowledged_txns(),
        dark,
        "a dark region takes no writes"
    );
}

#[tokio::test]
async fn stopped_replication_applies_nothing_then_catches_up() {
    let sim = sim_of(built_in_estate());
    sim.toggle(Fault::ReplicationStopped);
    let applied = sim.applied_txn(Side::Standby);
    advance(&sim, 120);
    assert_eq!(sim.applied_txn(Side::Standby), applied);
    assert!(sim.acknowledged_txns() > applied.expect("applied") + 100 * RATE);
    sim.toggle(Fault::ReplicationStopped);
    advance(&sim, 1);
    let Lag::Known(l) = lag(&sim, Side::Standby).await else {
        panic!("lag unknown")
    };
    let behind = sim.acknowledged_txns() - sim.applied_txn(Side::Standby).expect("applied");
    assert_eq!(behind, l * RATE, "lag {l} s at {RATE}/s");
}

#[tokio::test]
async fn a_new_replica_starts_empty_and_catches_up() {
    let sim = sim_of(built_in_estate());
    sim.act(&Action::CreateReplica {
        side: Side::Standby,
        replica: "orders-db-replica-2".into(),
        source_arn: "arn:aws:rds:us-east-1:123456789012:db:orders-db".into(),
        instance_class: None,
    })
    .await
    .expect("create");
    advance(&sim, 300);
    assert_eq!(
        sim.applied_txn(Side::Standby),
        Some(0),
        "still being created"
    );
    // Creation takes at most fifteen minutes.
    advance(&sim, 601);
    let applied = sim.applied_txn(Side::Standby).expect("applied");
    assert!(applied > 0);
    assert!(sim.acknowledged_txns() - applied <= 16 * RATE, "caught up");
}

#[tokio::test]
async fn stopping_writes_then_waiting_for_lag_zero_then_promoting_loses_nothing() {
    let sim = sim_of(built_in_estate());
    advance(&sim, 120);
    scale_app(&sim, Side::Primary, "orders", 0).await;
    let mut waited = 0;
    while lag(&sim, Side::Standby).await != Lag::Known(0) {
        assert!(waited < 600, "lag never reached 0");
        advance(&sim, 1);
        waited += 1;
    }
    let acked = sim.acknowledged_txns();
    promote_standby(&sim).await;
    // The standby's warm app now writes to its promoted database.
    assert_eq!(sim.lost_writes(), Some(0));
    assert_eq!(
        sim.applied_txn(Side::Standby),
        Some(sim.acknowledged_txns())
    );
    assert!(
        sim.acknowledged_txns() > acked,
        "writes resumed on the new writer"
    );
    advance(&sim, 60);
    assert_eq!(sim.lost_writes(), Some(0));
}

#[tokio::test]
async fn an_unplanned_failover_loses_lag_times_rate() {
    let sim = sim_of(built_in_estate());
    advance(&sim, 120);
    let Lag::Known(l) = lag(&sim, Side::Standby).await else {
        panic!("lag unknown")
    };
    assert!(l > 0);
    sim.toggle(Fault::PrimaryDark);
    let acked = sim.acknowledged_txns();
    promote_standby(&sim).await;
    let lost = sim
        .lost_writes()
        .expect("the promoted standby serves as the writer");
    assert_eq!(lost, l * RATE, "lag {l} s at {RATE}/s");
    // The new writer continues the sequence: its own writes are not lost.
    assert!(sim.acknowledged_txns() > acked);
    advance(&sim, 60);
    assert_eq!(sim.lost_writes(), Some(lost));
}

#[tokio::test]
async fn a_global_switchover_loses_nothing_even_with_writes_running() {
    let sim = sim_of(aurora_estate());
    advance(&sim, 120);
    sim.act(&Action::GlobalSwitchover {
        global_cluster: "orders-global".into(),
        target_cluster_arn: "arn".into(),
        side: Side::Standby,
    })
    .await
    .expect("switchover");
    advance(&sim, 121);
    assert_eq!(sim.lost_writes(), Some(0));
    assert_eq!(
        sim.applied_txn(Side::Standby),
        Some(sim.acknowledged_txns())
    );
    // The old writer now replicates from the new one.
    advance(&sim, 60);
    let behind = sim.acknowledged_txns() - sim.applied_txn(Side::Primary).expect("applied");
    assert!(behind < 60 * RATE, "{behind} behind");
}

use std::time::Duration;

use super::*;
use crate::backend::{Action, Backend, EndpointStore, ErrorKind};
use crate::model::{DbRole, GlobalReading, Lag, RegionReading};

fn sim() -> Arc<Simulator> {
    Simulator::new(built_in_estate(), 42, SimClock::manual())
}

fn db(r: &RegionReading) -> &crate::model::DbReading {
    r.database
        .as_ref()
        .and_then(|d| d.as_ref().ok())
        .expect("database reading")
}

#[tokio::test]
async fn promotion_completes_after_its_duration_not_before() {
    let sim = sim();
    let before = sim.read_region(Side::Standby).await.expect("read");
    assert!(matches!(db(&before).role, DbRole::Replica { .. }));
    sim.act(&Action::PromoteReplica {
        side: Side::Standby,
        db: "orders-db-replica".into(),
    })
    .await
    .expect("promote");
    // Promotion takes at least three minutes: at 2m59s it is still modifying.
    sim.clock().advance(Duration::from_secs(179));
    let during = sim.read_region(Side::Standby).await.expect("read");
    assert_eq!(db(&during).status, "modifying");
    assert!(matches!(db(&during).role, DbRole::Replica { .. }));
    // And at most seven.
    sim.clock().advance(Duration::from_secs(242));
    let after = sim.read_region(Side::Standby).await.expect("read");
    assert_eq!(db(&after).status, "available");
    assert_eq!(db(&after).role, DbRole::Writer);
    assert_eq!(db(&after).lag, Lag::NoData, "a writer has no replica lag");
}

#[tokio::test]
async fn tasks_start_pending_and_run_within_ninety_seconds() {
    let sim = sim();
    sim.act(&Action::ScaleService {
        side: Side::Standby,
        cluster: "orders-dr".into(),
        service: "worker".into(),
        desired: 2,
    })
    .await
    .expect("scale");
    let svc = |r: &RegionReading| {
        r.services
            .as_ref()
            .expect("services")
            .iter()
            .find(|s| s.name == "worker")
            .cloned()
            .expect("worker")
    };
    let now = sim.read_region(Side::Standby).await.expect("read");
    assert_eq!(
        (svc(&now).desired, svc(&now).running, svc(&now).pending),
        (2, 0, 2)
    );
    sim.clock().advance(Duration::from_secs(29));
    let early = sim.read_region(Side::Standby).await.expect("read");
    assert_eq!(svc(&early).running, 0, "no task starts in under 30 s");
    sim.clock().advance(Duration::from_secs(62));
    let late = sim.read_region(Side::Standby).await.expect("read");
    assert_eq!((svc(&late).running, svc(&late).pending), (2, 0));
}

#[tokio::test]
async fn health_check_flips_only_after_its_failure_threshold() {
    let sim = sim();
    let primary_check = |g: &GlobalReading| {
        g.health_checks.as_ref().expect("checks")[0]
            .healthy
            .expect("status")
    };
    assert!(primary_check(&sim.read_global().await.expect("read")));
    sim.toggle(Fault::PrimaryDark);
    // Two failed observations (30 s apart) are not enough with a threshold of 3.
    sim.clock().advance(Duration::from_secs(45));
    assert!(primary_check(&sim.read_global().await.expect("read")));
    sim.clock().advance(Duration::from_secs(60));
    assert!(!primary_check(&sim.read_global().await.expect("read")));
}

#[tokio::test]
async fn a_dark_region_hangs_while_the_other_answers() {
    let sim = sim();
    sim.toggle(Fault::PrimaryDark);
    let hung =
        tokio::time::timeout(Duration::from_millis(100), sim.read_region(Side::Primary)).await;
    assert!(hung.is_err(), "a dark region's call must hang, not answer");
    let standby = tokio::time::timeout(Duration::from_millis(100), sim.read_region(Side::Standby))
        .await
        .expect("standby answers")
        .expect("standby reads");
    assert_eq!(db(&standby).status, "available");
    // Replication lag grows while the primary is dark.
    sim.clock().advance(Duration::from_secs(600));
    let later = sim.read_region(Side::Standby).await.expect("read");
    assert!(
        matches!(db(&later).lag, Lag::Known(s) if s >= 600),
        "{:?}",
        db(&later).lag
    );
}

#[tokio::test]
async fn stopped_replication_reads_as_stopped_never_zero() {
    let sim = sim();
    sim.toggle(Fault::ReplicationStopped);
    let r = sim.read_region(Side::Standby).await.expect("read");
    assert_eq!(db(&r).lag, Lag::Stopped);
}

#[tokio::test]
async fn throttling_fails_some_calls_with_the_aws_code() {
    let sim = sim();
    sim.toggle(Fault::Throttling);
    let mut throttled = 0;
    for _ in 0..40 {
        if let Err(e) = sim.read_region(Side::Standby).await {
            assert_eq!(e.kind, ErrorKind::Throttled);
            assert_eq!(e.code.as_deref(), Some("ThrottlingException"));
            throttled += 1;
        }
    }
    assert!((5..35).contains(&throttled), "{throttled} of 40 throttled");
}

#[tokio::test]
async fn a_stuck_step_completes_only_when_released() {
    let sim = sim();
    sim.toggle(Fault::StuckStep);
    sim.act(&Action::UpsertRecord {
        zone_id: "Z".into(),
        record: "shop.example.com".into(),
        record_type: "CNAME".into(),
        ttl: 60,
        value: "orders-usw2-0987654321.us-west-2.elb.amazonaws.com".into(),
    })
    .await
    .expect("accepted");
    sim.clock().advance(Duration::from_secs(300));
    let g = sim.read_global().await.expect("read");
    let points = |g: &GlobalReading| g.dns.clone().expect("dns").expect("ok").points_at;
    assert_eq!(points(&g), Some(Side::Primary), "stuck: nothing changed");
    sim.toggle(Fault::StuckStep);
    let g = sim.read_global().await.expect("read");
    assert_eq!(points(&g), Some(Side::Standby));
}

#[tokio::test]
async fn the_same_seed_gives_the_same_run() {
    let lags = |seed| async move {
        let sim = Simulator::new(built_in_estate(), seed, SimClock::manual());
        let mut out = Vec::new();
        for _ in 0..20 {
            sim.clock().advance(Duration::from_secs(30));
            out.push(db(&sim.read_region(Side::Standby).await.expect("read")).lag);
        }
        out
    };
    assert_eq!(lags(9).await, lags(9).await);
    assert_ne!(lags(9).await, lags(10).await);
}

#[test]
fn a_saved_world_restores_and_runs_on_as_the_original() {
    let mut world = World::new(built_in_estate(), 7);
    world.advance_to(300.0);
    world
        .apply(&Action::PromoteReplica {
            side: Side::Standby,
            db: "orders-db-replica".into(),
        })
        .expect("promote");
    world.advance_to(310.0);
    let saved = serde_json::to_string(&world).expect("save");
    let mut restored = World::restore(
        built_in_estate(),
        &mut serde_json::Deserializer::from_str(&saved),
    )
    .expect("restore");
    for w in [&mut world, &mut restored] {
        w.advance_to(1500.0);
    }
    let json = |w: &World| serde_json::to_value(w).expect("save");
    assert_eq!(json(&restored), json(&world));
    assert_eq!(
        restored.read_region(Side::Standby),
        world.read_region(Side::Standby)
    );
}

#[tokio::test]
async fn a_json_secret_has_its_endpoint_key_edited_and_the_rest_kept() {
    let text = BUILT_IN_ESTATE.replace(
        "endpoint_parameter = \"/orders/db/endpoint\"",
        "endpoint_parameter = \"/orders/db/endpoint\"\nendpoint_secret = \"orders/db\"",
    );
    let estate = Estate::parse(&text, "test").expect("estate");
    let sim = Simulator::new(estate, 42, SimClock::manual());
    let store = EndpointStore::Secret("orders/db".into());
    let before = sim
        .read_endpoint(Side::Standby, &store)
        .await
        .expect("read")
        .expect("seeded");
    assert_eq!(before.key.as_deref(), Some("host"));
    assert!(
        before.shown("x").starts_with("host=orders-db."),
        "{before:?}"
    );
    let out = sim
        .act(&Action::WriteEndpoint {
            side: Side::Standby,
            store: store.clone(),
            value: "new.example.com".into(),
        })
        .await
        .expect("write");
    assert!(
        out.summary.contains("key host = new.example.com"),
        "{out:?}"
    );
    let raw = sim.world().standby.secrets["orders/db"].clone();
    let v: serde_json::Value = serde_json::from_str(&raw).expect("still JSON");
    assert_eq!(v["host"], "new.example.com");
    assert_eq!(v["port"], 5432, "a number stays a number");
    assert_eq!(v["username"], "app");
    let after = sim
        .read_endpoint(Side::Standby, &store)
        .await
        .expect("read")
        .expect("there");
    assert!(after.holds("new.example.com"));
}

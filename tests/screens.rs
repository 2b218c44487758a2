//! Whole-screen snapshots of the dashboard in the states an operator must tell apart.
//! Readings come from the simulator on a hand-driven clock, ages from fixed instants.

use std::time::{Duration, Instant};

use drconsole::app::App;
use drconsole::app::keys::Command;
use drconsole::backend::Backend;
use drconsole::backend::sim::{Fault, SimClock, Simulator, built_in_estate};
use drconsole::model::{Lag, Side};
use drconsole::poll::{PollEvent, Reading};

#[path = "common/screen.rs"]
mod screen;
use screen::render;

/// An app fed from a simulator that has run for `polls` cycles of 5 s, the last read at `t0`.
async fn app_from(sim: &Simulator, polls: usize, t0: Instant) -> App {
    let mut app = App::new(built_in_estate(), "SIMULATION".into(), true, t0);
    for _ in 0..polls {
        sim.clock().advance(Duration::from_secs(5));
        for side in Side::BOTH {
            let reading = sim.read_region(side).await.expect("read");
            app.apply_poll(PollEvent::Finished {
                scope: drconsole::model::Scope::Region(side),
                at: t0,
                result: Ok(Reading::Region(Box::new(reading))),
            });
        }
        let global = sim.read_global().await.expect("read");
        app.apply_poll(PollEvent::Finished {
            scope: drconsole::model::Scope::Global,
            at: t0,
            result: Ok(Reading::Global(global)),
        });
    }
    app.faults = sim.faults();
    app.now = t0 + Duration::from_secs(3);
    app
}

fn sim() -> std::sync::Arc<Simulator> {
    Simulator::new(built_in_estate(), 7, SimClock::manual())
}

#[tokio::test]
async fn healthy() {
    let sim = sim();
    let app = app_from(&sim, 40, Instant::now()).await;
    let screen = render(&app);
    assert!(screen.contains("STANDBY READY"));
    assert!(screen.contains("SIMULATION"));
    insta::assert_snapshot!("healthy", screen);
}

#[tokio::test]
async fn lag_over_budget() {
    let sim = sim();
    let mut app = app_from(&sim, 40, Instant::now()).await;
    // Replace the latest lag with one past the 5 m budget.
    if let Some(Ok(db)) = app.standby.data.as_mut().and_then(|r| r.database.as_mut()) {
        db.lag = Lag::Known(431);
    }
    for (i, lag) in [120, 260, 380, 431].into_iter().enumerate() {
        let n = app.lag_history.len();
        app.lag_history[n - 4 + i] = Lag::Known(lag);
    }
    let screen = render(&app);
    assert!(screen.contains("7m11s  OVER RPO BUDGET"));
    assert!(screen.contains("STANDBY DEGRADED"));
    insta::assert_snapshot!("lag_over_budget", screen);
}

#[tokio::test]
async fn replication_stopped() {
    let sim = sim();
    sim.toggle(Fault::ReplicationStopped);
    let app = app_from(&sim, 40, Instant::now()).await;
    let screen = render(&app);
    assert!(screen.contains("REPLICATION STOPPED (ReplicaLag = -1)"));
    assert!(
        !screen.contains("lag     0s"),
        "stopped replication is never drawn as 0"
    );
    insta::assert_snapshot!("replication_stopped", screen);
}

#[tokio::test]
async fn primary_unreachable() {
    let sim = sim();
    let t0 = Instant::now();
    let mut app = app_from(&sim, 40, t0).await;
    app.apply_poll(PollEvent::Finished {
        scope: drconsole::model::Scope::Region(Side::Primary),
        at: t0 + Duration::from_secs(20),
        result: Err(drconsole::backend::BackendError::new(
            drconsole::backend::ErrorKind::Unreachable,
            "primary",
            "poll",
            "",
            "no answer within 5s",
        )),
    });
    app.now = t0 + Duration::from_secs(22);
    let screen = render(&app);
    assert!(screen.contains("UNREACHABLE: poll in primary: no answer within 5s"));
    assert!(screen.contains("data below is 22s ago"));
    insta::assert_snapshot!("primary_unreachable", screen);
}

#[tokio::test]
async fn help_overlay_lists_every_binding_and_closes_on_any_key() {
    let sim = sim();
    let mut app = app_from(&sim, 2, Instant::now()).await;
    app.apply_command(Command::Help);
    let screen = render(&app);
    for b in drconsole::app::keys::BINDINGS {
        assert!(screen.contains(b.help), "help lacks {:?}", b.help);
    }
    app.apply_command(Command::Down);
    assert!(!app.show_help);
    assert!(!render(&app).contains("any key closes this help"));
}

#[tokio::test]
async fn two_hundred_services_scroll() {
    let mut estate = built_in_estate();
    let ecs = estate.ecs.as_mut().expect("ecs");
    let template = ecs.services[0].clone();
    ecs.services = (0..200)
        .map(|i| drconsole::config::EcsService {
            name: format!("svc-{i:03}"),
            ..template.clone()
        })
        .collect();
    let sim = Simulator::new(estate.clone(), 7, SimClock::manual());
    let mut app = app_from(&sim, 1, Instant::now()).await;
    app.estate = estate;
    let top = render(&app);
    assert!(top.contains("svc-000") && top.contains("of 200"));
    app.focus = drconsole::app::Panel::Services;
    app.apply_command(Command::Bottom);
    let bottom = render(&app);
    assert!(bottom.contains("svc-199") && !bottom.contains("svc-000"));
}

/// After failover and re-protect, driven on the simulator directly: the screen reads the roles
/// from the readings (header, readiness of the primary, the replica's lag from the primary).
#[tokio::test]
async fn reprotected_estate_is_read_as_such() {
    use drconsole::backend::{Action, Backend};
    let sim = sim();
    let estate = built_in_estate();
    let dns = estate.dns.clone().expect("dns");
    sim.act(&Action::PromoteReplica {
        side: Side::Standby,
        db: "orders-db-replica".into(),
    })
    .await
    .expect("promote");
    sim.act(&Action::UpsertRecord {
        zone_id: dns.zone_id.clone(),
        record: dns.record.clone(),
        record_type: dns.record_type.clone(),
        ttl: dns.ttl,
        value: dns.standby_value.clone(),
    })
    .await
    .expect("dns");
    sim.clock().advance(Duration::from_secs(600));
    let writer = sim
        .read_region(Side::Standby)
        .await
        .expect("read")
        .database
        .expect("db")
        .expect("db");
    for action in [
        Action::RenameDb {
            side: Side::Primary,
            from: "orders-db".into(),
            to: "orders-db-stale-202611211200".into(),
        },
        Action::CreateReplica {
            side: Side::Primary,
            replica: "orders-db".into(),
            source_arn: writer.arn.clone().expect("arn"),
            instance_class: None,
        },
    ] {
        sim.act(&action).await.expect("reprotect");
    }
    let app = app_from(&sim, 240, Instant::now()).await;
    let screen = render(&app);
    assert!(screen.contains("REPROTECTED"), "{screen}");
    assert!(screen.contains("active standby us-west-2"), "{screen}");
    assert!(screen.contains("Failback readiness"), "{screen}");
    assert!(screen.contains("PRIMARY READY"), "{screen}");
    assert!(!screen.contains("no longer a replica"), "{screen}");
    insta::assert_snapshot!("reprotected", screen);
}

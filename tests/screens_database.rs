//! The dashboard of the two database patterns beyond read replicas, drawn from the simulator:
//! a backup-restore standby shows its newest recovery point's age as the RPO, its vault, and
//! readiness judged on the recovery point; an Aurora global database shows its writer's
//! region and members. At 160×48 and at 80×24.

#[path = "common/screen.rs"]
mod screen;

use std::time::{Duration, Instant};

use drconsole::app::App;
use drconsole::backend::Backend;
use drconsole::backend::sim::{SimClock, Simulator, built_in_estate};
use drconsole::config::{DatabaseKind, Estate};
use drconsole::model::Side;
use drconsole::poll::{PollEvent, Reading};

async fn app_of(estate: Estate) -> App {
    app_with(estate, |_, _| {}).await
}

/// As read from the simulator, each region's reading passed through `edit` first.
async fn app_with(
    estate: Estate,
    edit: impl Fn(Side, &mut drconsole::model::RegionReading),
) -> App {
    let sim = Simulator::new(estate.clone(), 7, SimClock::manual());
    let t0 = Instant::now();
    let mut app = App::new(estate, "SIMULATION".into(), true, t0);
    for _ in 0..3 {
        sim.clock().advance(Duration::from_secs(5));
        for side in Side::BOTH {
            let mut reading = sim.read_region(side).await.expect("read");
            edit(side, &mut reading);
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
    app.now = t0 + Duration::from_secs(3);
    app
}

fn with_kind(kind: DatabaseKind) -> Estate {
    let mut e = built_in_estate();
    let db = e.database.as_mut().expect("database");
    db.kind = kind;
    match kind {
        DatabaseKind::BackupRestore => {
            db.standby = "orders-db-dr".into();
            db.backup_vault = Some("orders-dr-vault".into());
            e.rpo_budget = drconsole::config::HumanDuration(Duration::from_secs(7200));
            e.lag_warning = drconsole::config::HumanDuration(Duration::from_secs(4500));
        }
        DatabaseKind::AuroraGlobal => db.global_cluster = Some("orders-global".into()),
        DatabaseKind::RdsReplica => {}
    }
    e
}

#[tokio::test]
async fn a_backup_restore_standby_shows_its_recovery_point() {
    let app = app_of(with_kind(DatabaseKind::BackupRestore)).await;
    let big = screen::render_at(&app, 160, 48);
    assert!(
        big.contains("RPO     25m15s since the newest recovery point  within budget"),
        "{big}"
    );
    assert!(
        big.contains("orders-db-dr backup · not restored · vault orders-dr-vault"),
        "{big}"
    );
    assert!(big.contains("recovery point in vault"), "{big}");
    assert!(big.contains("backup age within budget"), "{big}");
    assert!(!big.contains("replica replicating"), "{big}");
    let small = screen::render_at(&app, 80, 24);
    assert!(
        small.contains("RPO 25m15s old backup  within budget"),
        "{small}"
    );
}

#[tokio::test]
async fn an_aurora_global_database_shows_its_writer_region_and_members() {
    let app = app_of(with_kind(DatabaseKind::AuroraGlobal)).await;
    let big = screen::render_at(&app, 160, 48);
    assert!(
        big.contains("· global orders-global: writer us-east-1, 2 members"),
        "{big}"
    );
}

/// An old Aurora writer AWS has not rebuilt yet (`pending-resync`) says so beside its status,
/// from its own field: the status stays AWS's word.
#[tokio::test]
async fn an_old_writer_pending_resync_says_so_beside_its_status() {
    let app = app_with(with_kind(DatabaseKind::AuroraGlobal), |side, r| {
        if side == Side::Primary
            && let Some(Ok(db)) = r.database.as_mut()
        {
            db.pending_resync = true;
        }
    })
    .await;
    for (w, h) in [(160, 48), (80, 24)] {
        let text = screen::render_at(&app, w, h);
        assert!(text.contains("pending resync"), "{w}x{h}:\n{text}");
        assert_eq!(
            text.matches("pending resync").count(),
            1,
            "{w}x{h}:\n{text}"
        );
    }
    let plain = app_of(with_kind(DatabaseKind::AuroraGlobal)).await;
    assert!(!screen::render_at(&plain, 160, 48).contains("pending resync"));
}

//! Tests of the simulated databases: an Aurora global database's members and its writer moving.

use super::*;
use crate::backend::Action;
use crate::config::DatabaseKind;

fn aurora() -> Estate {
    let mut e = crate::backend::sim::built_in_estate();
    if let Some(db) = e.database.as_mut() {
        db.kind = DatabaseKind::AuroraGlobal;
        db.global_cluster = Some("orders-global".into());
    }
    e
}

fn writer_region(w: &World, side: Side) -> Option<String> {
    let db = w.read_region(side).database?.ok()?;
    let g = db.global()?;
    assert_eq!(g.members.len(), 2);
    g.writer().and_then(|m| m.region()).map(str::to_string)
}

#[test]
fn a_global_database_shows_its_members_and_the_writer_moving() {
    let mut w = World::new(aurora(), 5);
    assert_eq!(
        writer_region(&w, Side::Standby).as_deref(),
        Some("us-east-1")
    );
    let arn = w.db_arn(Side::Standby, "orders-db-replica");
    w.apply(&Action::GlobalFailover {
        global_cluster: "orders-global".into(),
        target_cluster_arn: arn,
        side: Side::Standby,
    })
    .expect("failover");
    let db = w
        .read_region(Side::Standby)
        .database
        .expect("db")
        .expect("read");
    let moving = db
        .global()
        .and_then(|g| g.moving.clone())
        .expect("under way");
    assert!(moving.data_loss);
    assert_eq!(moving.status, "failing-over");
    w.advance_to(200.0);
    assert_eq!(
        writer_region(&w, Side::Standby).as_deref(),
        Some("us-west-2")
    );
    let db = w
        .read_region(Side::Standby)
        .database
        .expect("db")
        .expect("read");
    assert!(db.global().is_some_and(|g| g.moving.is_none()));
}

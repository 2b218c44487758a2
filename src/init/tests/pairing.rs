//! What pairing makes of a small state: the replica by its source, groups by region words,
//! the record by the load balancer it points at.

use super::super::draft::*;
use super::{draft_of, estate};
use crate::model::Side;

#[test]
fn pairs_by_replica_source_region_words_and_load_balancer() {
    let d = draft_of(estate());
    let db = d.database.as_ref().expect("database");
    assert_eq!(db.kind, Some(DbKind::RdsReplica));
    assert_eq!(
        (db.primary.as_str(), db.standby.as_str()),
        ("orders-db", "orders-db-replica")
    );
    let e = d.ecs.as_ref().expect("ecs");
    assert_eq!(
        (e.primary_cluster.as_str(), e.standby_cluster.as_str()),
        ("orders", "orders-dr")
    );
    assert_eq!(e.services.len(), 1);
    assert_eq!(d.asgs.len(), 1, "bastion has no twin");
    assert_eq!(
        (
            d.asgs[0].primary_name.as_str(),
            d.asgs[0].standby_name.as_str()
        ),
        ("app-use1", "app-usw2")
    );
    assert!(d.notes.iter().any(|n| n.line().contains("bastion")));
    let dns = d.dns.as_ref().expect("dns");
    assert_eq!(
        dns.targets,
        DnsTargets::Values {
            primary: "web-use1.elb.amazonaws.com".into(),
            standby: "web-usw2.elb.amazonaws.com".into()
        }
    );
    assert_eq!(d.health_checks[0].side, Side::Standby);
    assert!(d.missing.is_empty(), "{:?}", d.missing);
}

//! What confirmation makes of the draft against AWS as a table: capacities from each region,
//! the endpoint store by its key, what does not match is missing, a failed read stops.

use super::super::confirm::*;
use super::super::draft::*;
use super::super::{Options, finish};
use super::table::Table;
use super::{draft_of, estate};
use crate::backend::BackendError;
use crate::config::Capacity;
use crate::model::{ErrorKind, Side};

fn inst(id: &str, source: Option<&str>) -> DbInstanceInfo {
    DbInstanceInfo {
        id: id.into(),
        arn: format!("arn:aws:rds:x:1:db:{id}"),
        address: Some(format!("{id}.rds.example")),
        source: source.map(str::to_string),
        replicas: vec![],
        class: None,
    }
}

fn healthy_aws() -> Table {
    let cap = |min, max, desired| Capacity { min, max, desired };
    let mut t = Table::default();
    t.instances
        .insert((Side::Primary, "orders-db".into()), inst("orders-db", None));
    t.instances.insert(
        (Side::Standby, "orders-db-replica".into()),
        inst(
            "orders-db-replica",
            Some("arn:aws:rds:us-east-1:1:db:orders-db"),
        ),
    );
    t.services.insert(Side::Primary, vec![("web".into(), 4)]);
    t.services.insert(Side::Standby, vec![("web".into(), 0)]);
    t.asgs
        .insert(Side::Primary, vec![("app-use1".into(), cap(2, 10, 4))]);
    t.asgs
        .insert(Side::Standby, vec![("app-usw2".into(), cap(0, 10, 0))]);
    t.secrets.insert(
        "orders/db".into(),
        r#"{"host":"orders-db.rds.example","password":"hunter2"}"#.into(),
    );
    t.records = vec![RecordInfo {
        name: "www.example.com".into(),
        kind: "CNAME".into(),
        set_identifier: None,
        failover: None,
        values: vec!["web-use1.elb.amazonaws.com".into()],
        alias: None,
        evaluate_target_health: false,
        ttl: Some(60),
        health_check: None,
    }];
    t.checks = vec!["hc-s".into()];
    t
}

fn confirmed(aws: &Table) -> Result<Draft, BackendError> {
    let mut d = draft_of(estate());
    futures::executor::block_on(confirm(&mut d, aws))?;
    Ok(d)
}

#[test]
fn capacities_come_from_each_region_and_the_json_secret_by_its_key() {
    let d = confirmed(&healthy_aws()).expect("confirmed");
    assert!(d.missing.is_empty(), "{:?}", d.missing);
    let svc = &d.ecs.as_ref().expect("ecs").services[0];
    assert_eq!((svc.production, svc.standby), (Some(4), Some(0)));
    assert_eq!(d.asgs[0].production.map(|c| c.desired), Some(4));
    assert_eq!(d.asgs[0].standby.map(|c| c.max), Some(10));
    let db = d.database.as_ref().expect("db");
    assert_eq!(
        db.endpoint,
        Some(EndpointStore::SecretKey("orders/db".into(), "host".into()))
    );
    let opts = Options {
        primary: "us-east-1".into(),
        standby: "us-west-2".into(),
        ..Options::default()
    };
    let (text, _) = finish(d, &opts).expect("passes check");
    assert!(!text.contains("hunter2"));
    assert!(
        text.contains("# read from AWS: desired 4 in orders, us-east-1"),
        "{text}"
    );
    crate::runbook::parse_estate(&text, "t").expect("the text passes check");
}

#[test]
fn a_replica_of_something_else_or_a_missing_service_is_missing() {
    let mut aws = healthy_aws();
    aws.instances.insert(
        (Side::Standby, "orders-db-replica".into()),
        inst(
            "orders-db-replica",
            Some("arn:aws:rds:us-east-1:1:db:billing-db"),
        ),
    );
    aws.services.insert(Side::Standby, vec![]);
    let d = confirmed(&aws).expect("confirmed");
    let what: Vec<&str> = d.missing.iter().map(|m| m.what.as_str()).collect();
    assert!(
        what.iter()
            .any(|w| w.contains("replicates from arn:aws:rds:us-east-1:1:db:billing-db")),
        "{what:?}"
    );
    assert!(
        what.iter()
            .any(|w| w.contains("ECS service web in cluster orders-dr")),
        "{what:?}"
    );
    let opts = Options {
        primary: "us-east-1".into(),
        standby: "us-west-2".into(),
        ..Options::default()
    };
    let e = finish(d, &opts).expect_err("missing values write nothing");
    assert_eq!(e.code, crate::exit::CONFIG);
    assert!(
        e.message.contains("2 required value(s) not found"),
        "{}",
        e.message
    );
}

#[test]
fn a_record_pointing_at_the_standby_is_a_check_not_a_guess() {
    let mut aws = healthy_aws();
    aws.records[0].values = vec!["web-usw2.elb.amazonaws.com.".into()];
    let d = confirmed(&aws).expect("confirmed");
    let notes = &d.dns.as_ref().expect("dns").notes;
    assert!(
        notes.iter().any(|n| n
            .line()
            .contains("points at the STANDBY's load balancer now")),
        "{notes:?}"
    );
}

#[test]
fn credentials_that_fail_stop_init_a_missing_resource_does_not() {
    for (kind, stops) in [
        (ErrorKind::Credentials, true),
        (ErrorKind::Unreachable, true),
        (ErrorKind::AccessDenied, true),
        (ErrorKind::NotFound, false),
    ] {
        let aws = Table {
            fail: Some(kind),
            ..healthy_aws()
        };
        let got = confirmed(&aws);
        assert_eq!(got.is_err(), stops, "{kind:?}");
        if let Ok(d) = got {
            assert!(!d.missing.is_empty(), "{kind:?}: nothing found is missing");
        }
    }
}

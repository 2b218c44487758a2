//! Pairing and confirmation on small states, against a reader that answers from a table.

use std::collections::BTreeMap;

use async_trait::async_trait;
use serde_json::json;

use super::confirm::*;
use super::draft::*;
use super::pair::{Resources, pair};
use super::terraform::TfResource;
use super::*;
use crate::backend::BackendError;
use crate::config::Capacity;
use crate::model::{ErrorKind, Side};

fn r(address: &str, region: Option<&str>, values: serde_json::Value) -> TfResource {
    let kind = address.rsplit('.').nth(1).unwrap_or_default().to_string();
    TfResource {
        address: address.into(),
        kind,
        values: values.as_object().cloned().unwrap_or_default(),
        provider: "aws".into(),
        region: region.map(str::to_string),
        file: "s.tfstate".into(),
        origin: Default::default(),
    }
}

fn estate() -> Vec<TfResource> {
    let (p, s) = (Some("us-east-1"), Some("us-west-2"));
    vec![
        r(
            "aws_db_instance.main",
            p,
            json!({"identifier": "orders-db"}),
        ),
        r(
            "aws_db_instance.replica",
            s,
            json!({"identifier": "orders-db-replica",
                   "replicate_source_db": "arn:aws:rds:us-east-1:1:db:orders-db"}),
        ),
        r(
            "aws_secretsmanager_secret.db",
            s,
            json!({"name": "orders/db"}),
        ),
        r("aws_ecs_cluster.p", p, json!({"name": "orders"})),
        r("aws_ecs_cluster.s", s, json!({"name": "orders-dr"})),
        r(
            "aws_ecs_service.p",
            p,
            json!({"name": "web", "cluster": "arn:aws:ecs:us-east-1:1:cluster/orders"}),
        ),
        r(
            "aws_ecs_service.s",
            s,
            json!({"name": "web", "cluster": "orders-dr"}),
        ),
        r("aws_autoscaling_group.p", p, json!({"name": "app-use1"})),
        r("aws_autoscaling_group.s", s, json!({"name": "app-usw2"})),
        r("aws_autoscaling_group.only", p, json!({"name": "bastion"})),
        r(
            "aws_lb.p",
            p,
            json!({"name": "web-use1", "dns_name": "web-use1.elb.amazonaws.com", "zone_id": "ZP"}),
        ),
        r(
            "aws_lb.s",
            s,
            json!({"name": "web-usw2", "dns_name": "web-usw2.elb.amazonaws.com", "zone_id": "ZS"}),
        ),
        r(
            "aws_route53_record.www",
            None,
            json!({"zone_id": "Z1", "name": "www.example.com", "type": "CNAME", "ttl": 60,
                   "records": ["web-use1.elb.amazonaws.com"]}),
        ),
        r(
            "aws_route53_health_check.s",
            None,
            json!({"id": "hc-s", "fqdn": "web-usw2.elb.amazonaws.com"}),
        ),
    ]
}

fn draft_of(rs: Vec<TfResource>) -> Draft {
    pair(
        &Resources {
            all: rs,
            several_files: false,
        },
        "us-east-1",
        "us-west-2",
    )
}

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

/// AWS as a table; every call counted. `fail` makes every call fail with that kind.
#[derive(Default)]
struct Table {
    instances: BTreeMap<(Side, String), DbInstanceInfo>,
    services: BTreeMap<Side, Vec<(String, u32)>>,
    asgs: BTreeMap<Side, Vec<(String, Capacity)>>,
    secrets: BTreeMap<String, String>,
    records: Vec<RecordInfo>,
    checks: Vec<String>,
    fail: Option<ErrorKind>,
}

impl Table {
    fn err(&self) -> Result<(), BackendError> {
        match self.fail {
            Some(k) => Err(BackendError::new(
                k,
                "us-east-1 (primary)",
                "op",
                "x",
                "refused",
            )),
            None => Ok(()),
        }
    }
}

#[async_trait]
impl Reader for Table {
    async fn db_instance(
        &self,
        side: Side,
        id: &str,
    ) -> Result<Option<DbInstanceInfo>, BackendError> {
        self.err()?;
        Ok(self.instances.get(&(side, id.to_string())).cloned())
    }
    async fn db_cluster(&self, _: Side, _: &str) -> Result<Option<ClusterInfo>, BackendError> {
        self.err()?;
        Ok(None)
    }
    async fn service_counts(
        &self,
        side: Side,
        _: &str,
        _: &[String],
    ) -> Result<Vec<(String, u32)>, BackendError> {
        self.err()?;
        Ok(self.services.get(&side).cloned().unwrap_or_default())
    }
    async fn asg_capacities(
        &self,
        side: Side,
        _: &[String],
    ) -> Result<Vec<(String, Capacity)>, BackendError> {
        self.err()?;
        Ok(self.asgs.get(&side).cloned().unwrap_or_default())
    }
    async fn target_groups(&self, _: Side, arns: &[String]) -> Result<Vec<String>, BackendError> {
        self.err()?;
        Ok(arns.to_vec())
    }
    async fn records(&self, _: &str, _: &str) -> Result<Vec<RecordInfo>, BackendError> {
        self.err()?;
        Ok(self.records.clone())
    }
    async fn health_check_exists(&self, id: &str) -> Result<bool, BackendError> {
        self.err()?;
        Ok(self.checks.iter().any(|c| c == id))
    }
    async fn alarms(&self, _: Side, names: &[String]) -> Result<Vec<String>, BackendError> {
        self.err()?;
        Ok(names.to_vec())
    }
    async fn parameter_matches(
        &self,
        _: Side,
        _: &str,
        _: &str,
    ) -> Result<StoreMatch, BackendError> {
        self.err()?;
        Ok(StoreMatch::Absent)
    }
    async fn secret_matches(
        &self,
        _: Side,
        name: &str,
        address: &str,
    ) -> Result<StoreMatch, BackendError> {
        self.err()?;
        Ok(match self.secrets.get(name) {
            Some(v) if v == address => StoreMatch::Whole,
            Some(v) if v.contains(address) => StoreMatch::JsonKey("host".into()),
            Some(_) => StoreMatch::Other,
            None => StoreMatch::Absent,
        })
    }
    async fn backup_vault_exists(&self, _: Side, _: &str) -> Result<bool, BackendError> {
        self.err()?;
        Ok(true)
    }
}

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

#[test]
fn odd_names_are_quoted_and_the_file_parses() {
    let mut rs = estate();
    if let Some(svc) = rs.iter_mut().find(|r| r.address == "aws_ecs_service.p") {
        svc.values.insert("name".into(), json!("we\"b\\x"));
    }
    let mut d = draft_of(rs);
    d.name = "a \"quoted\" name".into();
    let text = write::render(&d, &write::Style::default());
    let v: toml::Table = toml::from_str(&text).unwrap_or_else(|e| panic!("{e}\n{text}"));
    assert_eq!(v["name"].as_str(), Some("a \"quoted\" name"));
}

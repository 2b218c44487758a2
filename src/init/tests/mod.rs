//! Pairing and confirmation on small states, against a reader that answers from a table.

mod confirming;
mod pairing;
mod table;
mod writing;

use serde_json::json;

use super::draft::*;
use super::pair::{Resources, pair};
use super::terraform::TfResource;

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

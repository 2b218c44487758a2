//! Tests of the estate file: parsing, checks and where errors point.

use super::*;

mod estate;
mod names;
mod text;
mod values;

/// The smallest valid estate with every section the checks below touch.
const BASE: &str = r#"name = "orders"
[primary]
region = "us-east-1"
endpoint_url = "http://127.0.0.1:5000"
[standby]
region = "us-west-2"
[database]
kind = "rds-replica"
primary = "orders-db"
standby = "orders-db-replica"
[ecs]
primary_cluster = "orders"
standby_cluster = "orders"
[[ecs.services]]
name = "web"
production = 2
standby = 0
[[ecs.services]]
name = "worker"
production = 1
standby = 0
[[asgs]]
name = "orders-web"
production = { min = 1, max = 4, desired = 2 }
standby = { min = 0, max = 4, desired = 0 }
[[target_groups]]
name = "web"
asg = "orders-web"
primary_arn = "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/web/1"
standby_arn = "arn:aws:elasticloadbalancing:us-west-2:123456789012:targetgroup/web/2"
[dns]
zone_id = "Z0123456789"
record = "www.example.com"
ttl = 60
primary_value = "lb-use1.example.com"
standby_value = "lb-usw2.example.com"
[[health_checks]]
id = "hc-1"
label = "primary ALB"
region = "primary"
[[alarms]]
name = "orders-5xx"
region = "primary"
"#;

/// `BASE` with one piece of text replaced (which must be there).
fn with(from: &str, to: &str) -> String {
    assert!(BASE.contains(from), "{from:?} is not in BASE");
    BASE.replacen(from, to, 1)
}

fn parse_err(text: &str) -> String {
    match Estate::parse(text, "t.toml") {
        Ok(_) => panic!("expected an error for\n{text}"),
        Err(e) => e.to_string(),
    }
}

#[test]
fn the_base_estate_for_these_tests_is_valid() {
    Estate::parse(BASE, "t.toml").expect("BASE parses");
}

//! Tests of the IAM policy: read-only by default, scoped to the estate, and what `operate` adds.
//! This module holds the estate they use and what they read of a policy.

mod operate;
mod read;

use super::*;

const ESTATE: &str = r#"
name = "orders"
[primary]
region = "us-east-1"
[standby]
region = "us-west-2"
[database]
kind = "rds-replica"
primary = "orders-db"
standby = "orders-db-replica"
endpoint_parameter = "/orders/db/endpoint"
endpoint_secret = "orders/db"
[ecs]
primary_cluster = "orders"
standby_cluster = "orders-dr"
[[ecs.services]]
name = "web"
production = 4
standby = 0
[[asgs]]
name = "orders-web"
production = { min = 2, max = 10, desired = 4 }
standby = { min = 0, max = 10, desired = 0 }
[[target_groups]]
name = "web"
primary_arn = "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/web/1"
standby_arn = "arn:aws:elasticloadbalancing:us-west-2:123456789012:targetgroup/web/2"
[dns]
zone_id = "Z0123456789"
record = "www.example.com"
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

fn estate(text: &str) -> Estate {
    Estate::parse(text, "test.toml").expect("test estate parses")
}

fn actions(policy: &Value) -> Vec<String> {
    policy["Statement"]
        .as_array()
        .expect("statements")
        .iter()
        .flat_map(|s| s["Action"].as_array().expect("actions").clone())
        .map(|a| a.as_str().expect("action").to_string())
        .collect()
}

fn resources_of(policy: &Value, action: &str) -> Vec<String> {
    policy["Statement"]
        .as_array()
        .expect("statements")
        .iter()
        .filter(|s| {
            s["Action"]
                .as_array()
                .expect("actions")
                .iter()
                .any(|a| a == action)
        })
        .flat_map(|s| s["Resource"].as_array().expect("resources").clone())
        .map(|a| a.as_str().expect("resource").to_string())
        .collect()
}

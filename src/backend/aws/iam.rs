//! The least-privilege IAM policy for an estate: what monitoring needs, and with `operate` what
//! the runbook actions need, scoped to the estate's resources wherever the API allows it.
//! The account id is not known from the estate file, so ARNs use `*` in its place.

use serde_json::{Value, json};

use crate::config::{DatabaseKind, Estate};
use crate::model::Side;

fn statement(sid: &str, actions: &[&str], resources: Vec<String>) -> Option<Value> {
    if resources.is_empty() {
        return None;
    }
    let mut resources = resources;
    resources.sort();
    resources.dedup();
    Some(json!({
        "Sid": sid,
        "Effect": "Allow",
        "Action": actions,
        "Resource": resources,
    }))
}

fn region(estate: &Estate, side: Side) -> &str {
    estate.region(side).region.as_str()
}

fn per_side(estate: &Estate, f: impl Fn(Side, &str) -> Vec<String>) -> Vec<String> {
    Side::BOTH
        .iter()
        .flat_map(|s| f(*s, region(estate, *s)))
        .collect()
}

/// RDS ARNs of the database in both regions (`db:` instances or `cluster:` clusters).
fn database_arns(estate: &Estate) -> Vec<String> {
    let Some(db) = &estate.database else {
        return Vec::new();
    };
    let kind = match db.kind {
        DatabaseKind::RdsReplica => "db",
        DatabaseKind::AuroraGlobal => "cluster",
    };
    per_side(estate, |side, r| {
        let name = match side {
            Side::Primary => &db.primary,
            Side::Standby => &db.standby,
        };
        vec![format!("arn:aws:rds:{r}:*:{kind}:{name}")]
    })
}

fn global_cluster_arns(estate: &Estate) -> Vec<String> {
    estate
        .database
        .as_ref()
        .filter(|d| d.kind == DatabaseKind::AuroraGlobal)
        .and_then(|d| d.global_cluster.as_ref())
        .map(|g| vec![format!("arn:aws:rds::*:global-cluster:{g}")])
        .unwrap_or_default()
}

fn service_arns(estate: &Estate) -> Vec<String> {
    let Some(ecs) = &estate.ecs else {
        return Vec::new();
    };
    per_side(estate, |side, r| {
        ecs.services
            .iter()
            .map(|s| format!("arn:aws:ecs:{r}:*:service/{}/{}", ecs.cluster(side), s.name))
            .collect()
    })
}

fn asg_arns(estate: &Estate) -> Vec<String> {
    per_side(estate, |side, r| {
        estate
            .asgs
            .iter()
            .map(|a| {
                format!(
                    "arn:aws:autoscaling:{r}:*:autoScalingGroup:*:autoScalingGroupName/{}",
                    a.name_in(side)
                )
            })
            .collect()
    })
}

fn target_group_arns(estate: &Estate) -> Vec<String> {
    estate
        .target_groups
        .iter()
        .flat_map(|t| Side::BOTH.map(|s| t.arn(s).to_string()))
        .collect()
}

fn alarm_arns(estate: &Estate) -> Vec<String> {
    estate
        .alarms
        .iter()
        .map(|a| {
            format!(
                "arn:aws:cloudwatch:{}:*:alarm:{}",
                region(estate, a.region),
                a.name
            )
        })
        .collect()
}

fn zone_arns(estate: &Estate) -> Vec<String> {
    estate
        .dns
        .iter()
        .map(|d| {
            let zone = d.zone_id.trim_start_matches("/hostedzone/");
            format!("arn:aws:route53:::hostedzone/{zone}")
        })
        .collect()
}

fn health_check_arns(estate: &Estate) -> Vec<String> {
    estate
        .health_checks
        .iter()
        .map(|h| format!("arn:aws:route53:::healthcheck/{}", h.id))
        .collect()
}

fn parameter_arns(estate: &Estate) -> Vec<String> {
    let Some(name) = estate
        .database
        .as_ref()
        .and_then(|d| d.endpoint_parameter.as_ref())
    else {
        return Vec::new();
    };
    let name = name.trim_start_matches('/');
    per_side(estate, |_, r| {
        vec![format!("arn:aws:ssm:{r}:*:parameter/{name}")]
    })
}

/// Secrets Manager appends six random characters to a secret's ARN, hence `-*`.
fn secret_arns(estate: &Estate) -> Vec<String> {
    let Some(name) = estate
        .database
        .as_ref()
        .and_then(|d| d.endpoint_secret.as_ref())
    else {
        return Vec::new();
    };
    per_side(estate, |_, r| {
        vec![format!("arn:aws:secretsmanager:{r}:*:secret:{name}-*")]
    })
}

/// The policy document. Read-only by default; `operate` adds the actions the runbooks make.
pub fn iam_policy(estate: &Estate, operate: bool) -> Value {
    let db_kind = estate.database.as_ref().map(|d| d.kind);
    let mut statements: Vec<Option<Value>> = Vec::new();

    // Calls that AWS does not scope to resources.
    let mut unscoped = vec!["cloudwatch:GetMetricData"];
    if !estate.asgs.is_empty() {
        unscoped.push("autoscaling:DescribeAutoScalingGroups");
    }
    if !estate.target_groups.is_empty() {
        unscoped.push("elasticloadbalancing:DescribeTargetHealth");
    }
    if estate.database.is_none() {
        unscoped.retain(|a| *a != "cloudwatch:GetMetricData");
    }
    if !unscoped.is_empty() {
        statements.push(statement("ReadUnscoped", &unscoped, vec!["*".into()]));
    }
    match db_kind {
        Some(DatabaseKind::RdsReplica) => statements.push(statement(
            "ReadDatabase",
            &["rds:DescribeDBInstances"],
            database_arns(estate),
        )),
        Some(DatabaseKind::AuroraGlobal) => {
            statements.push(statement(
                "ReadDatabase",
                &["rds:DescribeDBClusters"],
                database_arns(estate),
            ));
            statements.push(statement(
                "ReadGlobalCluster",
                &["rds:DescribeGlobalClusters"],
                global_cluster_arns(estate),
            ));
        }
        None => {}
    }
    statements.push(statement(
        "ReadServices",
        &["ecs:DescribeServices"],
        service_arns(estate),
    ));
    statements.push(statement(
        "ReadAlarms",
        &["cloudwatch:DescribeAlarms"],
        alarm_arns(estate),
    ));
    statements.push(statement(
        "ReadHealthChecks",
        &["route53:GetHealthCheckStatus"],
        health_check_arns(estate),
    ));
    statements.push(statement(
        "ReadRecord",
        &["route53:ListResourceRecordSets"],
        zone_arns(estate),
    ));

    if operate {
        match db_kind {
            Some(DatabaseKind::RdsReplica) => statements.push(statement(
                "OperateDatabase",
                &[
                    "rds:PromoteReadReplica",
                    "rds:CreateDBInstanceReadReplica",
                    "rds:ModifyDBInstance",
                ],
                database_arns(estate),
            )),
            Some(DatabaseKind::AuroraGlobal) => {
                let mut arns = database_arns(estate);
                arns.extend(global_cluster_arns(estate));
                statements.push(statement(
                    "OperateGlobalCluster",
                    &["rds:SwitchoverGlobalCluster", "rds:FailoverGlobalCluster"],
                    arns,
                ));
            }
            None => {}
        }
        statements.push(statement(
            "OperateServices",
            &["ecs:UpdateService"],
            service_arns(estate),
        ));
        statements.push(statement(
            "OperateAsgs",
            &["autoscaling:UpdateAutoScalingGroup"],
            asg_arns(estate),
        ));
        statements.push(statement(
            "OperateTargetGroups",
            &["elasticloadbalancing:RegisterTargets"],
            target_group_arns(estate),
        ));
        statements.push(statement(
            "OperateRecord",
            &["route53:ChangeResourceRecordSets"],
            zone_arns(estate),
        ));
        if estate.dns.is_some() {
            statements.push(statement(
                "FollowRecordChange",
                &["route53:GetChange"],
                vec!["arn:aws:route53:::change/*".into()],
            ));
        }
        statements.push(statement(
            "OperateEndpointParameter",
            &["ssm:PutParameter", "ssm:GetParameter"],
            parameter_arns(estate),
        ));
        statements.push(statement(
            "OperateEndpointSecret",
            &[
                "secretsmanager:PutSecretValue",
                "secretsmanager:GetSecretValue",
            ],
            secret_arns(estate),
        ));
    }

    json!({
        "Version": "2012-10-17",
        "Statement": statements.into_iter().flatten().collect::<Vec<_>>(),
    })
}

#[cfg(test)]
mod tests {
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

    #[test]
    fn read_only_policy_has_no_mutating_action() {
        let p = iam_policy(&estate(ESTATE), false);
        assert_eq!(p["Version"], "2012-10-17");
        let a = actions(&p);
        for read in [
            "rds:DescribeDBInstances",
            "cloudwatch:GetMetricData",
            "cloudwatch:DescribeAlarms",
            "ecs:DescribeServices",
            "autoscaling:DescribeAutoScalingGroups",
            "elasticloadbalancing:DescribeTargetHealth",
            "route53:GetHealthCheckStatus",
            "route53:ListResourceRecordSets",
        ] {
            assert!(a.iter().any(|x| x == read), "{read} missing from {a:?}");
        }
        for write in [
            "rds:PromoteReadReplica",
            "ecs:UpdateService",
            "autoscaling:UpdateAutoScalingGroup",
            "route53:ChangeResourceRecordSets",
            "ssm:PutParameter",
            "secretsmanager:GetSecretValue",
        ] {
            assert!(!a.iter().any(|x| x == write), "{write} must need --operate");
        }
    }

    #[test]
    fn read_policy_is_scoped_to_the_estate() {
        let p = iam_policy(&estate(ESTATE), false);
        assert_eq!(
            resources_of(&p, "rds:DescribeDBInstances"),
            [
                "arn:aws:rds:us-east-1:*:db:orders-db",
                "arn:aws:rds:us-west-2:*:db:orders-db-replica"
            ]
        );
        assert_eq!(
            resources_of(&p, "ecs:DescribeServices"),
            [
                "arn:aws:ecs:us-east-1:*:service/orders/web",
                "arn:aws:ecs:us-west-2:*:service/orders-dr/web"
            ]
        );
        assert_eq!(
            resources_of(&p, "cloudwatch:DescribeAlarms"),
            ["arn:aws:cloudwatch:us-east-1:*:alarm:orders-5xx"]
        );
        assert_eq!(
            resources_of(&p, "route53:GetHealthCheckStatus"),
            ["arn:aws:route53:::healthcheck/hc-1"]
        );
        assert_eq!(
            resources_of(&p, "route53:ListResourceRecordSets"),
            ["arn:aws:route53:::hostedzone/Z0123456789"]
        );
        assert_eq!(resources_of(&p, "cloudwatch:GetMetricData"), ["*"]);
    }

    #[test]
    fn operate_policy_adds_scoped_mutations() {
        let p = iam_policy(&estate(ESTATE), true);
        assert_eq!(
            resources_of(&p, "rds:PromoteReadReplica"),
            [
                "arn:aws:rds:us-east-1:*:db:orders-db",
                "arn:aws:rds:us-west-2:*:db:orders-db-replica"
            ]
        );
        assert_eq!(
            resources_of(&p, "autoscaling:UpdateAutoScalingGroup"),
            [
                "arn:aws:autoscaling:us-east-1:*:autoScalingGroup:*:autoScalingGroupName/orders-web",
                "arn:aws:autoscaling:us-west-2:*:autoScalingGroup:*:autoScalingGroupName/orders-web"
            ]
        );
        assert_eq!(
            resources_of(&p, "elasticloadbalancing:RegisterTargets"),
            [
                "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/web/1",
                "arn:aws:elasticloadbalancing:us-west-2:123456789012:targetgroup/web/2"
            ]
        );
        assert_eq!(
            resources_of(&p, "route53:GetChange"),
            ["arn:aws:route53:::change/*"]
        );
        assert_eq!(
            resources_of(&p, "ssm:PutParameter"),
            [
                "arn:aws:ssm:us-east-1:*:parameter/orders/db/endpoint",
                "arn:aws:ssm:us-west-2:*:parameter/orders/db/endpoint"
            ]
        );
        assert_eq!(
            resources_of(&p, "secretsmanager:PutSecretValue"),
            [
                "arn:aws:secretsmanager:us-east-1:*:secret:orders/db-*",
                "arn:aws:secretsmanager:us-west-2:*:secret:orders/db-*"
            ]
        );
        // No statement is left without a resource, and nothing is granted on `*` but describes.
        for s in p["Statement"].as_array().expect("statements") {
            let res = s["Resource"].as_array().expect("resources");
            assert!(!res.is_empty());
            if res.iter().any(|r| r == "*") {
                assert_eq!(s["Sid"], "ReadUnscoped");
            }
        }
    }

    #[test]
    fn aurora_global_policy_names_the_global_cluster() {
        let text = ESTATE.replace(
            "kind = \"rds-replica\"",
            "kind = \"aurora-global\"\nglobal_cluster = \"orders-global\"",
        );
        let p = iam_policy(&estate(&text), true);
        assert_eq!(
            resources_of(&p, "rds:DescribeGlobalClusters"),
            ["arn:aws:rds::*:global-cluster:orders-global"]
        );
        let failover = resources_of(&p, "rds:FailoverGlobalCluster");
        assert!(
            failover.contains(&"arn:aws:rds:us-west-2:*:cluster:orders-db-replica".to_string())
        );
        assert!(failover.contains(&"arn:aws:rds::*:global-cluster:orders-global".to_string()));
        assert!(!actions(&p).iter().any(|a| a == "rds:PromoteReadReplica"));
    }

    #[test]
    fn minimal_estate_gives_a_valid_empty_policy() {
        let p = iam_policy(
            &estate(
                "name = \"x\"\n[primary]\nregion = \"us-east-1\"\n[standby]\nregion = \"us-west-2\"\n",
            ),
            true,
        );
        assert_eq!(p["Statement"].as_array().map(Vec::len), Some(0));
    }
}

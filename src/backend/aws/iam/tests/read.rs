//! Tests of the read-only IAM policy: the reads it grants, scoped to the estate, and the
//! caller's identity.

use super::*;

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
fn minimal_estate_gives_a_policy_that_only_reads_the_identity() {
    let p = iam_policy(
        &estate(
            "name = \"x\"\n[primary]\nregion = \"us-east-1\"\n[standby]\nregion = \"us-west-2\"\n",
        ),
        true,
    );
    assert_eq!(
        actions(&p),
        ["sts:GetCallerIdentity", "iam:ListAccountAliases"]
    );
}

#[test]
fn every_policy_reads_the_caller_identity_and_marks_the_alias_optional() {
    for operate in [false, true] {
        let p = iam_policy(&estate(ESTATE), operate);
        assert_eq!(resources_of(&p, "sts:GetCallerIdentity"), ["*"]);
        let alias = p["Statement"]
            .as_array()
            .expect("statements")
            .iter()
            .find(|s| s["Action"] == serde_json::json!(["iam:ListAccountAliases"]))
            .expect("the alias statement");
        assert_eq!(alias["Sid"], "OptionalReadAccountAlias");
    }
}

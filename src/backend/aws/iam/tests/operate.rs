//! Tests of what `operate` adds to the IAM policy: scoped changes, the global database, the
//! failover routing check, the run lock's table and the topic.

use super::*;

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
    assert_eq!(resources_of(&p, "ssm:DescribeParameters"), ["*"]);
    assert_eq!(
        resources_of(&p, "secretsmanager:PutSecretValue"),
        [
            "arn:aws:secretsmanager:us-east-1:*:secret:orders/db-*",
            "arn:aws:secretsmanager:us-west-2:*:secret:orders/db-*"
        ]
    );
    // No statement is left without a resource, and nothing is granted on `*` but reads:
    // describes, and who the caller is (neither of which IAM scopes to a resource).
    for s in p["Statement"].as_array().expect("statements") {
        let res = s["Resource"].as_array().expect("resources");
        assert!(!res.is_empty());
        if res.iter().any(|r| r == "*") {
            let sid = s["Sid"].as_str().expect("sid");
            assert!(
                [
                    "ReadUnscoped",
                    "ReadCallerIdentity",
                    "OptionalReadAccountAlias",
                    "ReadEndpointParameterType"
                ]
                .contains(&sid),
                "{sid} on *"
            );
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
    assert!(failover.contains(&"arn:aws:rds:us-west-2:*:cluster:orders-db-replica".to_string()));
    assert!(failover.contains(&"arn:aws:rds::*:global-cluster:orders-global".to_string()));
    assert!(!actions(&p).iter().any(|a| a == "rds:PromoteReadReplica"));
}

#[test]
fn failover_routing_reads_and_inverts_the_primary_check_and_changes_no_record() {
    let text = ESTATE.replace(
        "[dns]\nzone_id = \"Z0123456789\"\nrecord = \"www.example.com\"\nprimary_value = \"lb-use1.example.com\"\nstandby_value = \"lb-usw2.example.com\"\n",
        "[dns]\nmode = \"failover-routing\"\nzone_id = \"Z0123456789\"\nrecord = \"www.example.com\"\ntype = \"A\"\nprimary_set_identifier = \"primary\"\nstandby_set_identifier = \"secondary\"\nprimary_health_check = \"hc-dns\"\n",
    );
    assert_ne!(text, ESTATE);
    let check = ["arn:aws:route53:::healthcheck/hc-dns"];
    let read = iam_policy(&estate(&text), false);
    assert_eq!(resources_of(&read, "route53:GetHealthCheck"), check);
    assert!(resources_of(&read, "route53:GetHealthCheckStatus").contains(&check[0].to_string()));
    assert!(!actions(&read).contains(&"route53:UpdateHealthCheck".to_string()));
    let operate = iam_policy(&estate(&text), true);
    assert_eq!(resources_of(&operate, "route53:UpdateHealthCheck"), check);
    assert!(resources_of(&operate, "route53:ChangeResourceRecordSets").is_empty());
    assert!(resources_of(&operate, "route53:GetChange").is_empty());
    // A swapped record keeps its record change and inverts nothing.
    let swap = iam_policy(&estate(ESTATE), true);
    assert!(resources_of(&swap, "route53:UpdateHealthCheck").is_empty());
    assert!(!resources_of(&swap, "route53:ChangeResourceRecordSets").is_empty());
}

#[test]
fn operate_includes_the_run_lock_table_and_the_topic() {
    let text = format!(
        "{ESTATE}\n[coordination]\ntable = \"drconsole-runs\"\n\n[notify]\n\
         sns_topic_arn = \"arn:aws:sns:eu-west-1:123456789012:dr-events\"\n"
    );
    let e = estate(&text);
    let read = iam_policy(&e, false);
    assert!(!actions(&read).iter().any(|a| a.starts_with("dynamodb:")));
    let op = iam_policy(&e, true);
    for a in [
        "dynamodb:PutItem",
        "dynamodb:GetItem",
        "dynamodb:UpdateItem",
        "dynamodb:DeleteItem",
    ] {
        assert_eq!(
            resources_of(&op, a),
            vec!["arn:aws:dynamodb:us-west-2:*:table/drconsole-runs".to_string()],
            "{a}: in the standby's region by default"
        );
    }
    assert_eq!(
        resources_of(&op, "sns:Publish"),
        vec!["arn:aws:sns:eu-west-1:123456789012:dr-events".to_string()]
    );
    let elsewhere = estate(&text.replace(
        "table = \"drconsole-runs\"",
        "table = \"drconsole-runs\"\nregion = \"eu-central-1\"",
    ));
    assert_eq!(
        resources_of(&iam_policy(&elsewhere, true), "dynamodb:PutItem"),
        vec!["arn:aws:dynamodb:eu-central-1:*:table/drconsole-runs".to_string()]
    );
    assert!(
        !actions(&iam_policy(&estate(ESTATE), true))
            .iter()
            .any(|a| a.starts_with("dynamodb:") || a == "sns:Publish"),
        "nothing without the sections"
    );
}

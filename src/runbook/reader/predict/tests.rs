//! Each action that changes a reading is predicted by exactly one service; the others by none.

use super::{GLOBAL, REGION};
use crate::backend::Action;
use crate::backend::sim::built_in_estate;
use crate::model::{
    AsgReading, DbReading, DbRole, Deployment, DnsReading, GlobalReading, Lag, RegionReading,
    ServiceReading, Side, TargetGroupReading,
};

fn action(json: &str) -> Action {
    serde_json::from_str(json).unwrap_or_else(|e| panic!("{e}: {json}"))
}

/// The standby as read before a failover: a replica, a service and a group at rest, one
/// instance registered with the web target group.
fn standby() -> RegionReading {
    let mut r = RegionReading::unread(true);
    r.database = Some(Ok(DbReading {
        id: "orders-db-replica".into(),
        role: DbRole::Replica {
            source: "orders-db".into(),
        },
        status: "available".into(),
        lag: Lag::Known(3),
        endpoint: None,
        engine: None,
        instance_class: None,
        arn: None,
        applied_txn: None,
        pending_resync: false,
        detail: None,
    }));
    r.services = Ok(vec![ServiceReading {
        name: "web".into(),
        status: "ACTIVE".into(),
        desired: 1,
        running: 1,
        pending: 0,
        deployment: Deployment::Steady,
        task_definition: None,
        primary_deployment: None,
    }]);
    r.asgs = Ok(vec![AsgReading {
        name: "orders-web".into(),
        found: true,
        min: 1,
        max: 10,
        desired: 1,
        in_service: 1,
        instances: vec!["i-1".into()],
        running: 1,
    }]);
    r.target_groups = Ok(vec![TargetGroupReading {
        name: "web".into(),
        error: None,
        healthy: 1,
        unhealthy: 0,
        other: 0,
        registered: vec!["i-1".into()],
    }]);
    r
}

/// Route 53 sending traffic to the primary.
fn route53() -> GlobalReading {
    GlobalReading {
        health_checks: Ok(Vec::new()),
        dns: Some(Ok(DnsReading::swap(
            "shop.example.com",
            Some("orders-use1-1234567890.us-east-1.elb.amazonaws.com".into()),
            Some(Side::Primary),
            false,
        ))),
    }
}

#[test]
fn every_action_that_changes_a_reading_is_predicted_by_exactly_one_service() {
    let estate = built_in_estate();
    let group = estate.target_groups[0].arn(Side::Standby).to_string();
    let s = r#""side":"standby""#;
    let standby_alb = "orders-usw2-0987654321.us-west-2.elb.amazonaws.com";
    // Each action, and how many services change a reading for it.
    let cases = [
        (format!(r#"{{"action":"promote_replica",{s},"db":"d"}}"#), 1),
        (
            format!(
                r#"{{"action":"create_replica",{s},"replica":"r","source_arn":"a","instance_class":null}}"#
            ),
            1,
        ),
        (
            format!(
                r#"{{"action":"global_switchover",{s},"global_cluster":"g","target_cluster_arn":"a"}}"#
            ),
            1,
        ),
        (
            format!(
                r#"{{"action":"global_failover",{s},"global_cluster":"g","target_cluster_arn":"a"}}"#
            ),
            1,
        ),
        (
            format!(
                r#"{{"action":"scale_service",{s},"cluster":"c","service":"web","desired":3}}"#
            ),
            1,
        ),
        (
            format!(r#"{{"action":"force_deployment",{s},"cluster":"c","service":"web"}}"#),
            1,
        ),
        (
            format!(
                r#"{{"action":"set_asg_capacity",{s},"asg":"orders-web","capacity":{{"min":2,"max":10,"desired":3}}}}"#
            ),
            1,
        ),
        (
            format!(
                r#"{{"action":"register_targets",{s},"target_group_arn":"{group}","targets":["i-2"],"port":null}}"#
            ),
            1,
        ),
        (
            format!(
                r#"{{"action":"upsert_record","zone_id":"Z","record":"shop.example.com","record_type":"CNAME","ttl":60,"value":"{standby_alb}"}}"#
            ),
            1,
        ),
        (
            format!(
                r#"{{"action":"upsert_alias","zone_id":"Z","record":"shop.example.com","record_type":"A","dns_name":"{standby_alb}","alias_zone_id":"Z2","evaluate_target_health":true}}"#
            ),
            1,
        ),
        (
            r#"{"action":"invert_health_check","health_check":"h","inverted":true}"#.to_string(),
            1,
        ),
        (
            format!(r#"{{"action":"rename_db",{s},"from":"orders-db-replica","to":"b"}}"#),
            0,
        ),
        (
            format!(
                r#"{{"action":"write_endpoint",{s},"store":{{"kind":"ssm_parameter","name":"/p"}},"value":"v"}}"#
            ),
            0,
        ),
        (
            format!(r#"{{"action":"invoke_lambda",{s},"function":"f","payload":"{{}}"}}"#),
            0,
        ),
        (
            format!(
                r#"{{"action":"start_restore_job",{s},"recovery_point_arn":"a","db":"d","instance_class":null,"subnet_group":null,"security_groups":[]}}"#
            ),
            0,
        ),
        (
            r#"{"action":"run_command","program":"./x","args":[],"env":{},"dir":"."}"#.to_string(),
            0,
        ),
    ];
    for (json, want) in &cases {
        let a = action(json);
        let in_region = REGION
            .iter()
            .filter(|predict| {
                let mut r = standby();
                predict(&estate, &a, Side::Standby, &mut r);
                r != standby()
            })
            .count();
        let in_route53 = GLOBAL
            .iter()
            .filter(|predict| {
                let mut g = route53();
                predict(&estate, &a, &mut g);
                g != route53()
            })
            .count();
        assert_eq!(in_region + in_route53, *want, "{json}");
        // The public entry points go through every service.
        let (mut r, mut g) = (standby(), route53());
        super::region(&estate, &a, Side::Standby, &mut r);
        super::global(&estate, &a, &mut g);
        assert_eq!(r != standby() || g != route53(), *want == 1, "{json}");
    }
}

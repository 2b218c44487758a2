//! Which AWS service performs an action. Each service's file (`rds`, `ecs`, `asg`, `elb`,
//! `route53`, `endpoint`, `lambda`, `backup`) has an `act` that takes the actions it knows
//! and leaves the others: adding an action is its variant in `backend::action` and its arm in
//! its service's `act`, nothing here.

use std::future::Future;
use std::pin::Pin;

use super::AwsBackend;
use crate::backend::{Action, ActionOutcome, BackendError, ErrorKind};

/// An action under way.
pub type Acting<'a> =
    Pin<Box<dyn Future<Output = Result<ActionOutcome, BackendError>> + Send + 'a>>;

type Service = for<'a> fn(&'a AwsBackend, &'a Action) -> Option<Acting<'a>>;

/// Every service that performs actions.
const SERVICES: [Service; 8] = [
    super::rds::act,
    super::ecs::act,
    super::asg::act,
    super::elb::act,
    super::route53::act,
    super::endpoint::act,
    super::lambda::act,
    super::backup::act,
];

/// The call that performs `action` on AWS; an action no service takes (a command, run on
/// this machine) is refused.
pub fn acting<'a>(b: &'a AwsBackend, action: &'a Action) -> Acting<'a> {
    SERVICES
        .iter()
        .find_map(|act| act(b, action))
        .unwrap_or_else(|| {
            let refused = BackendError::new(
                ErrorKind::Other,
                "local",
                action.api_call(),
                "",
                "a command runs on this machine, not through AWS",
            );
            Box::pin(async move { Err(refused) })
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn action(json: &str) -> Action {
        serde_json::from_str(json).unwrap_or_else(|e| panic!("{e}: {json}"))
    }

    #[tokio::test]
    async fn every_aws_action_has_exactly_one_service_and_a_command_none() {
        let estate = crate::config::Estate::parse(
            "name = \"t\"\n[primary]\nregion = \"us-east-1\"\nendpoint_url = \"http://127.0.0.1:9\"\n\
             [standby]\nregion = \"us-west-2\"\nendpoint_url = \"http://127.0.0.1:9\"\n",
            "t.toml",
        )
        .expect("estate");
        // Builds clients only: no call is made (the futures are never polled).
        let b = AwsBackend::connect(&estate).await;
        let s = r#""side":"standby""#;
        let aws = [
            format!(r#"{{"action":"promote_replica",{s},"db":"d"}}"#),
            format!(
                r#"{{"action":"create_replica",{s},"replica":"r","source_arn":"a","instance_class":null}}"#
            ),
            format!(r#"{{"action":"rename_db",{s},"from":"a","to":"b"}}"#),
            format!(
                r#"{{"action":"global_switchover",{s},"global_cluster":"g","target_cluster_arn":"a"}}"#
            ),
            format!(
                r#"{{"action":"global_failover",{s},"global_cluster":"g","target_cluster_arn":"a"}}"#
            ),
            format!(r#"{{"action":"scale_service",{s},"cluster":"c","service":"w","desired":2}}"#),
            format!(r#"{{"action":"force_deployment",{s},"cluster":"c","service":"w"}}"#),
            format!(
                r#"{{"action":"set_asg_capacity",{s},"asg":"a","capacity":{{"min":1,"max":2,"desired":1}}}}"#
            ),
            format!(
                r#"{{"action":"register_targets",{s},"target_group_arn":"t","targets":["i-1"],"port":null}}"#
            ),
            r#"{"action":"upsert_record","zone_id":"Z","record":"r","record_type":"CNAME","ttl":60,"value":"v"}"#.to_string(),
            format!(
                r#"{{"action":"write_endpoint",{s},"store":{{"kind":"ssm_parameter","name":"/p"}},"value":"v"}}"#
            ),
            r#"{"action":"upsert_alias","zone_id":"Z","record":"r","record_type":"A","dns_name":"d","alias_zone_id":"Z2","evaluate_target_health":true}"#.to_string(),
            r#"{"action":"invert_health_check","health_check":"h","inverted":true}"#.to_string(),
            format!(r#"{{"action":"invoke_lambda",{s},"function":"f","payload":"{{}}"}}"#),
            format!(
                r#"{{"action":"start_restore_job",{s},"recovery_point_arn":"a","db":"d","instance_class":null,"subnet_group":null,"security_groups":[]}}"#
            ),
        ];
        for json in &aws {
            let a = action(json);
            let takers = SERVICES.iter().filter(|act| act(&b, &a).is_some()).count();
            assert_eq!(takers, 1, "{json}");
        }
        let command =
            action(r#"{"action":"run_command","program":"./x","args":[],"env":{},"dir":"."}"#);
        assert!(SERVICES.iter().all(|act| act(&b, &command).is_none()));
        let refused = acting(&b, &command).await.expect_err("not through AWS");
        assert_eq!(refused.region, "local");
    }
}

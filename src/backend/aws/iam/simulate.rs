//! Whether a principal may make a runbook's planned calls: IAM's policy simulator
//! (`iam:SimulatePrincipalPolicy`) for the user or role a side's credentials resolve to, one
//! request per IAM action with every resource the plan names for it. Only reads.

use std::collections::BTreeMap;

use aws_sdk_iam::types::PolicyEvaluationDecisionType;

use super::arns::calls_of;
use crate::backend::aws::clients::RegionClients;
use crate::backend::aws::errors::sdk_error;
use crate::backend::{Action, BackendError, ErrorKind};
use crate::config::Estate;
use crate::model::{Decision, Identity, Permission};

const OPERATION: &str = "iam:SimulatePrincipalPolicy";

/// The IAM entity whose policies apply to `identity`: a user as it is, the role of an
/// assumed-role session. The session's ARN drops the role's path, so a role with a path is
/// named without it (IAM then answers NoSuchEntity, reported as not evaluated).
pub fn policy_source(identity: &Identity) -> Option<String> {
    let arn = &identity.arn;
    let (prefix, rest) = arn.split_once(":assumed-role/").or_else(|| {
        // `arn:aws:iam::123456789012:user/path/alice` is simulated as it is.
        arn.contains(":user/").then_some((arn.as_str(), ""))
    })?;
    if rest.is_empty() {
        return Some(arn.clone());
    }
    let role = rest.split('/').next()?;
    let partition = prefix.split(':').nth(1).unwrap_or("aws");
    Some(format!(
        "arn:{partition}:iam::{}:role/{role}",
        identity.account_id
    ))
}

/// The (action, resource) pairs of `actions`, the account filled in where it is known.
pub fn planned_calls(estate: &Estate, actions: &[Action], account: &str) -> Vec<(String, String)> {
    let mut calls: Vec<(String, String)> = actions
        .iter()
        .flat_map(|a| calls_of(estate, a))
        .map(|(action, arn)| (action, with_account(&arn, account)))
        .collect();
    calls.sort();
    calls.dedup();
    calls
}

/// `arn:aws:rds:us-west-2:*:db:x` with the account: the resource a call would name.
fn with_account(arn: &str, account: &str) -> String {
    let mut parts: Vec<&str> = arn.splitn(6, ':').collect();
    if parts.len() == 6 && parts[4] == "*" {
        parts[4] = account;
    }
    parts.join(":")
}

fn decision(d: &PolicyEvaluationDecisionType) -> Decision {
    match d {
        PolicyEvaluationDecisionType::Allowed => Decision::Allowed,
        PolicyEvaluationDecisionType::ExplicitDeny => Decision::ExplicitDeny,
        _ => Decision::ImplicitDeny,
    }
}

/// Simulates every call of `actions` for the principal `identity` resolves to.
pub async fn simulate(
    c: &RegionClients,
    estate: &Estate,
    identity: &Identity,
    actions: &[Action],
) -> Result<Vec<Permission>, BackendError> {
    let ctx = c.ctx();
    let Some(source) = policy_source(identity) else {
        return Err(BackendError::new(
            ErrorKind::Other,
            ctx.label,
            OPERATION,
            &identity.arn,
            format!(
                "{} is neither an IAM user nor a role session: its policies cannot be simulated",
                identity.arn
            ),
        ));
    };
    let mut by_action: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for (action, resource) in planned_calls(estate, actions, &identity.account_id) {
        by_action.entry(action).or_default().push(resource);
    }
    let mut out = Vec::new();
    for (action, resources) in by_action {
        let mut marker: Option<String> = None;
        loop {
            let answer = c
                .iam
                .simulate_principal_policy()
                .policy_source_arn(&source)
                .action_names(&action)
                .set_resource_arns(Some(resources.clone()))
                .set_marker(marker.clone())
                .send()
                .await
                .map_err(|e| sdk_error(ctx, OPERATION, &source, e))?;
            for r in answer.evaluation_results() {
                let specific = r.resource_specific_results();
                if specific.is_empty() {
                    out.push(Permission {
                        action: r.eval_action_name().to_string(),
                        resource: r.eval_resource_name().unwrap_or("*").to_string(),
                        decision: decision(r.eval_decision()),
                    });
                }
                for s in specific {
                    out.push(Permission {
                        action: r.eval_action_name().to_string(),
                        resource: s.eval_resource_name().to_string(),
                        decision: decision(s.eval_resource_decision()),
                    });
                }
            }
            marker = answer.marker().map(str::to_string);
            if !answer.is_truncated() || marker.is_none() {
                break;
            }
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id(arn: &str) -> Identity {
        Identity {
            account_id: "123456789012".into(),
            arn: arn.into(),
            alias: None,
        }
    }

    #[test]
    fn a_role_session_is_simulated_as_its_role_and_a_user_as_itself() {
        assert_eq!(
            policy_source(&id(
                "arn:aws:sts::123456789012:assumed-role/DROperator/alice"
            )),
            Some("arn:aws:iam::123456789012:role/DROperator".into())
        );
        assert_eq!(
            policy_source(&id("arn:aws:iam::123456789012:user/ops/bob")),
            Some("arn:aws:iam::123456789012:user/ops/bob".into())
        );
        assert_eq!(policy_source(&id("arn:aws:iam::123456789012:root")), None);
        assert_eq!(
            policy_source(&id("arn:aws:sts::123456789012:federated-user/x")),
            None
        );
    }

    #[test]
    fn the_account_is_filled_in_only_where_the_policy_leaves_it_open() {
        assert_eq!(
            with_account("arn:aws:rds:us-west-2:*:db:orders-db-replica", "111"),
            "arn:aws:rds:us-west-2:111:db:orders-db-replica"
        );
        assert_eq!(
            with_account("arn:aws:route53:::hostedzone/Z1", "111"),
            "arn:aws:route53:::hostedzone/Z1"
        );
        assert_eq!(
            with_account(
                "arn:aws:autoscaling:us-west-2:*:autoScalingGroup:*:autoScalingGroupName/web",
                "111"
            ),
            "arn:aws:autoscaling:us-west-2:111:autoScalingGroup:*:autoScalingGroupName/web"
        );
    }
}

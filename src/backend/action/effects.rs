//! What an action is for the engine: the AWS call it makes, the region and the parts of a
//! reading it changes, whether it can be undone and how long it may take.

use std::time::Duration;

use super::{Action, EndpointStore, LAMBDA_CALL_TIMEOUT};
use crate::model::{Parts, Side};

impl Action {
    /// The AWS API call this action makes, as shown to the operator before confirming.
    pub fn api_call(&self) -> &'static str {
        match self {
            Action::PromoteReplica { .. } => "rds:PromoteReadReplica",
            Action::CreateReplica { .. } => "rds:CreateDBInstanceReadReplica",
            Action::RenameDb { .. } => "rds:ModifyDBInstance",
            Action::GlobalSwitchover { .. } => "rds:SwitchoverGlobalCluster",
            Action::GlobalFailover { .. } => "rds:FailoverGlobalCluster",
            Action::ScaleService { .. } | Action::ForceDeployment { .. } => "ecs:UpdateService",
            Action::SetAsgCapacity { .. } => "autoscaling:UpdateAutoScalingGroup",
            Action::RegisterTargets { .. } => "elasticloadbalancing:RegisterTargets",
            Action::UpsertRecord { .. } => "route53:ChangeResourceRecordSets",
            Action::WriteEndpoint {
                store: EndpointStore::SsmParameter(_),
                ..
            } => "ssm:PutParameter",
            Action::WriteEndpoint {
                store: EndpointStore::Secret(_),
                ..
            } => "secretsmanager:PutSecretValue",
            Action::UpsertAlias { .. } => "route53:ChangeResourceRecordSets",
            Action::InvertHealthCheck { .. } => "route53:UpdateHealthCheck",
            Action::InvokeLambda { .. } => "lambda:InvokeFunction",
            Action::RunCommand { .. } => "command",
            Action::StartRestoreJob { .. } => "backup:StartRestoreJob",
        }
    }

    /// Whether the engine performs the action itself, on this machine, instead of a backend.
    pub fn is_local(&self) -> bool {
        matches!(self, Action::RunCommand { .. })
    }

    /// How long the call may take when that is longer than a read (a synchronous Lambda
    /// invocation lasts as long as the function runs).
    pub fn call_timeout(&self) -> Option<Duration> {
        match self {
            Action::InvokeLambda { .. } => Some(LAMBDA_CALL_TIMEOUT),
            _ => None,
        }
    }

    /// Whether the action can be undone by another action (a promoted replica cannot).
    pub fn irreversible(&self) -> bool {
        matches!(
            self,
            Action::PromoteReplica { .. } | Action::GlobalFailover { .. }
        )
    }

    /// Whether the action makes another database the writer (the moment data can be lost).
    pub fn moves_writer(&self) -> bool {
        matches!(
            self,
            Action::PromoteReplica { .. }
                | Action::GlobalFailover { .. }
                | Action::GlobalSwitchover { .. }
                | Action::StartRestoreJob { .. }
        )
    }

    /// The region the action changes (`None` for Route 53, which is global).
    /// What a reading taken before this change may show wrong: the parts it changes, per
    /// region (`None`: Route 53).
    pub fn affects(&self) -> Vec<(Option<Side>, Parts)> {
        let db = Parts::DATABASE | Parts::LAG;
        match self {
            Action::PromoteReplica { side, .. }
            | Action::CreateReplica { side, .. }
            | Action::RenameDb { side, .. }
            | Action::StartRestoreJob { side, .. } => vec![(Some(*side), db)],
            // A global database changes its writer in both regions.
            Action::GlobalSwitchover { .. } | Action::GlobalFailover { .. } => {
                Side::BOTH.iter().map(|s| (Some(*s), db)).collect()
            }
            Action::ScaleService { side, .. } | Action::ForceDeployment { side, .. } => {
                vec![(Some(*side), Parts::SERVICES)]
            }
            // Instances an ASG launches or ends may be registered with its target groups.
            Action::SetAsgCapacity { side, .. } => {
                vec![(Some(*side), Parts::ASGS | Parts::TARGETS)]
            }
            Action::RegisterTargets { side, .. } => vec![(Some(*side), Parts::TARGETS)],
            Action::UpsertRecord { .. } => vec![(None, Parts::DNS)],
            Action::UpsertAlias { .. } => vec![(None, Parts::DNS)],
            // The check's status, and with it the record Route 53 answers with.
            Action::InvertHealthCheck { .. } => vec![(None, Parts::DNS | Parts::HEALTH_CHECKS)],
            // Endpoints are read back directly, never from a cached reading.
            Action::WriteEndpoint { .. } => Vec::new(),
            // What a function or a program changes is not a part drconsole reads.
            Action::InvokeLambda { .. } | Action::RunCommand { .. } => Vec::new(),
        }
    }

    pub fn side(&self) -> Option<Side> {
        match self {
            Action::PromoteReplica { side, .. }
            | Action::CreateReplica { side, .. }
            | Action::RenameDb { side, .. }
            | Action::GlobalSwitchover { side, .. }
            | Action::GlobalFailover { side, .. }
            | Action::ScaleService { side, .. }
            | Action::ForceDeployment { side, .. }
            | Action::SetAsgCapacity { side, .. }
            | Action::RegisterTargets { side, .. }
            | Action::WriteEndpoint { side, .. }
            | Action::InvokeLambda { side, .. }
            | Action::StartRestoreJob { side, .. } => Some(*side),
            Action::UpsertRecord { .. }
            | Action::UpsertAlias { .. }
            | Action::InvertHealthCheck { .. }
            | Action::RunCommand { .. } => None,
        }
    }
}

//! Changes a runbook can make, as data: the runbook engine plans and logs them, a backend performs them.

use serde::{Deserialize, Serialize};

use crate::config::Capacity;
use crate::model::{Parts, Side};

/// Where the application reads its database endpoint from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", content = "name", rename_all = "snake_case")]
pub enum EndpointStore {
    SsmParameter(String),
    Secret(String),
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "action", rename_all = "snake_case")]
pub enum Action {
    /// RDS `PromoteReadReplica`: irreversible.
    PromoteReplica { side: Side, db: String },
    /// RDS `CreateDBInstanceReadReplica` in `side`, replicating from `source_arn` in the other region.
    CreateReplica {
        side: Side,
        replica: String,
        source_arn: String,
        instance_class: Option<String>,
    },
    /// RDS `ModifyDBInstance` with `NewDBInstanceIdentifier` (applied immediately): moves a
    /// promoted instance out of the way so the cross-region replica can be recreated under
    /// its configured name on failback.
    RenameDb {
        side: Side,
        from: String,
        to: String,
    },
    /// RDS `SwitchoverGlobalCluster`: planned, no data loss.
    GlobalSwitchover {
        global_cluster: String,
        target_cluster_arn: String,
        side: Side,
    },
    /// RDS `FailoverGlobalCluster` with data loss allowed: irreversible.
    GlobalFailover {
        global_cluster: String,
        target_cluster_arn: String,
        side: Side,
    },
    /// ECS `UpdateService` desiredCount.
    ScaleService {
        side: Side,
        cluster: String,
        service: String,
        desired: u32,
    },
    /// ECS `UpdateService` forceNewDeployment.
    ForceDeployment {
        side: Side,
        cluster: String,
        service: String,
    },
    /// Auto Scaling `UpdateAutoScalingGroup` min/max/desired.
    SetAsgCapacity {
        side: Side,
        asg: String,
        capacity: Capacity,
    },
    /// ELBv2 `RegisterTargets`.
    RegisterTargets {
        side: Side,
        target_group_arn: String,
        targets: Vec<String>,
        port: Option<u16>,
    },
    /// Route 53 `ChangeResourceRecordSets` UPSERT.
    UpsertRecord {
        zone_id: String,
        record: String,
        record_type: String,
        ttl: i64,
        value: String,
    },
    /// SSM `PutParameter` or Secrets Manager `PutSecretValue`.
    WriteEndpoint {
        side: Side,
        store: EndpointStore,
        value: String,
    },
    /// AWS Backup `StartRestoreJob` of an RDS recovery point into a new DB instance (`db`),
    /// with the restore metadata AWS Backup takes for RDS.
    StartRestoreJob {
        side: Side,
        recovery_point_arn: String,
        db: String,
        instance_class: Option<String>,
        subnet_group: Option<String>,
        security_groups: Vec<String>,
    },
}

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
            Action::StartRestoreJob { .. } => "backup:StartRestoreJob",
        }
    }

    /// One line with the call and its arguments.
    pub fn describe(&self) -> String {
        let call = self.api_call();
        match self {
            Action::PromoteReplica { side, db } => format!("{call} {db} ({side})"),
            Action::CreateReplica {
                side,
                replica,
                source_arn,
                ..
            } => format!("{call} {replica} ({side}) from {source_arn}"),
            Action::RenameDb { side, from, to } => {
                format!("{call} {from} ({side}) NewDBInstanceIdentifier={to}")
            }
            Action::GlobalSwitchover {
                global_cluster,
                target_cluster_arn,
                ..
            }
            | Action::GlobalFailover {
                global_cluster,
                target_cluster_arn,
                ..
            } => format!("{call} {global_cluster} -> {target_cluster_arn}"),
            Action::ScaleService {
                side,
                cluster,
                service,
                desired,
            } => format!("{call} {cluster}/{service} ({side}) desiredCount={desired}"),
            Action::ForceDeployment {
                side,
                cluster,
                service,
            } => format!("{call} {cluster}/{service} ({side}) forceNewDeployment=true"),
            Action::SetAsgCapacity {
                side,
                asg,
                capacity,
            } => format!(
                "{call} {asg} ({side}) min={} max={} desired={}",
                capacity.min, capacity.max, capacity.desired
            ),
            Action::RegisterTargets {
                side,
                target_group_arn,
                targets,
                ..
            } => format!(
                "{call} {target_group_arn} ({side}) targets=[{}]",
                targets.join(",")
            ),
            Action::UpsertRecord {
                zone_id,
                record,
                record_type,
                ttl,
                value,
            } => format!("{call} {zone_id} UPSERT {record} {record_type} ttl={ttl} -> {value}"),
            Action::WriteEndpoint { side, store, value } => match store {
                EndpointStore::SsmParameter(n) | EndpointStore::Secret(n) => {
                    format!("{call} {n} ({side}) = {value}")
                }
            },
            Action::StartRestoreJob {
                side,
                recovery_point_arn,
                db,
                instance_class,
                subnet_group,
                security_groups,
            } => {
                let mut t =
                    format!("{call} {recovery_point_arn} ({side}) DBInstanceIdentifier={db}");
                if let Some(c) = instance_class {
                    t.push_str(&format!(" DBInstanceClass={c}"));
                }
                if let Some(g) = subnet_group {
                    t.push_str(&format!(" DBSubnetGroupName={g}"));
                }
                if !security_groups.is_empty() {
                    t.push_str(&format!(
                        " VpcSecurityGroupIds={}",
                        security_groups.join(",")
                    ));
                }
                t
            }
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
            // Endpoints are read back directly, never from a cached reading.
            Action::WriteEndpoint { .. } => Vec::new(),
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
            | Action::StartRestoreJob { side, .. } => Some(*side),
            Action::UpsertRecord { .. } => None,
        }
    }
}

/// What an action changed, for the live log and the audit log.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ActionOutcome {
    pub summary: String,
    /// An id to follow the change by (Route 53 change id, ECS deployment id).
    pub change_id: Option<String>,
}

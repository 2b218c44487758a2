//! Changes a runbook can make, as data: the runbook engine plans and logs them, a backend performs them.

mod describe;
mod effects;
mod restore;

pub use restore::restore_token;

use std::collections::BTreeMap;
use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::config::Capacity;
use crate::model::Side;

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
    /// Route 53 `ChangeResourceRecordSets` UPSERT of an alias record (`AliasTarget`).
    UpsertAlias {
        zone_id: String,
        record: String,
        record_type: String,
        dns_name: String,
        alias_zone_id: String,
        evaluate_target_health: bool,
    },
    /// Route 53 `UpdateHealthCheck` `Inverted`: an inverted check of a PRIMARY failover
    /// record holds traffic on the SECONDARY.
    InvertHealthCheck {
        health_check: String,
        inverted: bool,
    },
    /// Lambda `Invoke` (`RequestResponse`): not idempotent, every call runs the function.
    InvokeLambda {
        side: Side,
        function: String,
        /// The JSON payload, as sent.
        payload: String,
    },
    /// A program run on the operator's machine (never through a shell), not an AWS call: the
    /// runbook engine runs it itself, streaming its output into the live log.
    RunCommand {
        program: String,
        #[serde(default)]
        args: Vec<String>,
        #[serde(default)]
        env: BTreeMap<String, String>,
        dir: String,
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
        /// The call's idempotency token (see [`restore_token`]). AWS Backup answers a
        /// repeat of a token it has seen with that job and starts nothing.
        #[serde(default)]
        token: String,
    },
}

/// Longest a synchronous Lambda invocation may run (AWS's limit, 15 minutes), with margin.
pub const LAMBDA_CALL_TIMEOUT: Duration = Duration::from_secs(15 * 60 + 30);

/// What an action changed, for the live log and the audit log.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ActionOutcome {
    pub summary: String,
    /// An id to follow the change by (Route 53 change id, ECS deployment id).
    pub change_id: Option<String>,
}

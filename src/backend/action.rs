//! Changes a runbook can make, as data: the runbook engine plans and logs them, a backend performs them.

use std::collections::BTreeMap;
use std::time::Duration;

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

/// The idempotency token of a restore: one per run, step, recovery point and instance, and
/// per job it replaces (`after`: the newest job of that point that ended, completed or
/// failed, or `None`). A call resent after a lost reply, a retry or a resume plans on the
/// same reading and sends the same token, so AWS starts nothing more; a deliberate restore
/// again (the job completed but the instance is gone, or the job failed) replaces a job
/// and sends a new one, so AWS starts a new job instead of answering the old one.
pub fn restore_token(
    run_id: &str,
    step_id: &str,
    recovery_point: &str,
    db: &str,
    after: Option<&str>,
) -> String {
    // FNV-1a: the same on every build, so a resumed run sends the same token.
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    let parts = [run_id, step_id, recovery_point, db, after.unwrap_or("")];
    for b in parts.iter().flat_map(|p| p.bytes().chain([0])) {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    format!("drconsole-{h:016x}")
}

/// Longest a synchronous Lambda invocation may run (AWS's limit, 15 minutes), with margin.
pub const LAMBDA_CALL_TIMEOUT: Duration = Duration::from_secs(15 * 60 + 30);

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
            Action::UpsertAlias {
                zone_id,
                record,
                record_type,
                dns_name,
                alias_zone_id,
                evaluate_target_health,
            } => format!(
                "{call} {zone_id} UPSERT {record} {record_type} ALIAS {dns_name} (zone {alias_zone_id}, EvaluateTargetHealth={evaluate_target_health})"
            ),
            Action::InvertHealthCheck {
                health_check,
                inverted,
            } => format!("{call} {health_check} Inverted={inverted}"),
            Action::InvokeLambda {
                side,
                function,
                payload,
            } => format!("{call} {function} ({side}) RequestResponse payload={payload}"),
            Action::RunCommand {
                program,
                args,
                env,
                dir,
            } => {
                let mut line = format!("run {program}");
                for a in args {
                    line.push(' ');
                    line.push_str(&quote(a));
                }
                line.push_str(&format!(" (in {dir}"));
                if !env.is_empty() {
                    let names: Vec<&str> = env.keys().map(String::as_str).collect();
                    line.push_str(&format!(", env {}", names.join(" ")));
                }
                line.push(')');
                line
            }
            Action::StartRestoreJob {
                side,
                recovery_point_arn,
                db,
                instance_class,
                subnet_group,
                security_groups,
                ..
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

/// An argument as a person would type it: quoted when it has a space or a quote in it.
fn quote(a: &str) -> String {
    if !a.is_empty() && !a.contains([' ', '"', '\'']) {
        a.to_string()
    } else {
        format!("{a:?}")
    }
}

/// What an action changed, for the live log and the audit log.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ActionOutcome {
    pub summary: String,
    /// An id to follow the change by (Route 53 change id, ECS deployment id).
    pub change_id: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::restore_token;

    #[test]
    fn a_restore_token_is_stable_for_a_run_and_new_for_a_restore_again() {
        let t = |run, step, point, after| restore_token(run, step, point, "db", after);
        let first = t("run-1", "restore", "arn:rp:1", None);
        // A resend, a retry, a resume of the same run plans the same token.
        assert_eq!(first, t("run-1", "restore", "arn:rp:1", None));
        assert!(
            first.starts_with("drconsole-") && first.len() <= 64,
            "{first}"
        );
        // Another run, another step, another point: another job.
        assert_ne!(first, t("run-2", "restore", "arn:rp:1", None));
        assert_ne!(first, t("run-1", "restore-2", "arn:rp:1", None));
        assert_ne!(first, t("run-1", "restore", "arn:rp:2", None));
        assert_ne!(
            first,
            restore_token("run-1", "restore", "arn:rp:1", "db2", None)
        );
        // Restoring again after job J ended: a new token, the same for every resend of it.
        let again = t("run-1", "restore", "arn:rp:1", Some("JOB-1"));
        assert_ne!(first, again);
        assert_eq!(again, t("run-1", "restore", "arn:rp:1", Some("JOB-1")));
        assert_ne!(again, t("run-1", "restore", "arn:rp:1", Some("JOB-2")));
        // Fields do not run into each other.
        assert_ne!(t("ab", "c", "p", None), t("a", "bc", "p", None));
    }
}

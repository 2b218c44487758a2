//! The ARNs of the estate's resources in both regions, for scoping the policy's statements.

use crate::backend::{Action, EndpointStore};
use crate::config::{DatabaseKind, Estate};
use crate::model::Side;

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
pub(super) fn database_arns(estate: &Estate) -> Vec<String> {
    let Some(db) = &estate.database else {
        return Vec::new();
    };
    let kind = match db.kind {
        DatabaseKind::RdsReplica | DatabaseKind::BackupRestore => "db",
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

pub(super) fn global_cluster_arns(estate: &Estate) -> Vec<String> {
    estate
        .database
        .as_ref()
        .filter(|d| d.kind == DatabaseKind::AuroraGlobal)
        .and_then(|d| d.global_cluster.as_ref())
        .map(|g| vec![format!("arn:aws:rds::*:global-cluster:{g}")])
        .unwrap_or_default()
}

/// backup-restore: the standby's vault, and the recovery points in it.
pub(super) fn vault_arns(estate: &Estate) -> (Vec<String>, Vec<String>) {
    let Some(vault) = estate
        .database
        .as_ref()
        .filter(|d| d.kind == DatabaseKind::BackupRestore)
        .and_then(|d| d.backup_vault.as_ref())
    else {
        return (Vec::new(), Vec::new());
    };
    let r = region(estate, Side::Standby);
    (
        vec![format!("arn:aws:backup:{r}:*:backup-vault:{vault}")],
        vec![format!("arn:aws:backup:{r}:*:recovery-point:*")],
    )
}

pub(super) fn service_arns(estate: &Estate) -> Vec<String> {
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

pub(super) fn asg_arns(estate: &Estate) -> Vec<String> {
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

pub(super) fn target_group_arns(estate: &Estate) -> Vec<String> {
    estate
        .target_groups
        .iter()
        .flat_map(|t| Side::BOTH.map(|s| t.arn(s).to_string()))
        .collect()
}

pub(super) fn alarm_arns(estate: &Estate) -> Vec<String> {
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

pub(super) fn zone_arns(estate: &Estate) -> Vec<String> {
    estate
        .dns
        .iter()
        .map(|d| {
            let zone = d.zone_id.trim_start_matches("/hostedzone/");
            format!("arn:aws:route53:::hostedzone/{zone}")
        })
        .collect()
}

/// The failover pair's PRIMARY health check, which failover routing reads and inverts.
pub(super) fn primary_check_arns(estate: &Estate) -> Vec<String> {
    estate
        .dns
        .iter()
        .filter(|d| d.is_failover_routing())
        .filter_map(|d| d.primary_health_check.as_ref())
        .map(|id| format!("arn:aws:route53:::healthcheck/{id}"))
        .collect()
}

pub(super) fn health_check_arns(estate: &Estate) -> Vec<String> {
    estate
        .health_checks
        .iter()
        .map(|h| format!("arn:aws:route53:::healthcheck/{}", h.id))
        .collect()
}

pub(super) fn parameter_arns(estate: &Estate) -> Vec<String> {
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
pub(super) fn secret_arns(estate: &Estate) -> Vec<String> {
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

/// The resources one planned call names, as ARNs in the same forms as the policy's
/// statements (`*` for the account), with the IAM actions it needs on each: what the
/// policy simulation of a runbook's plan asks about. A program run on the operator's
/// machine needs none.
pub(crate) fn calls_of(estate: &Estate, action: &Action) -> Vec<(String, String)> {
    let r = |side: Side| region(estate, side).to_string();
    let api = action.api_call().to_string();
    let one = |arn: String| vec![(api.clone(), arn)];
    match action {
        Action::PromoteReplica { side, db } | Action::RenameDb { side, from: db, .. } => {
            one(format!("arn:aws:rds:{}:*:db:{db}", r(*side)))
        }
        Action::CreateReplica { side, replica, .. } => {
            one(format!("arn:aws:rds:{}:*:db:{replica}", r(*side)))
        }
        Action::GlobalSwitchover { global_cluster, .. }
        | Action::GlobalFailover { global_cluster, .. } => {
            one(format!("arn:aws:rds::*:global-cluster:{global_cluster}"))
        }
        Action::ScaleService {
            side,
            cluster,
            service,
            ..
        }
        | Action::ForceDeployment {
            side,
            cluster,
            service,
        } => one(format!(
            "arn:aws:ecs:{}:*:service/{cluster}/{service}",
            r(*side)
        )),
        Action::SetAsgCapacity { side, asg, .. } => one(format!(
            "arn:aws:autoscaling:{}:*:autoScalingGroup:*:autoScalingGroupName/{asg}",
            r(*side)
        )),
        Action::RegisterTargets {
            target_group_arn, ..
        } => one(target_group_arn.clone()),
        Action::UpsertRecord { zone_id, .. } | Action::UpsertAlias { zone_id, .. } => one(format!(
            "arn:aws:route53:::hostedzone/{}",
            zone_id.trim_start_matches("/hostedzone/")
        )),
        Action::InvertHealthCheck { health_check, .. } => {
            one(format!("arn:aws:route53:::healthcheck/{health_check}"))
        }
        Action::WriteEndpoint { side, store, .. } => match store {
            EndpointStore::SsmParameter(name) => one(format!(
                "arn:aws:ssm:{}:*:parameter/{}",
                r(*side),
                name.trim_start_matches('/')
            )),
            EndpointStore::Secret(name) => one(format!(
                "arn:aws:secretsmanager:{}:*:secret:{name}-*",
                r(*side)
            )),
        },
        Action::InvokeLambda { side, function, .. } if function.starts_with("arn:") => {
            let _ = side;
            one(function.clone())
        }
        Action::InvokeLambda { side, function, .. } => {
            one(format!("arn:aws:lambda:{}:*:function:{function}", r(*side)))
        }
        Action::RunCommand { .. } => Vec::new(),
        // AWS Backup restores as its service role, which the caller passes to it.
        Action::StartRestoreJob {
            recovery_point_arn, ..
        } => vec![
            (api.clone(), recovery_point_arn.clone()),
            (
                "iam:PassRole".into(),
                "arn:aws:iam::*:role/service-role/AWSBackupDefaultServiceRole".into(),
            ),
        ],
    }
}

//! The ARNs of the estate's resources in both regions, for scoping the policy's statements.

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

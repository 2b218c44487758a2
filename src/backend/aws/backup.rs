//! AWS Backup: the newest completed recovery point of the primary database in the standby's
//! vault, the restore jobs of it, and the restore itself (`backup-restore`).

use std::time::{Duration, SystemTime};

use aws_sdk_backup::primitives::DateTime;
use aws_sdk_backup::types::RecoveryPointStatus;

use super::act::Acting;
use super::clients::RegionClients;
use super::errors::sdk_error;
use crate::backend::Action;
use crate::backend::{ActionOutcome, BackendError};
use crate::model::{BackupReading, RecoveryPoint, RestoreJob};

/// Restore jobs older than this are not looked at: a failover's restore is recent.
const JOBS_WINDOW: Duration = Duration::from_secs(7 * 24 * 3600);

/// Whether `arn` names the RDS instance `db` (`arn:aws:rds:REGION:ACCOUNT:db:NAME`).
fn is_instance(arn: &str, db: &str) -> bool {
    arn.starts_with("arn:") && arn.ends_with(&format!(":db:{db}"))
}

fn rfc3339(t: &DateTime) -> String {
    chrono::DateTime::from_timestamp(t.secs(), t.subsec_nanos())
        .map(|d| d.to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
        .unwrap_or_else(|| t.secs().to_string())
}

fn age_of(t: &DateTime) -> u64 {
    let now = SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0);
    (now - t.secs()).max(0) as u64
}

/// `ListRecoveryPointsByBackupVault` (RDS only, every page): the newest `COMPLETED` point of
/// the instance `primary`, matched by its ARN so that the primary region is never called.
pub async fn newest_point(
    c: &RegionClients,
    vault: &str,
    primary: &str,
) -> Result<Option<RecoveryPoint>, BackendError> {
    let op = "backup:ListRecoveryPointsByBackupVault";
    let mut token: Option<String> = None;
    let mut best: Option<(DateTime, String)> = None;
    loop {
        let out = c
            .backup
            .list_recovery_points_by_backup_vault()
            .backup_vault_name(vault)
            .by_resource_type("RDS")
            .set_next_token(token.take())
            .send()
            .await
            .map_err(|e| sdk_error(c.ctx(), op, vault, e))?;
        for p in out.recovery_points() {
            let done = p.status() == Some(&RecoveryPointStatus::Completed);
            let ours = p.resource_arn().is_some_and(|a| is_instance(a, primary));
            let (Some(arn), Some(created)) = (p.recovery_point_arn(), p.creation_date()) else {
                continue;
            };
            if done && ours && best.as_ref().is_none_or(|(t, _)| created.secs() > t.secs()) {
                best = Some((*created, arn.to_string()));
            }
        }
        match out.next_token() {
            Some(t) if !t.is_empty() => token = Some(t.to_string()),
            _ => break,
        }
    }
    Ok(best.map(|(created, arn)| RecoveryPoint {
        arn,
        created: rfc3339(&created),
        age_secs: age_of(&created),
    }))
}

/// `ListRestoreJobs` of RDS created in the last week: the newest job of `recovery_point`.
pub async fn job_of(
    c: &RegionClients,
    recovery_point: &str,
) -> Result<Option<RestoreJob>, BackendError> {
    let op = "backup:ListRestoreJobs";
    let since = SystemTime::now()
        .checked_sub(JOBS_WINDOW)
        .unwrap_or(SystemTime::UNIX_EPOCH);
    let mut token: Option<String> = None;
    let mut best: Option<(i64, RestoreJob)> = None;
    loop {
        let out = c
            .backup
            .list_restore_jobs()
            .by_resource_type("RDS")
            .by_created_after(DateTime::from(since))
            .set_next_token(token.take())
            .send()
            .await
            .map_err(|e| sdk_error(c.ctx(), op, recovery_point, e))?;
        for j in out.restore_jobs() {
            if j.recovery_point_arn() != Some(recovery_point) {
                continue;
            }
            let created = j.creation_date().map(|d| d.secs()).unwrap_or(0);
            if best.as_ref().is_some_and(|(t, _)| *t > created) {
                continue;
            }
            best = Some((
                created,
                RestoreJob {
                    id: j.restore_job_id().unwrap_or_default().to_string(),
                    recovery_point_arn: recovery_point.to_string(),
                    status: j
                        .status()
                        .map(|s| s.as_str().to_string())
                        .unwrap_or_else(|| "UNKNOWN".into()),
                    created_resource_arn: j.created_resource_arn().map(str::to_string),
                },
            ));
        }
        match out.next_token() {
            Some(t) if !t.is_empty() => token = Some(t.to_string()),
            _ => break,
        }
    }
    Ok(best.map(|(_, j)| j))
}

/// The standby's backup reading: the newest point, and the newest job restoring it.
pub async fn read(
    c: &RegionClients,
    vault: &str,
    primary: &str,
) -> Result<BackupReading, BackendError> {
    let recovery_point = newest_point(c, vault, primary).await?;
    let restore_job = match &recovery_point {
        Some(p) => job_of(c, &p.arn).await?,
        None => None,
    };
    Ok(BackupReading {
        vault: vault.to_string(),
        recovery_point,
        restore_job,
    })
}

/// The restore metadata AWS Backup takes for an RDS instance: the parameters of
/// `RestoreDBInstanceFromDBSnapshot` by name, lists as JSON arrays.
pub fn restore_metadata(
    db: &str,
    instance_class: Option<&str>,
    subnet_group: Option<&str>,
    security_groups: &[String],
) -> Vec<(&'static str, String)> {
    let mut m = vec![("DBInstanceIdentifier", db.to_string())];
    if let Some(c) = instance_class {
        m.push(("DBInstanceClass", c.to_string()));
    }
    if let Some(g) = subnet_group {
        m.push(("DBSubnetGroupName", g.to_string()));
    }
    if !security_groups.is_empty() {
        m.push((
            "VpcSecurityGroupIds",
            serde_json::to_string(security_groups).unwrap_or_default(),
        ));
    }
    m
}

/// What one `StartRestoreJob` restores, and under which idempotency token.
pub struct Restore<'a> {
    pub recovery_point: &'a str,
    pub db: &'a str,
    pub instance_class: Option<&'a str>,
    pub subnet_group: Option<&'a str>,
    pub security_groups: &'a [String],
    /// From the plan ([`crate::backend::restore_token`]): a resend is the same job.
    pub token: &'a str,
}

/// `StartRestoreJob` of an RDS recovery point into a new instance.
pub async fn start_restore(
    c: &RegionClients,
    r: Restore<'_>,
) -> Result<ActionOutcome, BackendError> {
    let op = "backup:StartRestoreJob";
    let mut req = c
        .backup
        .start_restore_job()
        .recovery_point_arn(r.recovery_point)
        .resource_type("RDS");
    // An action journalled before tokens were planned has none: AWS then starts a job.
    if !r.token.is_empty() {
        req = req.idempotency_token(r.token);
    }
    for (k, v) in restore_metadata(r.db, r.instance_class, r.subnet_group, r.security_groups) {
        req = req.metadata(k, v);
    }
    let out = req
        .send()
        .await
        .map_err(|e| sdk_error(c.ctx(), op, r.recovery_point, e))?;
    let id = out.restore_job_id().unwrap_or_default().to_string();
    Ok(ActionOutcome {
        summary: format!("{} in {}: restore job {id} started", r.db, c.label),
        change_id: Some(id).filter(|i| !i.is_empty()),
    })
}

/// The AWS Backup actions, through `b`'s clients that make one attempt.
pub(super) fn act<'a>(b: &'a super::AwsBackend, action: &'a Action) -> Option<Acting<'a>> {
    match action {
        Action::StartRestoreJob {
            side,
            recovery_point_arn,
            db,
            instance_class,
            subnet_group,
            security_groups,
            token,
        } => Some(Box::pin(start_restore(
            b.changes(*side),
            Restore {
                recovery_point: recovery_point_arn,
                db,
                instance_class: instance_class.as_deref(),
                subnet_group: subnet_group.as_deref(),
                security_groups,
                token,
            },
        ))),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn metadata_names_the_instance_and_lists_groups_as_json() {
        let m = restore_metadata(
            "orders-db-dr",
            Some("db.r6g.large"),
            Some("dr-db"),
            &["sg-1".into(), "sg-2".into()],
        );
        assert_eq!(
            m,
            vec![
                ("DBInstanceIdentifier", "orders-db-dr".to_string()),
                ("DBInstanceClass", "db.r6g.large".to_string()),
                ("DBSubnetGroupName", "dr-db".to_string()),
                ("VpcSecurityGroupIds", r#"["sg-1","sg-2"]"#.to_string()),
            ]
        );
        assert_eq!(
            restore_metadata("x", None, None, &[]),
            vec![("DBInstanceIdentifier", "x".to_string())]
        );
    }

    #[test]
    fn instance_arns_match_by_name() {
        assert!(is_instance(
            "arn:aws:rds:us-east-1:1:db:orders-db",
            "orders-db"
        ));
        assert!(!is_instance(
            "arn:aws:rds:us-east-1:1:db:orders-db2",
            "orders-db"
        ));
        assert!(!is_instance(
            "arn:aws:rds:us-east-1:1:cluster:orders-db",
            "orders-db"
        ));
    }
}

//! `restore_from_backup` — create the standby database from the newest AWS Backup recovery
//! point of the primary in the standby's vault (`[database] kind = "backup-restore"`).
//!
//! - inputs: none: the recovery point is the vault's newest completed one, the instance the
//!   estate's `standby` name, with its `subnet_group`, `security_groups` and `instance_class`
//! - calls: `backup:StartRestoreJob` (restore metadata `DBInstanceIdentifier`,
//!   `DBInstanceClass`, `DBSubnetGroupName`, `VpcSecurityGroupIds`, and an idempotency token
//!   of the run, the step, the recovery point, the instance and the job it replaces, if any:
//!   see [`crate::backend::restore_token`]). Not irreversible: it creates an instance, which can be
//!   deleted, and changes nothing that exists (the primary and the vault are untouched). The
//!   writes newer than the recovery point are its data loss ([`Loss::of`] the point's age):
//!   stated in the plan, confirmed with the region and `DISCARD` typed (`--allow-data-loss`).
//! - waits for: the restore job `COMPLETED`, then the DB instance `available`
//! - default timeout: 45 minutes (an RDS restore takes 10–30)
//! - fails when: the vault holds no completed recovery point of the primary, or the restore
//!   job fails or is aborted (an instance of that name that is not yet available is waited
//!   for, up to the timeout)
//!
//! Exactly once: an instance already there under the name is the target reached; a restore
//! job of the newest point that is under way (a reply lost, a run resumed) is waited for and
//! never started twice.

use std::time::Duration;

use async_trait::async_trait;
use serde::{Deserialize, Serialize};

use super::read::{db_of, need_database};
use super::{Kind, StepCx, StepKind};
use crate::backend::Action;
use crate::config::{DatabaseKind, Estate};
use crate::model::{DbReading, DbRole, Lag, Parts, Side};
use crate::runbook::error::StepError;
use crate::runbook::plan::{Loss, StepPlan, Verdict};

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RestoreFromBackup {}

impl Kind for RestoreFromBackup {
    const NAME: &'static str = "restore_from_backup";
}

fn age(lag: Lag) -> String {
    match lag {
        Lag::Known(s) => crate::timefmt::secs(s),
        other => other.to_string(),
    }
}

/// `orders-db-dr: not restored, recovery point 25m old`.
fn state_text(db: &DbReading) -> String {
    let b = db.backup();
    let job = b
        .and_then(|b| b.restore_job.as_ref())
        .map(|j| format!(", restore job {} {}", j.id, j.status))
        .unwrap_or_default();
    match db.role {
        DbRole::Backup => format!("{}: {}{job}", db.id, db.status),
        _ => format!("{} {}, {}{job}", db.id, db.role, db.status),
    }
}

#[async_trait]
impl StepKind for RestoreFromBackup {
    fn title(&self) -> String {
        "restore the standby database from its newest backup".into()
    }

    fn validate(&self, estate: &Estate) -> Result<(), String> {
        need_database(estate, DatabaseKind::BackupRestore, Self::NAME)
    }

    fn consent_from_state(&self) -> bool {
        true
    }
    fn default_timeout(&self) -> Duration {
        Duration::from_secs(45 * 60)
    }

    fn sides(&self, _estate: &Estate) -> Vec<Side> {
        vec![Side::Standby]
    }

    async fn preflight(&self, cx: &StepCx<'_>) -> Result<StepPlan, StepError> {
        let side = Side::Standby;
        let cfg = cx
            .estate()
            .database
            .as_ref()
            .ok_or_else(|| StepError::missing("no [database] in the estate"))?;
        // The lag part carries the recovery point's age (the RPO exposure).
        let reading = cx.reader.read(side, Parts::DATABASE | Parts::LAG).await?;
        let db = db_of(&reading, side)?;
        let mut plan = StepPlan {
            current: state_text(db),
            target: format!("{} restored, available", cfg.standby),
            ..StepPlan::default()
        };
        if db.role != DbRole::Backup {
            // The instance exists: restored already (or being created by the restore).
            if db.status != "available" {
                plan.warnings
                    .push(format!("{} is {}: restore in progress", db.id, db.status));
            }
            return Ok(plan);
        }
        let backup = db
            .backup()
            .ok_or_else(|| StepError::missing(format!("{side} vault not read")))?;
        let Some(point) = &backup.recovery_point else {
            return Err(StepError::refused(format!(
                "vault {} holds no completed recovery point of {}: nothing to restore",
                backup.vault, cfg.primary
            )));
        };
        plan.lag = Some(db.lag);
        if let Some(job) = backup.restore_job.as_ref().filter(|j| j.under_way()) {
            plan.warnings.push(format!(
                "restore job {} of {} is {}: waiting for it, not starting another",
                job.id, point.arn, job.status
            ));
            return Ok(plan);
        }
        // A job of this point that ended (completed, its instance since gone; or failed):
        // restoring again replaces it, under a token of its own. AWS would answer the first
        // job's token with the first job, and start nothing.
        let replaces = backup.restore_job.as_ref().map(|j| j.id.as_str());
        if let Some(job) = backup
            .restore_job
            .as_ref()
            .filter(|j| j.status == "COMPLETED")
        {
            plan.warnings.push(format!(
                "restore job {} of this recovery point completed, but {} is not there: restoring again",
                job.id, cfg.standby
            ));
        }
        plan.warnings.push(format!(
            "recovery point of {} ({} old): writes to {} after it are not in the restored database",
            point.created,
            age(db.lag),
            cfg.primary
        ));
        if let Lag::Known(s) = db.lag
            && Duration::from_secs(s) > cx.estate().rpo_budget.0
        {
            plan.warnings.push(format!(
                "the recovery point is older than the RPO budget of {}",
                cx.estate().rpo_budget
            ));
        }
        plan.warnings
            .push("an RDS restore takes 10-30 minutes".into());
        // The writes after the recovery point are lost as a promotion's lag is (its age is
        // the lag): the same rule, the same DISCARD / --allow-data-loss.
        plan.loss = Loss::of(db.lag);
        plan.discards = plan
            .loss
            .map(|l| format!("{l} (made to {} after the recovery point)", cfg.primary));
        plan.actions.push(Action::StartRestoreJob {
            side,
            recovery_point_arn: point.arn.clone(),
            db: cfg.standby.clone(),
            instance_class: cfg.instance_class.clone(),
            subnet_group: cfg.subnet_group.clone(),
            security_groups: cfg.security_groups.clone().unwrap_or_default(),
            token: crate::backend::restore_token(
                cx.run_id,
                cx.step_id,
                &point.arn,
                &cfg.standby,
                replaces,
            ),
        });
        Ok(plan)
    }

    async fn verify(&self, cx: &StepCx<'_>) -> Result<Verdict, StepError> {
        let reading = cx.reader.read(Side::Standby, Parts::DATABASE).await?;
        let db = db_of(&reading, Side::Standby)?;
        if let Some(job) = db.backup().and_then(|b| b.restore_job.as_ref())
            && matches!(job.status.as_str(), "FAILED" | "ABORTED")
            && db.role == DbRole::Backup
        {
            return Err(StepError::Failed(format!(
                "restore job {} is {}: AWS Backup did not restore {}; its status message says why \
                 (backup:DescribeRestoreJob); a retry starts a new job",
                job.id, job.status, db.id
            )));
        }
        if db.role != DbRole::Backup && db.status == "available" {
            Ok(Verdict::Done(format!("{} restored, available", db.id)))
        } else {
            Ok(Verdict::Pending(state_text(db)))
        }
    }
}

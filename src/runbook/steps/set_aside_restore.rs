//! `set_aside_restore` — after a failback, move the instance a failover restored from AWS
//! Backup out of the standby's name, so that the standby stands by on its vault again
//! (`[database] kind = "backup-restore"`).
//!
//! - inputs: none: the instance is the estate's `standby` name in the standby region
//! - calls: `rds:ModifyDBInstance` renaming it to `<name>-stale-<UTC stamp>` (applied now).
//!   It is kept, never deleted: deleting a database is the operator's decision
//! - waits for: the standby's name free again (the standby reads as its vault)
//! - default timeout: 10 minutes (a rename takes one or two)
//! - fails when: the standby cannot be read

use std::time::Duration;

use async_trait::async_trait;
use serde::{Deserialize, Serialize};

use super::read::{db_of, need_database, role_text};
use super::{Kind, StepCx, StepKind, stale_id};
use crate::backend::Action;
use crate::config::{DatabaseKind, Estate};
use crate::model::{DbRole, Parts, Side};
use crate::runbook::error::StepError;
use crate::runbook::plan::{StepPlan, Verdict};

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SetAsideRestore {}

impl Kind for SetAsideRestore {
    const NAME: &'static str = "set_aside_restore";
}

#[async_trait]
impl StepKind for SetAsideRestore {
    fn title(&self) -> String {
        "set the restored standby database aside (kept, renamed)".into()
    }

    fn validate(&self, estate: &Estate) -> Result<(), String> {
        need_database(estate, DatabaseKind::BackupRestore, Self::NAME)
    }

    fn default_timeout(&self) -> Duration {
        Duration::from_secs(10 * 60)
    }

    fn sides(&self, _estate: &Estate) -> Vec<Side> {
        vec![Side::Standby]
    }

    async fn preflight(&self, cx: &StepCx<'_>) -> Result<StepPlan, StepError> {
        let reading = cx.reader.read(Side::Standby, Parts::DATABASE).await?;
        let db = db_of(&reading, Side::Standby)?;
        let mut plan = StepPlan {
            current: role_text(db),
            target: format!("{} free: the standby restores from its vault again", db.id),
            ..StepPlan::default()
        };
        if db.role != DbRole::Backup {
            let to = stale_id(&db.id, cx.run_started);
            plan.warnings.push(format!(
                "{} is renamed to {to} (kept, not deleted: delete it when no longer needed)",
                db.id
            ));
            plan.actions.push(Action::RenameDb {
                side: Side::Standby,
                from: db.id.clone(),
                to,
            });
        }
        Ok(plan)
    }

    async fn verify(&self, cx: &StepCx<'_>) -> Result<Verdict, StepError> {
        let reading = cx.reader.read(Side::Standby, Parts::DATABASE).await?;
        let db = db_of(&reading, Side::Standby)?;
        if db.role == DbRole::Backup {
            Ok(Verdict::Done(format!("{} stands by on its vault", db.id)))
        } else {
            Ok(Verdict::Pending(role_text(db)))
        }
    }
}

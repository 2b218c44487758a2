//! `promote_replica` — make the standby's cross-region read replica a standalone writer.
//!
//! - inputs: none (the estate's `[database] standby` instance)
//! - calls: `rds:PromoteReadReplica` — irreversible: the region's name is typed to confirm
//! - waits for: the instance no longer a replica and `available`
//! - default timeout: 15 minutes (AWS takes 3–10)
//! - fails when: the replica is not `available` (e.g. `backing-up`: AWS refuses until it is)

use std::time::Duration;

use async_trait::async_trait;
use serde::{Deserialize, Serialize};

use super::read::{db_of, lag_warnings, need_database, role_text};
use super::{Kind, StepCx, StepKind};
use crate::backend::Action;
use crate::config::{DatabaseKind, Estate};
use crate::model::{DbRole, Side};
use crate::runbook::error::StepError;
use crate::runbook::plan::{StepPlan, Verdict};

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PromoteReplica {}

impl Kind for PromoteReplica {
    const NAME: &'static str = "promote_replica";
}

#[async_trait]
impl StepKind for PromoteReplica {
    fn title(&self) -> String {
        "promote the standby replica".into()
    }

    fn validate(&self, estate: &Estate) -> Result<(), String> {
        need_database(estate, DatabaseKind::RdsReplica, Self::NAME)
    }

    fn default_timeout(&self) -> Duration {
        Duration::from_secs(15 * 60)
    }

    async fn preflight(&self, cx: &StepCx<'_>) -> Result<StepPlan, StepError> {
        let reading = cx.reader.region(Side::Standby).await?;
        let db = db_of(&reading, Side::Standby)?;
        let mut plan = StepPlan {
            current: role_text(db),
            target: format!("{} writer, available", db.id),
            lag: Some(db.lag),
            ..StepPlan::default()
        };
        match (&db.role, db.status.as_str()) {
            (DbRole::Replica { .. }, "available") => {
                plan.warnings = lag_warnings(cx.estate(), db.lag);
                plan.actions.push(Action::PromoteReplica {
                    side: Side::Standby,
                    db: db.id.clone(),
                });
            }
            (DbRole::Replica { .. }, "modifying") => {
                plan.warnings
                    .push("promotion already in progress (status modifying)".into());
            }
            (DbRole::Replica { .. }, status) => {
                return Err(StepError::refused(format!(
                    "replica {} is {status}: AWS refuses a promotion until it is available; retry later",
                    db.id
                )));
            }
            _ => {}
        }
        Ok(plan)
    }

    async fn verify(&self, cx: &StepCx<'_>) -> Result<Verdict, StepError> {
        let reading = cx.reader.region(Side::Standby).await?;
        let db = db_of(&reading, Side::Standby)?;
        if !matches!(db.role, DbRole::Replica { .. }) && db.status == "available" {
            Ok(Verdict::Done(format!("{} is a writer, available", db.id)))
        } else {
            Ok(Verdict::Pending(role_text(db)))
        }
    }
}

//! `promote_replica` — make a side's cross-region read replica a standalone writer.
//!
//! - inputs: `side` (default `standby`), `allow_data_loss` (default `false`)
//! - calls: `rds:PromoteReadReplica` — irreversible: the region's name is typed to confirm
//! - waits for: the instance no longer a replica and `available`
//! - default timeout: 15 minutes (AWS takes 3–10)
//! - fails when: the replica is not `available` (e.g. `backing-up`: AWS refuses until it is);
//!   or its loss is not known to be zero ([`Loss::of`] its lag: above 0, stopped, or not
//!   reported) and the step does not say `allow_data_loss = true`. With it, the plan states
//!   the loss (the amount, or why it is unknown) and the confirmation needs `DISCARD` typed
//!   (headless: `--allow-data-loss`), whether or not the writer's region answers.

use std::time::Duration;

use async_trait::async_trait;
use serde::{Deserialize, Serialize};

use super::read::{db_of, lag_warnings, need_database, role_text};
use super::{Kind, StepCx, StepKind};
use crate::backend::Action;
use crate::config::{DatabaseKind, Estate};
use crate::model::{DbRole, Parts, RegionReading, Side};
use crate::runbook::error::StepError;
use crate::runbook::plan::{Loss, StepPlan, Verdict};

fn standby() -> Side {
    Side::Standby
}

fn is_false(b: &bool) -> bool {
    !*b
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PromoteReplica {
    #[serde(default = "standby")]
    pub side: Side,
    #[serde(default, skip_serializing_if = "is_false")]
    pub allow_data_loss: bool,
}

impl Default for PromoteReplica {
    fn default() -> Self {
        PromoteReplica {
            side: Side::Standby,
            allow_data_loss: false,
        }
    }
}

impl Kind for PromoteReplica {
    const NAME: &'static str = "promote_replica";
}

impl PromoteReplica {
    /// Whose writes a loss would be, for the plan's text only: the writer as last read (now,
    /// or the console's last poll of a region the run does not call), or that it was not
    /// read. The loss itself is [`Loss::of`] the replica's lag, whatever was read of the
    /// writer: a stale poll of it must not make the console ask where headless does not.
    fn whose(&self, writer_region: Option<&RegionReading>) -> String {
        let other = self.side.other();
        match writer_region.and_then(|r| db_of(r, other).ok()) {
            Some(w) if w.role == DbRole::Writer => format!("held by the {other} writer {}", w.id),
            _ => format!("the {other} writer was not read"),
        }
    }
}

#[async_trait]
impl StepKind for PromoteReplica {
    fn irreversible(&self) -> bool {
        true
    }
    fn title(&self) -> String {
        format!("promote the {} replica", self.side)
    }

    fn validate(&self, estate: &Estate) -> Result<(), String> {
        // backup-restore: after reprotect the primary holds a cross-region replica of the
        // restored writer, which the failback promotes.
        if estate
            .database
            .as_ref()
            .is_some_and(|d| d.kind == DatabaseKind::BackupRestore)
        {
            return Ok(());
        }
        need_database(estate, DatabaseKind::RdsReplica, Self::NAME)
    }

    /// Only a step that may discard writes: without `allow_data_loss` it refuses instead.
    fn consent_from_state(&self) -> bool {
        self.allow_data_loss
    }
    fn default_timeout(&self) -> Duration {
        Duration::from_secs(15 * 60)
    }

    fn sides(&self, _estate: &Estate) -> Vec<Side> {
        vec![self.side]
    }

    async fn preflight(&self, cx: &StepCx<'_>) -> Result<StepPlan, StepError> {
        let side = self.side;
        // The writer's region is read at the same time: during an outage its timeout must not
        // add to the replica's read.
        let (reading, writer_region) = tokio::join!(
            cx.reader.read(side, Parts::DATABASE | Parts::LAG),
            cx.reader.read(side.other(), Parts::DATABASE)
        );
        let reading = reading?;
        let db = db_of(&reading, side)?;
        let mut plan = StepPlan {
            current: role_text(db),
            target: format!("{} writer, available", db.id),
            lag: Some(db.lag),
            ..StepPlan::default()
        };
        match (&db.role, db.status.as_str()) {
            (DbRole::Replica { .. }, "available") => {
                plan.warnings = lag_warnings(cx.estate(), db.lag);
                if let Some(loss) = Loss::of(db.lag) {
                    let text = format!("{loss} ({})", self.whose(writer_region.as_ref().ok()));
                    if !self.allow_data_loss {
                        return Err(StepError::refused(format!(
                            "{} is not known to have caught up with its writer: promoting it now discards {text}; stop writes and wait until its lag reads 0, or write allow_data_loss = true on this step",
                            db.id
                        )));
                    }
                    plan.discards = Some(text);
                    plan.loss = Some(loss);
                }
                plan.actions.push(Action::PromoteReplica {
                    side,
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
        let reading = cx.reader.read(self.side, Parts::DATABASE).await?;
        let db = db_of(&reading, self.side)?;
        if !matches!(db.role, DbRole::Replica { .. }) && db.status == "available" {
            Ok(Verdict::Done(format!("{} is a writer, available", db.id)))
        } else {
            Ok(Verdict::Pending(role_text(db)))
        }
    }
}

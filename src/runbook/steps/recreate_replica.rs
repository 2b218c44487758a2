//! `recreate_replica` — rebuild the cross-region replica in the standby region after a
//! failback (a promoted replica can never become a replica again).
//!
//! - inputs: none (the estate's `[database]`, `replica_class`)
//! - calls: `rds:ModifyDBInstance` (rename the promoted instance to `<id>-promoted-<stamp>`,
//!   kept, never deleted) then `rds:CreateDBInstanceReadReplica` from the primary
//! - waits for: the replica `available` with its lag known
//! - default timeout: 25 minutes (creation takes 8–15)
//! - fails when: the primary's database cannot be read (its ARN is the source)

use std::time::Duration;

use async_trait::async_trait;
use serde::{Deserialize, Serialize};

use super::read::{db_of, lag_text, need_database, role_text};
use super::{Kind, StepCx, StepKind};
use crate::backend::Action;
use crate::config::{DatabaseKind, Estate};
use crate::model::{DbRole, Lag, RegionReading, Side};
use crate::runbook::error::StepError;
use crate::runbook::plan::{StepPlan, Verdict};

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RecreateReplica {}

impl Kind for RecreateReplica {
    const NAME: &'static str = "recreate_replica";
}

/// The name the promoted instance is renamed to, freeing the replica's name.
pub fn renamed_id(id: &str) -> String {
    let stamp = chrono::Utc::now().format("%Y%m%d%H%M");
    let base: String = id.chars().take(40).collect();
    format!("{base}-promoted-{stamp}")
}

/// The primary database's ARN (the replica's source) and instance class.
fn source(reading: &RegionReading) -> Result<(String, Option<String>), StepError> {
    let p = db_of(reading, Side::Primary)?;
    let arn = p
        .arn
        .clone()
        .ok_or_else(|| StepError::missing(format!("primary database {} has no ARN", p.id)))?;
    Ok((arn, p.instance_class.clone()))
}

#[async_trait]
impl StepKind for RecreateReplica {
    fn title(&self) -> String {
        "recreate the cross-region replica".into()
    }

    fn validate(&self, estate: &Estate) -> Result<(), String> {
        need_database(estate, DatabaseKind::RdsReplica, Self::NAME)
    }

    fn default_timeout(&self) -> Duration {
        Duration::from_secs(25 * 60)
    }

    async fn preflight(&self, cx: &StepCx<'_>) -> Result<StepPlan, StepError> {
        let cfg = cx
            .estate()
            .database
            .as_ref()
            .filter(|d| d.kind == DatabaseKind::RdsReplica)
            .ok_or_else(|| StepError::missing("recreate_replica needs an rds-replica database"))?;
        let standby = cx.reader.region(Side::Standby).await?;
        let mut plan = StepPlan {
            target: format!(
                "{} replica of the primary, available, lag known",
                cfg.standby
            ),
            ..StepPlan::default()
        };
        match &standby.database {
            Some(Ok(db)) => {
                plan.current = role_text(db);
                match &db.role {
                    DbRole::Replica { .. } => {
                        if db.status != "available" {
                            plan.warnings
                                .push(format!("replica is {}: creation in progress", db.status));
                        }
                    }
                    DbRole::Writer | DbRole::Standalone => {
                        let (arn, class) = source(&cx.reader.region(Side::Primary).await?)?;
                        let to = renamed_id(&db.id);
                        plan.warnings.push(format!(
                            "{} is no longer a replica: it is renamed to {to} (kept, not deleted) so the replica can take its name",
                            db.id
                        ));
                        plan.actions.push(Action::RenameDb {
                            side: Side::Standby,
                            from: db.id.clone(),
                            to,
                        });
                        plan.actions.push(Action::CreateReplica {
                            side: Side::Standby,
                            replica: cfg.standby.clone(),
                            source_arn: arn,
                            instance_class: cfg
                                .replica_class
                                .clone()
                                .or(db.instance_class.clone())
                                .or(class),
                        });
                    }
                }
            }
            Some(Err(e)) if e.is_not_found() => {
                plan.current = format!("{} absent", cfg.standby);
                let (arn, class) = source(&cx.reader.region(Side::Primary).await?)?;
                plan.actions.push(Action::CreateReplica {
                    side: Side::Standby,
                    replica: cfg.standby.clone(),
                    source_arn: arn,
                    instance_class: cfg.replica_class.clone().or(class),
                });
            }
            Some(Err(e)) => return Err(StepError::missing(format!("standby database: {e}"))),
            None => return Err(StepError::missing("no [database] in the estate")),
        }
        plan.warnings
            .push("replica creation takes 8-15 minutes".into());
        Ok(plan)
    }

    async fn verify(&self, cx: &StepCx<'_>) -> Result<Verdict, StepError> {
        let reading = cx.reader.region(Side::Standby).await?;
        match &reading.database {
            Some(Ok(db)) => Ok(match (&db.role, db.status.as_str(), db.lag) {
                (DbRole::Replica { .. }, "available", Lag::Known(s)) => Verdict::Done(format!(
                    "{} replicating, lag {}",
                    db.id,
                    humantime::format_duration(Duration::from_secs(s))
                )),
                _ => Verdict::Pending(format!("{}, lag {}", role_text(db), lag_text(db.lag))),
            }),
            Some(Err(e)) => Ok(Verdict::Pending(format!("standby database: {e}"))),
            None => Err(StepError::missing("no [database] in the estate")),
        }
    }
}

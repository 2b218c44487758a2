//! `reprotect` (alias `recreate_replica`) — after the writer moved, give it a replica in the
//! other region again, under the estate's name for that side. This is what AWS's own Region
//! switch calls "create cross-Region replica": roles swap, the stale old writer is kept aside.
//!
//! - inputs: `side`: where the replica goes (default `standby`); its source is the other
//!   side's writer
//! - calls (RDS): `rds:ModifyDBInstance` renaming a stale writer under that name to
//!   `<name>-stale-<UTC stamp>` (kept, never deleted), then `rds:CreateDBInstanceReadReplica`
//!   of the writer. Aurora global: none — AWS brings the old primary cluster back as a
//!   secondary of the global cluster by itself; the step waits for it.
//! - waits for: the replica `available`, replicating from the writer, with its lag known
//! - default timeout: 25 minutes (creation takes 8–15)
//! - fails when: the other side holds no available writer, or the name is taken by a replica
//!   of something else

use std::time::Duration;

use async_trait::async_trait;
use serde::{Deserialize, Serialize};

use super::read::{db_of, role_text};
use super::{Kind, StepCx, StepKind};
use crate::backend::Action;
use crate::config::{DatabaseKind, Estate};
use crate::model::{DbReading, DbRole, Lag, Parts, Side};
use crate::runbook::error::StepError;
use crate::runbook::plan::{StepPlan, Verdict};

fn standby() -> Side {
    Side::Standby
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Reprotect {
    #[serde(default = "standby")]
    pub side: Side,
}

impl Kind for Reprotect {
    const NAME: &'static str = "reprotect";
    const ALIASES: &'static [&'static str] = &["recreate_replica"];
}

/// The name a stale writer is renamed to, freeing the estate's name for the replica: stamped
/// with the run's start (journaled), never the clock, so a plan made again later in the run
/// names the same instance and a call in flight is recognised as the same call.
pub fn stale_id(id: &str, run_started: chrono::DateTime<chrono::Utc>) -> String {
    let stamp = run_started.format("%Y%m%d%H%M");
    let base: String = id.chars().take(40).collect();
    format!("{base}-stale-{stamp}")
}

impl Reprotect {
    fn aurora(estate: &Estate) -> bool {
        estate
            .database
            .as_ref()
            .is_some_and(|d| d.kind == DatabaseKind::AuroraGlobal)
    }

    /// The other side's writer, which the replica follows.
    fn writer<'a>(
        &self,
        reading: &'a crate::model::RegionReading,
    ) -> Result<&'a DbReading, StepError> {
        let other = self.side.other();
        let w = db_of(reading, other)?;
        if w.role != DbRole::Writer || w.status != "available" {
            return Err(StepError::refused(format!(
                "{other} {} is not an available writer ({}): nothing to replicate from",
                w.id,
                role_text(w)
            )));
        }
        Ok(w)
    }
}

#[async_trait]
impl StepKind for Reprotect {
    fn title(&self) -> String {
        format!(
            "re-protect: a replica of the {} writer in {}",
            self.side.other(),
            self.side
        )
    }

    fn validate(&self, estate: &Estate) -> Result<(), String> {
        match estate.database {
            Some(_) => Ok(()),
            None => Err("expected a [database] section".into()),
        }
    }

    fn default_timeout(&self) -> Duration {
        Duration::from_secs(25 * 60)
    }

    async fn preflight(&self, cx: &StepCx<'_>) -> Result<StepPlan, StepError> {
        let side = self.side;
        let estate = cx.estate();
        let cfg = estate
            .database
            .as_ref()
            .ok_or_else(|| StepError::missing("no [database] in the estate"))?;
        let name = match side {
            Side::Primary => &cfg.primary,
            Side::Standby => &cfg.standby,
        };
        let (here, there) = tokio::join!(
            cx.reader.read(side, Parts::DATABASE | Parts::LAG),
            cx.reader.read(side.other(), Parts::DATABASE)
        );
        let (here, there) = (here?, there?);
        let writer = self.writer(&there)?;
        let mut plan = StepPlan {
            target: format!(
                "{name} in {side}: a replica of {} ({}), available, lag known",
                writer.id,
                side.other()
            ),
            ..StepPlan::default()
        };
        if Reprotect::aurora(estate) {
            plan.current = match &here.database {
                Some(Ok(db)) => role_text(db),
                Some(Err(e)) => e.to_string(),
                None => "no database".into(),
            };
            plan.warnings.push(format!(
                "Aurora brings the old primary cluster back as a secondary of the global cluster once {side} is reachable: this step waits for it"
            ));
            return Ok(plan);
        }
        let arn = writer
            .arn
            .clone()
            .ok_or_else(|| StepError::missing(format!("{} has no ARN", writer.id)))?;
        let create = |class: Option<String>| Action::CreateReplica {
            side,
            replica: name.clone(),
            source_arn: arn.clone(),
            instance_class: cfg
                .replica_class
                .clone()
                .or(class)
                .or(writer.instance_class.clone()),
        };
        match &here.database {
            Some(Ok(db)) if db.replicates_from(writer, estate.global_cluster()) => {
                plan.current = format!("{}, lag {}", role_text(db), db.lag);
                if db.status != "available" {
                    plan.warnings
                        .push(format!("replica is {}: creation in progress", db.status));
                }
            }
            Some(Ok(DbReading {
                role: DbRole::Replica { source },
                id,
                ..
            })) => {
                return Err(StepError::refused(format!(
                    "{id} in {side} replicates from {source}, not from the {} writer {}",
                    side.other(),
                    writer.id
                )));
            }
            Some(Ok(db)) => {
                plan.current = format!("{} (a stale writer)", role_text(db));
                let to = stale_id(&db.id, cx.run_started);
                plan.warnings.push(format!(
                    "{} is a stale writer: it is renamed to {to} (kept, not deleted: delete it when no longer needed) so the replica can take its name",
                    db.id
                ));
                plan.actions.push(Action::RenameDb {
                    side,
                    from: db.id.clone(),
                    to,
                });
                plan.actions.push(create(db.instance_class.clone()));
            }
            Some(Err(e)) if e.is_not_found() => {
                plan.current = format!("{name} absent in {side}");
                plan.actions.push(create(None));
            }
            Some(Err(e)) => return Err(StepError::missing(format!("{side} database: {e}"))),
            None => return Err(StepError::missing("no [database] in the estate")),
        }
        if !plan.actions.is_empty() {
            plan.warnings
                .push("replica creation takes 8-15 minutes".into());
        }
        Ok(plan)
    }

    async fn verify(&self, cx: &StepCx<'_>) -> Result<Verdict, StepError> {
        let side = self.side;
        let (here, there) = tokio::join!(
            cx.reader.read(side, Parts::DATABASE | Parts::LAG),
            cx.reader.read(side.other(), Parts::DATABASE)
        );
        let (here, there) = (here?, there?);
        let writer = self.writer(&there)?;
        Ok(match &here.database {
            Some(Ok(db)) => match (
                db.replicates_from(writer, cx.estate().global_cluster()),
                db.status.as_str(),
                db.lag,
            ) {
                (true, "available", Lag::Known(s)) => Verdict::Done(format!(
                    "{} replicating from {}, lag {}",
                    db.id,
                    writer.id,
                    humantime::format_duration(Duration::from_secs(s))
                )),
                _ => Verdict::Pending(format!("{}, lag {}", role_text(db), db.lag)),
            },
            Some(Err(e)) => Verdict::Pending(format!("{side} database: {e}")),
            None => return Err(StepError::missing("no [database] in the estate")),
        })
    }
}

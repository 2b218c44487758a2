//! `global_switchover` and `global_failover` — move an Aurora global database's writer to a
//! side. The two are one behaviour with two guarantees, so they share this file.
//!
//! - inputs: `to` (default `standby`)
//! - calls: `rds:SwitchoverGlobalCluster` (planned: syncs first, no data loss; needs both
//!   regions) / `rds:FailoverGlobalCluster` (irreversible, may lose un-replicated writes)
//! - waits for: that side's cluster is the writer and `available`, and no switchover or
//!   failover under way (`FailoverState`)
//! - default timeout: 6 minutes (switchover) / 5 minutes (failover); AWS takes 1–2
//! - fails when: the target cluster is unreadable or has no ARN
//!
//! A switchover or failover already under way (the global cluster's `FailoverState`: `pending`,
//! `switching-over`, `failing-over`, `cancelling`; another operator's, or this run's whose
//! reply was lost) is never planned again: one moving the writer to this side is waited for;
//! one moving it elsewhere refuses the step until it ends (AWS would refuse a second move).
//!
//! A failover states what it discards: the secondary's replication lag (or, unknown, that
//! an unknown share is lost), and is confirmed with the region and `DISCARD` typed
//! (headless: `--allow-data-loss`). A switchover discards nothing.

use std::time::Duration;

use async_trait::async_trait;
use serde::{Deserialize, Serialize};

use super::read::{db_of, lag_warnings, need_database, role_text};
use super::{Kind, StepCx, StepKind};
use crate::backend::Action;
use crate::config::{DatabaseKind, Estate};
use crate::model::{DbReading, DbRole, Parts, Side};
use crate::runbook::error::StepError;
use crate::runbook::plan::{Loss, StepPlan, Verdict};

fn standby() -> Side {
    Side::Standby
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GlobalSwitchover {
    #[serde(default = "standby")]
    pub to: Side,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GlobalFailover {
    #[serde(default = "standby")]
    pub to: Side,
}

impl Kind for GlobalSwitchover {
    const NAME: &'static str = "global_switchover";
}

impl Kind for GlobalFailover {
    const NAME: &'static str = "global_failover";
}

/// A switchover or failover under way (`FailoverState`), as a person reads it:
/// `global cluster orders-global failing-over to orders-cluster-dr`, and whether it moves the
/// writer to `db`.
fn move_under_way(db: &DbReading) -> Option<(String, bool)> {
    let g = db.global()?;
    let m = g.moving.as_ref()?;
    let to = m.to_arn.as_deref().unwrap_or("an unnamed cluster");
    let ours = m.to_arn.as_deref().is_some_and(|a| {
        Some(a) == db.arn.as_deref() || a.rsplit(':').next() == Some(db.id.as_str())
    });
    let to = to.rsplit(':').next().unwrap_or(to);
    Some((
        format!(
            "global cluster {} {} to {to} (FailoverState)",
            g.id, m.status
        ),
        ours,
    ))
}

/// Planned (switchover) or not (failover): the only difference between the two kinds.
async fn preflight(cx: &StepCx<'_>, to: Side, planned: bool) -> Result<StepPlan, StepError> {
    let reading = cx.reader.read(to, Parts::DATABASE | Parts::LAG).await?;
    let db = db_of(&reading, to)?;
    let mut plan = StepPlan {
        current: role_text(db),
        target: format!("{} writer, available", db.id),
        lag: Some(db.lag),
        ..StepPlan::default()
    };
    let global = cx.estate().global_cluster().unwrap_or_default().to_string();
    if let Some((text, ours)) = move_under_way(db) {
        if !ours {
            return Err(StepError::refused(format!(
                "{text}: another move is under way; plan again once it has ended"
            )));
        }
        plan.warnings
            .push(format!("{text}: waiting for it, not starting another"));
        return Ok(plan);
    }
    if db.role != DbRole::Writer && db.status == "available" {
        let arn = db.arn.clone().ok_or_else(|| {
            StepError::missing(format!("{to} cluster {} has no ARN in its reading", db.id))
        })?;
        if planned {
            plan.warnings.push(format!(
                "a switchover needs the {} region reachable to sync first",
                to.other()
            ));
            plan.actions.push(Action::GlobalSwitchover {
                global_cluster: global,
                target_cluster_arn: arn,
                side: to,
            });
        } else {
            plan.warnings = lag_warnings(cx.estate(), db.lag);
            // A failover does not wait for the secondary: what it has not applied is lost.
            plan.loss = Loss::of(db.lag);
            plan.discards = plan
                .loss
                .map(|l| format!("{l} (the secondary's AuroraGlobalDBReplicationLag)"));
            plan.actions.push(Action::GlobalFailover {
                global_cluster: global,
                target_cluster_arn: arn,
                side: to,
            });
        }
    } else if db.role != DbRole::Writer {
        plan.warnings
            .push(format!("cluster is {}: change in progress", db.status));
    }
    Ok(plan)
}

async fn verify(cx: &StepCx<'_>, to: Side) -> Result<Verdict, StepError> {
    let reading = cx.reader.read(to, Parts::DATABASE).await?;
    let db = db_of(&reading, to)?;
    if let Some((text, _)) = move_under_way(db) {
        Ok(Verdict::Pending(format!("{}; {text}", role_text(db))))
    } else if db.role == DbRole::Writer && db.status == "available" {
        Ok(Verdict::Done(format!("{} is the writer", db.id)))
    } else {
        Ok(Verdict::Pending(role_text(db)))
    }
}

#[async_trait]
impl StepKind for GlobalSwitchover {
    fn title(&self) -> String {
        format!("switch the global database over to {}", self.to)
    }
    fn validate(&self, estate: &Estate) -> Result<(), String> {
        need_database(estate, DatabaseKind::AuroraGlobal, Self::NAME)
    }
    fn default_timeout(&self) -> Duration {
        Duration::from_secs(6 * 60)
    }
    fn sides(&self, _estate: &Estate) -> Vec<Side> {
        vec![self.to]
    }
    async fn preflight(&self, cx: &StepCx<'_>) -> Result<StepPlan, StepError> {
        preflight(cx, self.to, true).await
    }
    async fn verify(&self, cx: &StepCx<'_>) -> Result<Verdict, StepError> {
        verify(cx, self.to).await
    }
}

#[async_trait]
impl StepKind for GlobalFailover {
    fn irreversible(&self) -> bool {
        true
    }
    fn title(&self) -> String {
        format!("fail the global database over to {}", self.to)
    }
    fn validate(&self, estate: &Estate) -> Result<(), String> {
        need_database(estate, DatabaseKind::AuroraGlobal, Self::NAME)
    }
    fn consent_from_state(&self) -> bool {
        true
    }
    fn default_timeout(&self) -> Duration {
        Duration::from_secs(5 * 60)
    }
    fn sides(&self, _estate: &Estate) -> Vec<Side> {
        vec![self.to]
    }
    async fn preflight(&self, cx: &StepCx<'_>) -> Result<StepPlan, StepError> {
        preflight(cx, self.to, false).await
    }
    async fn verify(&self, cx: &StepCx<'_>) -> Result<Verdict, StepError> {
        verify(cx, self.to).await
    }
}

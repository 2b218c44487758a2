//! The generated `failover`: the standby takes over without needing the primary region.

use crate::config::runbook::{Condition, RunbookSpec};
use crate::config::{DatabaseKind, Estate};
use crate::model::Side;
use crate::runbook::steps::{
    Check, ForceDeployment, GlobalFailover, Kind, PromoteReplica, RegisterTargets,
    RestoreFromBackup, WriteEndpoint,
};

use super::{Level, has_endpoint, has_targets, healthy, push_group, scale_side, watched};

/// Preflight → write the endpoint → { promote (or global failover) | standby ASGs to
/// production | standby services to production } → register targets → redeploy the services
/// that were already running in the standby → move DNS → wait for the standby's health
/// checks. Nothing in it calls the primary region. A database restored from AWS Backup
/// (`backup-restore`) has no endpoint before the restore: its endpoint is written after it.
pub fn failover(estate: &Estate) -> RunbookSpec {
    let mut steps = Vec::new();
    let mut require = vec![Condition::RegionReachable(Side::Standby)];
    let mut warn = vec![Condition::RegionReachable(Side::Primary)];
    let restored = estate
        .database
        .as_ref()
        .is_some_and(|d| d.kind == DatabaseKind::BackupRestore);
    if estate.database.is_some() {
        if !restored {
            require.push(Condition::DatabaseAvailable(Side::Standby));
        }
        // A secret that cannot take the endpoint is refused before the first change, even
        // where the endpoint is written after the restore.
        if has_endpoint(estate) {
            require.push(Condition::EndpointWritable(Side::Standby));
        }
        warn.insert(0, Condition::LagBelow(estate.rpo_budget));
    }
    steps.push(
        Check { require, warn }
            .spec()
            .titled(if restored {
                "preflight: standby reachable (its database is restored from backup)"
            } else {
                "preflight: standby reachable, replica present"
            })
            .with_id("preflight"),
    );

    // The endpoint first: the standby database keeps its endpoint when it is promoted, so
    // every task the scale-up starts already reads the new one.
    let endpoint = WriteEndpoint {
        side: Side::Standby,
        database: None,
    }
    .spec()
    .with_id("endpoint");
    if has_endpoint(estate) && !restored {
        steps.push(endpoint.clone());
    }

    let mut group = Vec::new();
    if let Some(db) = &estate.database {
        let promote = match db.kind {
            // Unplanned: the primary may be gone. Where it can still be read and is ahead, the
            // loss is stated and `DISCARD` typed to accept it.
            DatabaseKind::RdsReplica => PromoteReplica {
                side: Side::Standby,
                allow_data_loss: true,
            }
            .spec(),
            DatabaseKind::AuroraGlobal => GlobalFailover { to: Side::Standby }.spec(),
            DatabaseKind::BackupRestore => RestoreFromBackup {}.spec(),
        };
        group.push(promote.with_id("database"));
    }
    group.extend(scale_side(estate, Side::Standby, Level::Production, ""));
    push_group(
        &mut steps,
        group,
        "scale-up",
        if restored {
            "restore the database, scale the standby to production"
        } else {
            "promote the database, scale the standby to production"
        },
    );
    if has_endpoint(estate) && restored {
        steps.push(endpoint);
    }
    if has_targets(estate) {
        steps.push(
            RegisterTargets {
                side: Side::Standby,
                target_groups: None,
            }
            .spec()
            .with_id("targets"),
        );
    }
    // Only services that were already running in the standby hold the old endpoint.
    let running: Vec<String> = estate
        .services()
        .iter()
        .filter(|s| s.standby > 0)
        .map(|s| s.name.clone())
        .collect();
    if !running.is_empty() {
        steps.push(
            ForceDeployment {
                side: Side::Standby,
                services: Some(running),
            }
            .spec()
            .titled("redeploy the standby services that ran before (pick up the new endpoint)")
            .with_id("redeploy"),
        );
    }
    steps.extend(super::dns_step(estate, Side::Standby));
    if watched(estate, Side::Standby) {
        steps.push(healthy(Side::Standby).with_id("standby-healthy"));
    }
    RunbookSpec {
        description: Some(format!(
            "Fail over to {} (generated from the estate)",
            estate.standby.region
        )),
        steps,
    }
}

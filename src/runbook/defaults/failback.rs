//! The generated `failback`: a planned switch back to the primary that loses no data.

use crate::config::runbook::{Condition, Count, RunbookSpec};
use crate::config::{DatabaseKind, Estate};
use crate::model::Side;
use crate::runbook::steps::{
    Check, GlobalSwitchover, Kind, Manual, PromoteReplica, RegisterTargets, Reprotect,
    ScaleServices, SetAsideRestore, Wait, WriteEndpoint,
};

use super::{Level, has_endpoint, has_targets, healthy, push_group, scale_side, watched};

/// A planned switch back with no data loss. RDS: check the reverse replica → stop writes on
/// the standby (its services to 0) → wait until the replica has applied everything, for a
/// settle time → promote it → endpoint → primary up → targets → health → DNS → re-protect
/// the standby → standby to standby capacity. Aurora: a managed switchover, which syncs first.
pub fn failback(estate: &Estate) -> RunbookSpec {
    let mut steps = Vec::new();
    let mut require = vec![
        Condition::RegionReachable(Side::Primary),
        Condition::RegionReachable(Side::Standby),
    ];
    if estate.database.is_some() {
        require.push(Condition::ReplicaOf(Side::Primary));
    }
    steps.push(
        Check {
            require,
            warn: vec![],
        }
        .spec()
        .titled("check: both regions reachable, the primary replicates from the standby writer")
        .with_id("preflight"),
    );
    let rds = estate.database.as_ref().is_some_and(|d| {
        matches!(
            d.kind,
            DatabaseKind::RdsReplica | DatabaseKind::BackupRestore
        )
    });
    let restored = estate
        .database
        .as_ref()
        .is_some_and(|d| d.kind == DatabaseKind::BackupRestore);
    if rds {
        // Writes stop before the switch, so the replica can catch up to the last one.
        if estate.services().is_empty() {
            steps.push(
                Manual {
                    instruction: format!(
                        "stop every write to the standby database in {}",
                        estate.standby.region
                    ),
                }
                .spec()
                .with_id("stop-writes"),
            );
        } else {
            steps.push(
                ScaleServices {
                    side: Side::Standby,
                    to: Count::Exactly(0),
                    services: None,
                }
                .spec()
                .titled("stop writes: scale the standby ECS services to 0")
                .with_id("stop-writes"),
            );
        }
        steps.push(
            Wait::until(Condition::CaughtUp(Side::Primary))
                .holding(estate.failback_settle.0)
                .spec()
                .titled("wait until the primary replica has applied every write")
                .with_id("caught-up"),
        );
        steps.push(
            PromoteReplica {
                side: Side::Primary,
                allow_data_loss: false,
            }
            .spec()
            .with_id("database"),
        );
        if has_endpoint(estate) {
            steps.push(
                WriteEndpoint {
                    side: Side::Standby,
                    database: Some(Side::Primary),
                }
                .spec()
                .titled("point the endpoint at the primary database")
                .with_id("endpoint"),
            );
        }
    }
    push_group(
        &mut steps,
        scale_side(estate, Side::Primary, Level::Production, "primary-"),
        "primary-up",
        "scale the primary to production",
    );
    if estate
        .database
        .as_ref()
        .is_some_and(|d| d.kind == DatabaseKind::AuroraGlobal)
    {
        steps.push(
            GlobalSwitchover { to: Side::Primary }
                .spec()
                .with_id("database"),
        );
        if has_endpoint(estate) {
            steps.push(
                WriteEndpoint {
                    side: Side::Standby,
                    database: Some(Side::Primary),
                }
                .spec()
                .with_id("endpoint"),
            );
        }
    }
    if has_targets(estate) {
        steps.push(
            RegisterTargets {
                side: Side::Primary,
                target_groups: None,
            }
            .spec()
            .with_id("primary-targets"),
        );
    }
    if watched(estate, Side::Primary) {
        steps.push(healthy(Side::Primary).with_id("primary-healthy"));
    }
    steps.extend(super::dns_step(estate, Side::Primary));
    if restored {
        // A warm standby restored from AWS Backup goes back to having no database: the
        // restored instance, stale now, is renamed aside (kept, never deleted).
        steps.push(SetAsideRestore {}.spec().with_id("stale-restore"));
    } else if estate.database.is_some() {
        steps.push(
            Reprotect {
                side: Side::Standby,
            }
            .spec()
            .with_id("replica"),
        );
        steps.push(
            Wait::until(Condition::ReplicaOf(Side::Standby))
                .spec()
                .titled("wait until the standby replica replicates with its lag known")
                .with_id("replicating"),
        );
    }
    push_group(
        &mut steps,
        scale_side(estate, Side::Standby, Level::Standby, "standby-"),
        "standby-down",
        "scale the standby back to standby capacity",
    );
    RunbookSpec {
        description: Some(format!(
            "Fail back to {} with no data loss (generated from the estate)",
            estate.primary.region
        )),
        steps,
    }
}

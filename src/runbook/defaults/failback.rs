//! The generated `failback`: a planned switch back to the primary that loses no data.

use crate::config::runbook::{CapacityTarget, Condition, Count, RunbookSpec, StepSpec};
use crate::config::{Capacity, DatabaseKind, Estate};
use crate::model::Side;
use crate::runbook::steps::{
    Check, GlobalSwitchover, Kind, Manual, PromoteReplica, RegisterTargets, Reprotect,
    ScaleServices, SetAsgCapacity, SetAsideRestore, Wait, WriteEndpoint,
};

use super::{Level, has_endpoint, has_targets, healthy, push_group, scale_side, watched};

/// A planned switch back with no data loss. RDS: check the reverse replica → stop writes on
/// the standby (its ECS services and ASGs to 0, then the writers the estate does not name, by
/// hand) → wait until the replica has applied everything, for a
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
        steps.extend(stop_writers(estate));
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

/// The steps that stop every write to the standby's database before the lag gate: each writer
/// the estate names, stopped and waited for (`stop-writes`: its ECS services to 0 tasks, its
/// ASGs to 0/0/0 until no instance runs), then a checkpoint naming what it cannot stop
/// (`stop-other-writers`).
///
/// Every `[[asgs]]` group counts as a writer, not only those behind a target group: a worker
/// group that consumes a queue writes as much as a web tier, and the estate lists a group
/// because it runs the application. A group stopped that did not write costs nothing a
/// failback does not already stop; a writer left running loses what it writes after the
/// promotion. Max goes to 0 with desired, so that no scaling policy starts an instance again.
fn stop_writers(estate: &Estate) -> Vec<StepSpec> {
    let region = &estate.standby.region;
    let db = estate
        .database
        .as_ref()
        .map(|d| d.standby.as_str())
        .unwrap_or("the database");
    let mut stops = Vec::new();
    let mut named = Vec::new();
    if !estate.services().is_empty() {
        let names: Vec<&str> = estate.services().iter().map(|s| s.name.as_str()).collect();
        named.push(format!("ECS services {}", names.join(", ")));
        stops.push(
            ScaleServices {
                side: Side::Standby,
                to: Count::Exactly(0),
                services: None,
            }
            .spec()
            .titled("stop writes: scale the standby ECS services to 0")
            .with_id("stop-services"),
        );
    }
    if !estate.asgs.is_empty() {
        let names: Vec<&str> = estate
            .asgs
            .iter()
            .map(|a| a.name_in(Side::Standby))
            .collect();
        named.push(format!("ASGs {}", names.join(", ")));
        stops.push(
            SetAsgCapacity {
                side: Side::Standby,
                to: CapacityTarget::Exactly(Capacity {
                    min: 0,
                    max: 0,
                    desired: 0,
                }),
                asgs: None,
            }
            .spec()
            .titled("stop writes: scale the standby ASGs to 0 and wait until no instance runs")
            .with_id("stop-asgs"),
        );
    }
    let unnamed = "Lambda functions, scheduled jobs, other applications, direct connections";
    let mut steps = Vec::new();
    match stops.len() {
        0 => {
            steps.push(
                Manual {
                    instruction: format!(
                        "stop every write to {db} in {region}: the estate names no ECS service \
                         or ASG this runbook could stop ({unnamed}: all of them are yours to \
                         stop); a write made after the promotion is lost"
                    ),
                }
                .spec()
                .titled("stop writes: by hand (the estate names no writer drconsole can stop)")
                .with_id("stop-writes"),
            );
            return steps;
        }
        1 => steps.push(stops.remove(0).with_id("stop-writes")),
        _ => steps.push(
            StepSpec::group(stops)
                .titled("stop writes: the standby's ECS services and ASGs to 0")
                .with_id("stop-writes"),
        ),
    }
    steps.push(
        Manual {
            instruction: format!(
                "stop every other writer to {db} in {region}: this runbook stopped only {} \
                 there; writers the estate does not name ({unnamed}) cannot be stopped by it \
                 and keep writing; a write made after the promotion is lost",
                named.join(" and ")
            ),
        }
        .spec()
        .titled("stop writes drconsole cannot stop: writers the estate does not name")
        .with_id("stop-other-writers"),
    );
    steps
}

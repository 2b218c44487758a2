//! `failover`, `reprotect` and `failback` made from the estate when the file does not write
//! them: the whole lifecycle, both directions. Failover is unplanned (it may lose the replica
//! lag, and says how much); re-protect gives the new writer a replica; failback is a planned
//! switch that loses nothing, then re-protects again.

use super::steps::{
    Check, ForceDeployment, GlobalFailover, GlobalSwitchover, Kind, Manual, MoveDns,
    PromoteReplica, RegisterTargets, Reprotect, ScaleServices, SetAsgCapacity, Wait, WriteEndpoint,
};
use crate::config::runbook::{CapacityTarget, Condition, Count, RunbookSpec, StepSpec};
use crate::config::{DatabaseKind, Estate};
use crate::model::Side;

/// The runbooks an operator can start: those written in the file, then the generated defaults.
pub fn names(estate: &Estate) -> Vec<String> {
    let mut names: Vec<String> = estate.runbooks.keys().cloned().collect();
    for d in DEFAULTS {
        if !names.iter().any(|n| n == d) {
            names.push(d.to_string());
        }
    }
    names
}

/// The runbooks generated when the estate file does not write them, in lifecycle order.
pub const DEFAULTS: [&str; 3] = ["failover", "reprotect", "failback"];

/// The runbook called `name`: as written in the file, or generated for a default name.
pub fn resolve(estate: &Estate, name: &str) -> Option<RunbookSpec> {
    if let Some(spec) = estate.runbooks.get(name) {
        return Some(spec.clone());
    }
    match name {
        "failover" => Some(failover(estate)),
        "reprotect" => Some(reprotect(estate)),
        "failback" => Some(failback(estate)),
        _ => None,
    }
}

/// The capacity a side runs at.
#[derive(Clone, Copy)]
enum Level {
    Production,
    Standby,
}

/// The steps that bring a side's ASGs and ECS services to a level, with ids `{prefix}asgs`
/// and `{prefix}services`.
fn scale_side(estate: &Estate, side: Side, level: Level, prefix: &str) -> Vec<StepSpec> {
    let mut steps = Vec::new();
    if !estate.asgs.is_empty() {
        let to = match level {
            Level::Production => CapacityTarget::Production,
            Level::Standby => CapacityTarget::Standby,
        };
        steps.push(
            SetAsgCapacity {
                side,
                to,
                asgs: None,
            }
            .spec()
            .with_id(&format!("{prefix}asgs")),
        );
    }
    if !estate.services().is_empty() {
        let to = match level {
            Level::Production => Count::Production,
            Level::Standby => Count::Standby,
        };
        steps.push(
            ScaleServices {
                side,
                to,
                services: None,
            }
            .spec()
            .with_id(&format!("{prefix}services")),
        );
    }
    steps
}

fn has_endpoint(estate: &Estate) -> bool {
    estate
        .database
        .as_ref()
        .is_some_and(|d| d.endpoint_parameter.is_some() || d.endpoint_secret.is_some())
}

fn has_targets(estate: &Estate) -> bool {
    estate.target_groups.iter().any(|t| t.asg.is_some())
}

fn watched(estate: &Estate, side: Side) -> bool {
    estate.health_checks.iter().any(|h| h.region == side)
}

fn healthy(side: Side) -> StepSpec {
    Wait::until(Condition::HealthCheckHealthy(side.to_string())).spec()
}

/// Preflight → { promote (or global failover) | standby ASGs to production | standby services
/// to production } → register targets → write the endpoint → force a deployment → move DNS →
/// wait for the standby's health checks. Nothing in it needs the primary region.
pub fn failover(estate: &Estate) -> RunbookSpec {
    let mut steps = Vec::new();
    let mut require = vec![Condition::RegionReachable(Side::Standby)];
    let mut warn = vec![Condition::RegionReachable(Side::Primary)];
    if estate.database.is_some() {
        require.push(Condition::DatabaseAvailable(Side::Standby));
        warn.insert(0, Condition::LagBelow(estate.rpo_budget));
    }
    steps.push(
        Check { require, warn }
            .spec()
            .titled("preflight: standby reachable, replica present")
            .with_id("preflight"),
    );

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
        };
        group.push(promote.with_id("database"));
    }
    group.extend(scale_side(estate, Side::Standby, Level::Production, ""));
    push_group(
        &mut steps,
        group,
        "scale-up",
        "promote the database, scale the standby to production",
    );
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
    if has_endpoint(estate) {
        steps.push(
            WriteEndpoint {
                side: Side::Standby,
                database: None,
            }
            .spec()
            .with_id("endpoint"),
        );
    }
    if !estate.services().is_empty() {
        steps.push(
            ForceDeployment {
                side: Side::Standby,
                services: None,
            }
            .spec()
            .titled("force a new deployment of standby services (pick up the new endpoint)")
            .with_id("redeploy"),
        );
    }
    if estate.dns.is_some() {
        steps.push(MoveDns { to: Side::Standby }.spec().with_id("dns"));
    }
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

/// After a failover: writes to the primary's stale old writer stop (its services to 0, its
/// ASGs to standby capacity) → that writer renamed aside and a replica of the standby's writer
/// created under the primary's name → wait until it replicates → the primary's services back
/// to their standby counts.
pub fn reprotect(estate: &Estate) -> RunbookSpec {
    let mut steps = vec![
        Check {
            require: vec![
                Condition::RegionReachable(Side::Primary),
                Condition::DatabaseWriter(Side::Standby),
            ],
            warn: vec![],
        }
        .spec()
        .titled("check: the standby holds the writer and the primary is reachable")
        .with_id("preflight"),
    ];
    let mut quiet = Vec::new();
    if !estate.asgs.is_empty() {
        quiet.push(
            SetAsgCapacity {
                side: Side::Primary,
                to: CapacityTarget::Standby,
                asgs: None,
            }
            .spec()
            .with_id("primary-asgs"),
        );
    }
    if !estate.services().is_empty() {
        quiet.push(
            ScaleServices {
                side: Side::Primary,
                to: Count::Exactly(0),
                services: None,
            }
            .spec()
            .titled("stop writes to the stale primary database: its ECS services to 0")
            .with_id("primary-stop"),
        );
    }
    push_group(
        &mut steps,
        quiet,
        "primary-down",
        "the primary stands by: no writes to its stale database",
    );
    steps.push(
        Reprotect {
            side: Side::Primary,
        }
        .spec()
        .with_id("replica"),
    );
    steps.push(
        Wait::until(Condition::ReplicaOf(Side::Primary))
            .spec()
            .titled("wait until the primary replica replicates with its lag known")
            .with_id("replicating"),
    );
    if !estate.services().is_empty() {
        steps.push(
            ScaleServices {
                side: Side::Primary,
                to: Count::Standby,
                services: None,
            }
            .spec()
            .with_id("primary-services"),
        );
    }
    RunbookSpec {
        description: Some(format!(
            "Give the {} writer a replica in {} again (generated from the estate)",
            estate.standby.region, estate.primary.region
        )),
        steps,
    }
}

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
    let rds = estate
        .database
        .as_ref()
        .is_some_and(|d| d.kind == DatabaseKind::RdsReplica);
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
    if estate.dns.is_some() {
        steps.push(MoveDns { to: Side::Primary }.spec().with_id("dns"));
    }
    if estate.database.is_some() {
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

fn push_group(steps: &mut Vec<StepSpec>, group: Vec<StepSpec>, id: &str, title: &str) {
    match group.len() {
        0 => {}
        1 => steps.extend(group),
        _ => steps.push(StepSpec::group(group).titled(title).with_id(id)),
    }
}

//! `failover` and `failback` made from the estate when the file does not write them.

use std::time::Duration;

use super::steps::{
    Check, ForceDeployment, GlobalFailover, GlobalSwitchover, Kind, MoveDns, PromoteReplica,
    RecreateReplica, RegisterTargets, ScaleServices, SetAsgCapacity, Wait, WriteEndpoint,
};
use crate::config::runbook::{CapacityTarget, Condition, Count, RunbookSpec, StepSpec};
use crate::config::{DatabaseKind, Estate};
use crate::model::Side;

/// The runbooks an operator can start: those written in the file, then the generated defaults.
pub fn names(estate: &Estate) -> Vec<String> {
    let mut names: Vec<String> = estate.runbooks.keys().cloned().collect();
    for d in ["failover", "failback"] {
        if !names.iter().any(|n| n == d) {
            names.push(d.to_string());
        }
    }
    names
}

/// The runbook called `name`: as written in the file, or generated for `failover` / `failback`.
pub fn resolve(estate: &Estate, name: &str) -> Option<RunbookSpec> {
    if let Some(spec) = estate.runbooks.get(name) {
        return Some(spec.clone());
    }
    match name {
        "failover" => Some(failover(estate)),
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
    Wait {
        until: Condition::HealthCheckHealthy(side.to_string()),
    }
    .spec()
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
            DatabaseKind::RdsReplica => PromoteReplica {}.spec(),
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

/// Check the primary → primary capacity up → wait for its health checks → move DNS back →
/// standby down to standby capacity → recreate the cross-region replica (or switch the global
/// database back) and wait until it replicates.
pub fn failback(estate: &Estate) -> RunbookSpec {
    let mut steps = Vec::new();
    let mut require = vec![
        Condition::RegionReachable(Side::Primary),
        Condition::RegionReachable(Side::Standby),
    ];
    if estate.database.is_some() {
        require.push(Condition::DatabaseAvailable(Side::Primary));
    }
    steps.push(
        Check {
            require,
            warn: vec![],
        }
        .spec()
        .titled("check: primary reachable and its database available")
        .with_id("preflight"),
    );
    push_group(
        &mut steps,
        scale_side(estate, Side::Primary, Level::Production, "primary-"),
        "primary-up",
        "scale the primary to production",
    );
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
    push_group(
        &mut steps,
        scale_side(estate, Side::Standby, Level::Standby, "standby-"),
        "standby-down",
        "scale the standby back to standby capacity",
    );
    let endpoint_back = || {
        WriteEndpoint {
            side: Side::Standby,
            database: Some(Side::Primary),
        }
        .spec()
        .with_id("endpoint")
    };
    if let Some(db) = &estate.database {
        match db.kind {
            DatabaseKind::RdsReplica => {
                if has_endpoint(estate) {
                    steps.push(
                        endpoint_back()
                            .titled("point the standby's endpoint back at the primary database"),
                    );
                }
                steps.push(RecreateReplica {}.spec().with_id("replica"));
                steps.push(
                    Wait {
                        until: Condition::LagKnown(true),
                    }
                    .spec()
                    .titled("wait until the new replica reports its lag")
                    .with_timeout(Duration::from_secs(600))
                    .with_id("replicating"),
                );
            }
            DatabaseKind::AuroraGlobal => {
                steps.push(
                    GlobalSwitchover { to: Side::Primary }
                        .spec()
                        .with_id("database"),
                );
                if has_endpoint(estate) {
                    steps.push(endpoint_back());
                }
            }
        }
    }
    RunbookSpec {
        description: Some(format!(
            "Fail back to {} (generated from the estate)",
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

//! `failover` and `failback` made from the estate when the file does not write them.

use std::time::Duration;

use super::spec::{CapacityTarget, Condition, Count, RunbookSpec, StepKind, StepSpec};
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
        StepSpec::new(StepKind::Check { require, warn })
            .titled("preflight: standby reachable, replica present")
            .with_id("preflight"),
    );

    let mut group = Vec::new();
    if let Some(db) = &estate.database {
        let kind = match db.kind {
            DatabaseKind::RdsReplica => StepKind::PromoteReplica {},
            DatabaseKind::AuroraGlobal => StepKind::GlobalFailover { to: Side::Standby },
        };
        group.push(StepSpec::new(kind).with_id("database"));
    }
    if !estate.asgs.is_empty() {
        group.push(
            StepSpec::new(StepKind::SetAsgCapacity {
                side: Side::Standby,
                to: CapacityTarget::Production,
                asgs: None,
            })
            .with_id("asgs"),
        );
    }
    if !estate.services().is_empty() {
        group.push(
            StepSpec::new(StepKind::ScaleServices {
                side: Side::Standby,
                to: Count::Production,
                services: None,
            })
            .with_id("services"),
        );
    }
    match group.len() {
        0 => {}
        1 => steps.extend(group),
        _ => steps.push(
            StepSpec::new(StepKind::Parallel { steps: group })
                .titled("promote the database, scale the standby to production")
                .with_id("scale-up"),
        ),
    }
    if estate.target_groups.iter().any(|t| t.asg.is_some()) {
        steps.push(
            StepSpec::new(StepKind::RegisterTargets {
                side: Side::Standby,
                target_groups: None,
            })
            .with_id("targets"),
        );
    }
    if estate
        .database
        .as_ref()
        .is_some_and(|d| d.endpoint_parameter.is_some() || d.endpoint_secret.is_some())
    {
        steps.push(
            StepSpec::new(StepKind::WriteEndpoint {
                side: Side::Standby,
                database: None,
            })
            .with_id("endpoint"),
        );
    }
    if !estate.services().is_empty() {
        steps.push(
            StepSpec::new(StepKind::ForceDeployment {
                side: Side::Standby,
                services: None,
            })
            .titled("force a new deployment of standby services (pick up the new endpoint)")
            .with_id("redeploy"),
        );
    }
    if estate.dns.is_some() {
        steps.push(StepSpec::new(StepKind::MoveDns { to: Side::Standby }).with_id("dns"));
    }
    if estate
        .health_checks
        .iter()
        .any(|h| h.region == Side::Standby)
    {
        steps.push(
            StepSpec::new(StepKind::Wait {
                until: Condition::HealthCheckHealthy("standby".into()),
            })
            .with_id("standby-healthy"),
        );
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
        StepSpec::new(StepKind::Check {
            require,
            warn: vec![],
        })
        .titled("check: primary reachable and its database available")
        .with_id("preflight"),
    );
    let mut up = Vec::new();
    if !estate.asgs.is_empty() {
        up.push(
            StepSpec::new(StepKind::SetAsgCapacity {
                side: Side::Primary,
                to: CapacityTarget::Production,
                asgs: None,
            })
            .with_id("primary-asgs"),
        );
    }
    if !estate.services().is_empty() {
        up.push(
            StepSpec::new(StepKind::ScaleServices {
                side: Side::Primary,
                to: Count::Production,
                services: None,
            })
            .with_id("primary-services"),
        );
    }
    push_group(
        &mut steps,
        up,
        "primary-up",
        "scale the primary to production",
    );
    if estate.target_groups.iter().any(|t| t.asg.is_some()) {
        steps.push(
            StepSpec::new(StepKind::RegisterTargets {
                side: Side::Primary,
                target_groups: None,
            })
            .with_id("primary-targets"),
        );
    }
    if estate
        .health_checks
        .iter()
        .any(|h| h.region == Side::Primary)
    {
        steps.push(
            StepSpec::new(StepKind::Wait {
                until: Condition::HealthCheckHealthy("primary".into()),
            })
            .with_id("primary-healthy"),
        );
    }
    if estate.dns.is_some() {
        steps.push(StepSpec::new(StepKind::MoveDns { to: Side::Primary }).with_id("dns"));
    }
    let mut down = Vec::new();
    if !estate.asgs.is_empty() {
        down.push(
            StepSpec::new(StepKind::SetAsgCapacity {
                side: Side::Standby,
                to: CapacityTarget::Standby,
                asgs: None,
            })
            .with_id("standby-asgs"),
        );
    }
    if !estate.services().is_empty() {
        down.push(
            StepSpec::new(StepKind::ScaleServices {
                side: Side::Standby,
                to: Count::Standby,
                services: None,
            })
            .with_id("standby-services"),
        );
    }
    push_group(
        &mut steps,
        down,
        "standby-down",
        "scale the standby back to standby capacity",
    );
    if let Some(db) = &estate.database {
        match db.kind {
            DatabaseKind::RdsReplica => {
                if db.endpoint_parameter.is_some() || db.endpoint_secret.is_some() {
                    steps.push(
                        StepSpec::new(StepKind::WriteEndpoint {
                            side: Side::Standby,
                            database: Some(Side::Primary),
                        })
                        .titled("point the standby's endpoint back at the primary database")
                        .with_id("endpoint"),
                    );
                }
                steps.push(StepSpec::new(StepKind::RecreateReplica {}).with_id("replica"));
                steps.push(
                    StepSpec::new(StepKind::Wait {
                        until: Condition::LagKnown(true),
                    })
                    .titled("wait until the new replica reports its lag")
                    .with_timeout(Duration::from_secs(600))
                    .with_id("replicating"),
                );
            }
            DatabaseKind::AuroraGlobal => {
                steps.push(
                    StepSpec::new(StepKind::GlobalSwitchover { to: Side::Primary })
                        .with_id("database"),
                );
                if db.endpoint_parameter.is_some() || db.endpoint_secret.is_some() {
                    steps.push(
                        StepSpec::new(StepKind::WriteEndpoint {
                            side: Side::Standby,
                            database: Some(Side::Primary),
                        })
                        .with_id("endpoint"),
                    );
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
        _ => steps.push(
            StepSpec::new(StepKind::Parallel { steps: group })
                .titled(title)
                .with_id(id),
        ),
    }
}

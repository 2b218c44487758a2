//! `failover`, `reprotect` and `failback` made from the estate when the file does not write
//! them: the whole lifecycle, both directions. Failover is unplanned (it may lose the replica
//! lag, and says how much); re-protect gives the new writer a replica; failback is a planned
//! switch that loses nothing, then re-protects again.

mod failback;
mod failover;
mod reprotect;

pub use failback::failback;
pub use failover::failover;
pub use reprotect::reprotect;

use super::steps::{InvertHealthCheck, Kind, MoveDns, ScaleServices, SetAsgCapacity, Wait};
use crate::config::Estate;
use crate::config::runbook::{CapacityTarget, Condition, Count, RunbookSpec, StepSpec};
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

fn push_group(steps: &mut Vec<StepSpec>, group: Vec<StepSpec>, id: &str, title: &str) {
    match group.len() {
        0 => {}
        1 => steps.extend(group),
        _ => steps.push(StepSpec::group(group).titled(title).with_id(id)),
    }
}

/// The step that sends DNS traffic to `to`, as the estate's DNS mode does it: a swap rewrites
/// the record (or alias), failover routing inverts (or un-inverts) the primary's health check.
fn dns_step(estate: &Estate, to: Side) -> Option<StepSpec> {
    let dns = estate.dns.as_ref()?;
    let spec = if dns.is_failover_routing() {
        InvertHealthCheck {
            inverted: to == Side::Standby,
        }
        .spec()
    } else {
        MoveDns { to }.spec()
    };
    Some(spec.with_id("dns"))
}

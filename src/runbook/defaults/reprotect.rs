//! The generated `reprotect`: after a failover, the new writer gets a replica in the old region.

use crate::config::Estate;
use crate::config::runbook::{CapacityTarget, Condition, Count, RunbookSpec};
use crate::model::Side;
use crate::runbook::steps::{Check, Kind, Reprotect, ScaleServices, SetAsgCapacity, Wait};

use super::push_group;

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

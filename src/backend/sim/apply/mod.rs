//! How the simulated estate answers each action: accepted at once, completed on its own clock.
//! One file per AWS service, as in the AWS backend: each `apply` takes the actions it knows
//! and leaves the others.

mod asg;
mod backup;
mod ecs;
mod elb;
mod endpoint;
mod lambda;
mod rds;
mod route53;

use super::world::World;
use crate::backend::{Action, ActionOutcome, BackendError, ErrorKind};
use crate::model::Side;

type Service = fn(&mut World, &Action) -> Result<Option<ActionOutcome>, BackendError>;

/// Every service that performs actions.
const SERVICES: [Service; 8] = [
    rds::apply,
    ecs::apply,
    asg::apply,
    elb::apply,
    route53::apply,
    endpoint::apply,
    lambda::apply,
    backup::apply,
];

impl World {
    pub fn apply(&mut self, action: &Action) -> Result<ActionOutcome, BackendError> {
        for service in SERVICES {
            if let Some(outcome) = service(self, action)? {
                return Ok(outcome);
            }
        }
        Err(BackendError::new(
            ErrorKind::Other,
            "local",
            action.api_call(),
            "",
            "a command runs on this machine, not in the simulated estate",
        ))
    }
}

/// `us-west-2 (standby)`.
fn region(w: &World, side: Side) -> String {
    format!("{} ({side})", w.estate.region(side).region)
}

/// The resource the action names is not in the simulated region.
fn fail(
    w: &World,
    action: &Action,
    side: Side,
    code: &str,
    resource: &str,
    msg: String,
) -> Result<Option<ActionOutcome>, BackendError> {
    Err(BackendError::new(
        ErrorKind::NotFound,
        &region(w, side),
        action.api_call(),
        resource,
        msg,
    )
    .with_code(code))
}

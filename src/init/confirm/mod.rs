//! AWS confirms what the state files say, with read-only calls: the replica replicates from the
//! primary, each service exists in both clusters, the record points where the state says.
//! `production` capacities are the primary's current settings, `standby` the standby's. The
//! endpoint store is the parameter or secret whose value (or JSON `host`) is the primary's
//! address; the value itself never leaves the backend.

mod capacity;
mod checks;
mod database;
mod dns;
mod endpoint;
mod reader;

pub use reader::*;

use super::draft::*;
use crate::backend::BackendError;
use crate::model::ErrorKind;
use capacity::{asgs, ecs, target_groups};
use checks::checks_and_alarms;
use database::database;
use dns::dns;

/// A failed read that stops `init`: credentials, an unreachable region, a refused permission.
/// A resource that does not exist is not one (it is missing).
fn fatal(e: BackendError) -> Result<(), BackendError> {
    if e.kind == ErrorKind::NotFound {
        Ok(())
    } else {
        Err(e)
    }
}

/// Confirms the draft against AWS, filling capacities and the endpoint store; what AWS does
/// not have becomes missing.
pub async fn confirm(d: &mut Draft, aws: &dyn Reader) -> Result<(), BackendError> {
    database(d, aws).await?;
    ecs(d, aws).await?;
    asgs(d, aws).await?;
    target_groups(d, aws).await?;
    dns(d, aws).await?;
    checks_and_alarms(d, aws).await?;
    Ok(())
}

//! Where requests and approvals are kept: the `[coordination]` DynamoDB table (one item per
//! run and step, beside the run lock's item), or, for the simulator, which never calls AWS, a
//! file in the state directory that every console and command of this machine shares.

use std::path::Path;
use std::sync::Arc;

use async_trait::async_trait;
use chrono::Utc;

use super::{Operator, Refused, Request, Status};
use crate::config::Estate;

#[async_trait]
pub trait Store: Send + Sync {
    /// `drconsole-runs in us-west-2`, or the file.
    fn label(&self) -> String;
    /// Writes a new request, replacing an earlier one of the same run and step.
    async fn put(&self, r: &Request) -> Result<(), String>;
    /// The request of `run_id`'s `step`, read consistently.
    async fn get(&self, run_id: &str, step: &str) -> Result<Option<Request>, String>;
    /// Records `by`'s approval of request `request_id` with plan `plan_sha256`, on the
    /// condition [`super::check`] states; when refused, why (read back).
    async fn approve(
        &self,
        run_id: &str,
        step: &str,
        request_id: &str,
        plan_sha256: &str,
        by: &Operator,
    ) -> Result<Request, Refused>;
    /// Closes request `request_id` as `status` (expired, withdrawn) if it is still pending.
    /// Returns the request as it stands after: approved, when an approval came first.
    async fn close(
        &self,
        run_id: &str,
        step: &str,
        request_id: &str,
        status: Status,
    ) -> Result<Option<Request>, String>;
}

/// The store of `estate`'s approvals, when its steps need them: the coordination table, or
/// for a simulated estate the file under `state_dir`.
pub async fn open(estate: &Estate, state_dir: &Path, simulated: bool) -> Option<Arc<dyn Store>> {
    let c = estate
        .coordination
        .as_ref()
        .filter(|c| c.needs_approval())?;
    if simulated {
        return Some(Arc::new(super::file::FileStore::new(
            state_dir,
            &estate.name,
        )));
    }
    let table = crate::runbook::lock::dynamo::Table::connect(estate, c).await;
    Some(Arc::new(table))
}

/// Why a write whose condition failed was refused, from the request read back.
pub fn explain(
    found: Option<&Request>,
    request_id: &str,
    plan_sha256: &str,
    by: &Operator,
) -> Refused {
    match found {
        None => Refused::NoRequest,
        Some(r) => match super::check(r, request_id, plan_sha256, by, Utc::now()) {
            Err(why) => why,
            // It reads as approvable now: the write raced a change; say so rather than guess.
            Ok(()) => Refused::NotPending("changing (try again)".into()),
        },
    }
}

//! Claiming the lock for a run ([`acquire`]), and keeping it while the run lasts ([`keep`]): a
//! background task fed by the run's events, which writes the run's progress for followers
//! (the holder file, the DynamoDB item), renews the lease, and releases both at the end. It
//! never holds the engine up: the engine only ever asks the [`Fence`], which answers from
//! memory.

mod acquire;
mod fence;
mod keep;
mod renew;
mod shared;

use std::sync::Arc;
use std::time::Duration;

use serde_json::json;

use super::dynamo::Table;
use super::local::LocalGuard;
use super::{FENCE_MARGIN, Holder};
use crate::runbook::api::RunContext;
use crate::runbook::audit::AuditLog;

pub use acquire::acquire;
pub use fence::{Closed, EXTEND_WITHIN, Fence};
pub use keep::keep;

/// A claimed run lock, until [`keep`] releases it.
pub struct Lease {
    pub holder: Holder,
    local: Arc<LocalGuard>,
    remote: Option<Table>,
    pub fence: Arc<Fence>,
    audit: Audit,
    /// Lines for the run's log (e.g. the shared lock skipped with `--no-lock`).
    pub notes: Vec<String>,
    /// How long the lease lasts and how often it is renewed.
    pub lease: Duration,
    pub renew_every: Duration,
}

/// Audit lines written from a background task, through the blocking pool.
#[derive(Clone)]
pub struct Audit {
    pub path: std::path::PathBuf,
    pub run_id: String,
}

impl Audit {
    pub async fn write(&self, event: &str, fields: serde_json::Value) {
        let (path, run_id, event) = (self.path.clone(), self.run_id.clone(), event.to_string());
        let _ = tokio::task::spawn_blocking(move || {
            AuditLog::open(&path).and_then(|log| log.write(&run_id, None, &event, fields))
        })
        .await;
    }
}

fn holder_fields(h: &Holder) -> serde_json::Value {
    json!({"user": h.user, "host": h.host, "pid": h.pid, "runbook": h.runbook,
           "run_id": h.run_id, "since": h.since.to_rfc3339(),
           "expires_at": h.expires_at.map(|e| e.to_rfc3339()),
           "lease_version": h.lease_version})
}

/// The fence's margin for a lease of `length`: [`FENCE_MARGIN`], or a tenth of a short lease.
pub fn margin_of(length: Duration) -> Duration {
    FENCE_MARGIN.min(length / 10)
}

/// Whether a backend is the simulator: its runs never call AWS, the coordination table
/// included.
pub fn simulated(ctx: &RunContext) -> bool {
    ctx.backend.mode().is_simulation()
}

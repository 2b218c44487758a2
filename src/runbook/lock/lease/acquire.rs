//! Claiming the run lock: this machine's first, then the shared one when the estate names a
//! table.

use std::sync::Arc;
use std::time::Duration;

use serde_json::json;

use super::shared::claim_shared;
use super::{Audit, Fence, Lease, holder_fields};
use crate::runbook::api::RunContext;
use crate::runbook::lock::local::LocalLock;
use crate::runbook::lock::{Holder, LEASE, RENEW_EVERY, Refusal};

/// How many times (100 ms apart) a claim waits for a lock this process is releasing.
const SAME_PROCESS_TRIES: u32 = 50;

/// Claims this machine's lock, then the shared one if the estate names a table. Every
/// outcome is audited.
pub async fn acquire(ctx: &RunContext, me: Holder) -> Result<Lease, Refusal> {
    let audit = Audit {
        path: ctx.audit_path.clone(),
        run_id: me.run_id.clone(),
    };
    let local = LocalLock::new(&ctx.state_dir, &ctx.estate.name);
    let lock_path = local.lock_path.clone();
    let mut tries = 0;
    let claimed = loop {
        let (lock, claimant) = (local.clone(), me.clone());
        let claimed = tokio::task::spawn_blocking(move || lock.claim(&claimant))
            .await
            .map_err(|e| Refusal::Unreachable(format!("the local run lock: {e}")))?
            .map_err(|e| {
                Refusal::Unreachable(format!("the local run lock {}: {e}", lock_path.display()))
            })?;
        // A run of this very process that has just ended (or been stopped) is still letting
        // its lock go: wait for it, briefly.
        match &claimed {
            Err(Refusal::Held { holder, .. })
                if holder.pid == me.pid && holder.host == me.host && tries < SAME_PROCESS_TRIES =>
            {
                tries += 1;
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
            _ => break claimed,
        }
    };
    let local = match claimed {
        Ok(g) => Arc::new(g),
        Err(refusal) => {
            if let Refusal::Held { holder, .. } = &refusal {
                audit
                    .write(
                        "lock_refused",
                        json!({"store": "local", "holder": holder_fields(holder)}),
                    )
                    .await;
            }
            return Err(refusal);
        }
    };
    audit
        .write(
            "lock_claimed",
            json!({"store": "local", "path": lock_path.display().to_string(),
                   "user": me.user, "host": me.host, "pid": me.pid}),
        )
        .await;
    let lease = Lease {
        holder: me.clone(),
        local,
        remote: None,
        fence: Fence::open(),
        audit: audit.clone(),
        notes: Vec::new(),
        lease: LEASE,
        renew_every: RENEW_EVERY,
    };
    claim_shared(ctx, me, lease, audit).await
}

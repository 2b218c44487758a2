//! Claiming the shared run lock in the coordination table, every outcome audited.

use serde_json::json;
use tokio::time::Instant;

use super::{Audit, Fence, Lease, holder_fields, margin_of, simulated};
use crate::runbook::api::RunContext;
use crate::runbook::lock::dynamo::{ClaimError, Claimed, Table};
use crate::runbook::lock::{Holder, LEASE, Refusal};

/// Claims the shared lock for `me` once this machine's is held (`lease`); without a table, or
/// on the simulator, `lease` as it is.
pub(super) async fn claim_shared(
    ctx: &RunContext,
    me: Holder,
    mut lease: Lease,
    audit: Audit,
) -> Result<Lease, Refusal> {
    let Some(coord) = ctx.estate.coordination.as_ref() else {
        return Ok(lease);
    };
    if simulated(ctx) {
        lease.notes.push(format!(
            "simulation: the coordination table {} is not used; this machine's lock is held",
            coord.table
        ));
        return Ok(lease);
    }
    let table = Table::connect(&ctx.estate, coord).await;
    let length = coord.lease.map_or(LEASE, |l| l.0);
    lease.lease = length;
    lease.renew_every = length / 6;
    let started = Instant::now();
    let claim = table
        .claim(&me, ctx.lock.take_over.as_deref(), length)
        .await;
    let holder = match claim {
        Ok(Claimed::Fresh(h)) => {
            audit
                .write(
                    "lock_claimed",
                    json!({"store": "dynamodb", "table": table.label,
                           "lease_version": h.lease_version,
                           "expires_at": h.expires_at.map(|e| e.to_rfc3339())}),
                )
                .await;
            h
        }
        Ok(Claimed::TakenOver { now, from }) => {
            audit
                .write(
                    "lock_taken_over",
                    json!({"store": "dynamodb", "table": table.label,
                           "typed": ctx.lock.take_over, "by": ctx.user,
                           "from": holder_fields(&from),
                           "lease_version": now.lease_version}),
                )
                .await;
            lease.notes.push(format!(
                "took over the expired run lock of {} ({}, run {})",
                from.who(),
                from.runbook,
                from.run_id
            ));
            now
        }
        Ok(Claimed::Reclaimed { now, from }) => {
            audit
                .write(
                    "lock_reclaimed",
                    json!({"store": "dynamodb", "table": table.label,
                           "from": holder_fields(&from),
                           "why": "its holder was a process of this machine that no longer runs"}),
                )
                .await;
            now
        }
        Err(ClaimError::Held { holder, expired }) => {
            audit
                .write(
                    "lock_refused",
                    json!({"store": "dynamodb", "table": table.label, "expired": expired,
                           "holder": holder_fields(&holder)}),
                )
                .await;
            return Err(Refusal::Held {
                holder,
                expired,
                shared: true,
            });
        }
        Err(ClaimError::Unreachable(why)) if ctx.lock.no_lock => {
            audit
                .write(
                    "lock_skipped",
                    json!({"store": "dynamodb", "table": table.label, "flag": "--no-lock",
                           "by": ctx.user, "reason": why}),
                )
                .await;
            lease.notes.push(format!(
                "--no-lock: running without the shared run lock ({why}); other operators \
                 cannot see this run"
            ));
            return Ok(lease);
        }
        Err(ClaimError::Unreachable(why)) => {
            audit
                .write(
                    "lock_unreachable",
                    json!({"store": "dynamodb", "table": table.label, "reason": why}),
                )
                .await;
            return Err(Refusal::Unreachable(why));
        }
    };
    lease.holder = holder;
    let margin = margin_of(length);
    lease.fence = Fence::until(started + length.saturating_sub(margin), margin);
    lease.remote = Some(table);
    Ok(lease)
}

//! One renewal of the lease, and what the keeper learns from it: renewed, late, lost to
//! another holder, unresolved, or not answered.

use std::time::Duration;

use serde_json::json;
use tokio::time::Instant;

use super::{Lease, holder_fields, margin_of};
use crate::runbook::lock::dynamo::{RenewError, Renewed};

/// What the keeper knows of its renewals.
#[derive(Debug, Default)]
pub(super) struct Renewal {
    /// The lease is closed for good (taken over, ran out, or unresolved).
    pub(super) lost: bool,
    /// Someone else holds it: nothing to release.
    pub(super) taken: bool,
    /// A renewal failed without an answer and is being retried (audited once per streak).
    pub(super) failing: bool,
    /// The start and lease of the first renewal whose answer was lost: a later look may find
    /// it applied, and the lease then counts from its start.
    pub(super) unanswered: Option<(Instant, Duration)>,
}

pub(super) async fn ran_out(lease: &mut Lease, st: &mut Renewal) {
    if st.lost {
        return;
    }
    st.lost = true;
    let label = lease.remote.as_ref().map(|t| t.label.clone());
    lease
        .audit
        .write(
            "lock_lost",
            json!({"store": "dynamodb", "table": label, "reason": "ran_out",
                   "lease_version": lease.holder.lease_version,
                   "expires_at": lease.holder.expires_at.map(|e| e.to_rfc3339())}),
        )
        .await;
}

/// One renewal, its lease long enough for every call admitted. `Err(())`: not renewed;
/// `st.lost` says whether for good.
pub(super) async fn renew(lease: &mut Lease, st: &mut Renewal) -> Result<(), ()> {
    let Some(table) = lease.remote.clone() else {
        return Ok(());
    };
    let started = Instant::now();
    let length = lease.fence.lease_for(started, lease.lease);
    // A failed condition is resolved by reading the item until the lease is nearly over.
    let until = lease
        .fence
        .valid_until()
        .unwrap_or(started + length.saturating_sub(margin_of(lease.lease)));
    match table.renew(&mut lease.holder, length, until).await {
        Ok(how) => {
            let (from, len) = match how {
                Renewed::Now | Renewed::Resolved => (started, length),
                // An earlier renewal whose answer was lost: the lease counts from the first
                // of them, the shortest lease asked.
                Renewed::Earlier => st.unanswered.unwrap_or((started, length)),
            };
            if how != Renewed::Now {
                lease
                    .audit
                    .write(
                        "lock_renew_resolved",
                        json!({"store": "dynamodb", "table": table.label, "applied": true,
                               "by": if how == Renewed::Earlier { "an earlier renewal" } else { "this renewal" },
                               "how": "its answer was lost; the item, read back, holds this run's version",
                               "lease_version": lease.holder.lease_version}),
                    )
                    .await;
            }
            st.unanswered = None;
            st.failing = false;
            if let Some(late) = lease.fence.renewed(from, len) {
                lease
                    .audit
                    .write(
                        "lock_renewed_late",
                        json!({"store": "dynamodb", "table": table.label,
                               "late_by_ms": late.as_millis() as u64,
                               "lease_version": lease.holder.lease_version}),
                    )
                    .await;
                ran_out(lease, st).await;
                return Err(());
            }
            Ok(())
        }
        Err(RenewError::Lost(by)) => {
            let who = by
                .as_ref()
                .map(|h| h.describe())
                .unwrap_or_else(|| "nobody (the item is gone)".into());
            lease.fence.lose(format!(
                "the run lock was taken over ({who}): this run makes no more changes"
            ));
            st.lost = true;
            st.taken = true;
            lease
                .audit
                .write(
                    "lock_lost",
                    json!({"store": "dynamodb", "table": table.label, "reason": "taken_over",
                           "holder": by.as_ref().map(|h| holder_fields(h))}),
                )
                .await;
            Err(())
        }
        Err(RenewError::Unresolved(why)) => {
            lease.fence.lose(format!(
                "the run lock's renewal failed its condition and the lock could not be read \
                 before the lease ran out ({why}): whether it is still this run's is unknown, \
                 so this run makes no more changes"
            ));
            st.lost = true;
            lease
                .audit
                .write(
                    "lock_lost",
                    json!({"store": "dynamodb", "table": table.label, "reason": "unresolved",
                           "error": why}),
                )
                .await;
            Err(())
        }
        Err(RenewError::Unreachable(why)) => {
            let (first, shortest) = st.unanswered.unwrap_or((started, length));
            st.unanswered = Some((first, shortest.min(length)));
            if !st.failing {
                st.failing = true;
                lease
                    .audit
                    .write(
                        "lock_renew_failed",
                        json!({"store": "dynamodb", "table": table.label, "reason": why}),
                    )
                    .await;
            }
            Err(())
        }
    }
}

//! Keeping the lease while the run lasts: the run's progress written for followers, the lease
//! renewed, and both locks released at the end.

use std::time::Duration;

use serde_json::json;
use tokio::sync::mpsc;
use tokio::task::JoinHandle;
use tokio::time::Instant;

use super::Lease;
use super::renew::{Renewal, ran_out, renew};
use crate::runbook::api::RunEvent;

/// How soon after a change of progress it is written: changes in a burst go in one write.
const COALESCE_LOCAL: Duration = Duration::from_millis(200);
const COALESCE_REMOTE: Duration = Duration::from_secs(1);
/// After a renewal that failed to reach the table, the next try.
const RETRY_RENEW: Duration = Duration::from_secs(2);

/// Keeps the lease until the run is over (a `Finished` or `Crashed` event, or `events`
/// ending), then releases it and says so on `released`: the caller passes the run's last
/// event on only then, so that whoever saw the run end may start the next one at once.
///
/// Renews every `renew_every`, at once when a call asks for a longer lease, and every
/// [`RETRY_RENEW`] while the table does not answer; once the lease has run out here the fence
/// is closed for good and renewals stop.
pub fn keep(
    mut lease: Lease,
    mut events: mpsc::UnboundedReceiver<RunEvent>,
    released: tokio::sync::oneshot::Sender<()>,
) -> JoinHandle<()> {
    tokio::spawn(async move {
        let coalesce = if lease.remote.is_some() {
            COALESCE_REMOTE
        } else {
            COALESCE_LOCAL
        };
        let mut next_renew = Instant::now() + lease.renew_every;
        let mut dirty_at: Option<Instant> = None;
        let mut st = Renewal::default();
        let fence = lease.fence.clone();
        loop {
            let due = match dirty_at {
                Some(d) => (d + coalesce).min(next_renew),
                None => next_renew,
            };
            // Wake when the lease would run out here, to close the fence for good.
            let runs_out = fence
                .valid_until()
                .filter(|_| !st.lost && lease.remote.is_some());
            tokio::select! {
                ev = events.recv() => match ev {
                    Some(e) => {
                        let end = matches!(e, RunEvent::Finished(_) | RunEvent::Crashed { .. });
                        if lease.holder.progress.apply(&e) && dirty_at.is_none() {
                            dirty_at = Some(Instant::now());
                        }
                        if end {
                            break;
                        }
                        continue;
                    }
                    None => break,
                },
                _ = fence.wake.notified(), if !st.lost && lease.remote.is_some() => {}
                _ = tokio::time::sleep_until(runs_out.unwrap_or(due)), if runs_out.is_some() => {
                    if fence.expire_if_due() {
                        ran_out(&mut lease, &mut st).await;
                    }
                    continue;
                }
                _ = tokio::time::sleep_until(due) => {}
            }
            dirty_at = None;
            write_local(&lease).await;
            if st.lost || lease.remote.is_none() {
                next_renew = Instant::now() + lease.renew_every;
                continue;
            }
            next_renew = match renew(&mut lease, &mut st).await {
                Ok(()) => Instant::now() + lease.renew_every,
                Err(()) if st.lost => Instant::now() + lease.renew_every,
                Err(()) => Instant::now() + RETRY_RENEW.min(lease.renew_every),
            };
        }
        write_local(&lease).await;
        if !st.lost && lease.remote.is_some() && !fence.expire_if_due() {
            // The last progress (the outcome) for those following, then the release.
            let _ = renew(&mut lease, &mut st).await;
        }
        release(lease, st.taken).await;
        let _ = released.send(());
        // What the run still says after its end is not the lock's business.
        while events.recv().await.is_some() {}
    })
}

async fn write_local(lease: &Lease) {
    let guard = lease.local.clone();
    let h = lease.holder.clone();
    let _ = tokio::task::spawn_blocking(move || guard.write(&h)).await;
}

/// Deletes the item if it is still this run's (`taken`: it is not), then lets this
/// machine's lock go.
async fn release(lease: Lease, taken: bool) {
    if let Some(table) = &lease.remote
        && !taken
    {
        let res = table.release(lease.holder.lease_version).await;
        lease
            .audit
            .write(
                "lock_released",
                json!({"store": "dynamodb", "table": table.label,
                       "error": res.err()}),
            )
            .await;
    }
    let path = lease.local.lock.lock_path.display().to_string();
    drop(lease.local);
    lease
        .audit
        .write("lock_released", json!({"store": "local", "path": path}))
        .await;
}

//! Claiming the lock for a run ([`acquire`]), and keeping it while the run lasts ([`keep`]): a
//! background task fed by the run's events, which writes the run's progress for followers
//! (the holder file, the DynamoDB item), renews the lease, and releases both at the end. It
//! never holds the engine up: the engine only ever asks the [`Fence`], which answers from
//! memory.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::json;
use tokio::sync::mpsc;
use tokio::task::JoinHandle;
use tokio::time::Instant;

use super::dynamo::{ClaimError, Claimed, RenewError, Table};
use super::local::{LocalGuard, LocalLock};
use super::{FENCE_MARGIN, Holder, LEASE, RENEW_EVERY, Refusal};
use crate::runbook::api::{RunContext, RunEvent};
use crate::runbook::audit::AuditLog;

/// Whether the run may still make a change. Open for good under the local lock alone (the
/// operating system holds it for the process); under a DynamoDB lease, open until the lease
/// would expire without a renewal (less a margin), and closed for good once a renewal finds
/// the lease taken over.
#[derive(Debug)]
pub struct Fence {
    state: Mutex<FenceState>,
}

#[derive(Debug)]
struct FenceState {
    valid_until: Option<Instant>,
    lost: Option<String>,
}

impl Fence {
    /// Never closes by itself.
    pub fn open() -> Arc<Fence> {
        Arc::new(Fence {
            state: Mutex::new(FenceState {
                valid_until: None,
                lost: None,
            }),
        })
    }

    /// Open until `t`.
    pub fn until(t: Instant) -> Arc<Fence> {
        let f = Fence::open();
        f.lock().valid_until = Some(t);
        f
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, FenceState> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// `Ok` while the run may make a change; else why not.
    pub fn check(&self) -> Result<(), String> {
        let s = self.lock();
        if let Some(why) = &s.lost {
            return Err(why.clone());
        }
        match s.valid_until {
            Some(t) if Instant::now() >= t => Err(
                "the run lock's lease could not be renewed in time (the coordination table did \
                 not answer): no change is made until it is"
                    .into(),
            ),
            _ => Ok(()),
        }
    }

    /// A renewal begun at `started` succeeded: open until its lease would end. Returns how
    /// late it was, if the fence had already closed.
    pub fn renewed(&self, started: Instant, lease: Duration) -> Option<Duration> {
        let mut s = self.lock();
        let late = s.valid_until.filter(|t| started >= *t).map(|t| started - t);
        s.valid_until = Some(started + lease.saturating_sub(FENCE_MARGIN));
        late
    }

    /// The lease is someone else's now: closed for good.
    pub fn lose(&self, why: String) {
        self.lock().lost.get_or_insert(why);
    }
}

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

/// How many times (100 ms apart) a claim waits for a lock this process is releasing.
const SAME_PROCESS_TRIES: u32 = 50;

/// Whether a backend is the simulator: its runs never call AWS, the coordination table
/// included.
pub fn simulated(ctx: &RunContext) -> bool {
    ctx.backend.mode().starts_with("SIMULATION")
}

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
    let mut lease = Lease {
        holder: me.clone(),
        local,
        remote: None,
        fence: Fence::open(),
        audit: audit.clone(),
        notes: Vec::new(),
        lease: LEASE,
        renew_every: RENEW_EVERY,
    };
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
    let started = Instant::now();
    let claim = table.claim(&me, ctx.lock.take_over.as_deref(), LEASE).await;
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
    lease.fence = Fence::until(started + LEASE.saturating_sub(FENCE_MARGIN));
    lease.remote = Some(table);
    Ok(lease)
}

/// How soon after a change of progress it is written: changes in a burst go in one write.
const COALESCE_LOCAL: Duration = Duration::from_millis(200);
const COALESCE_REMOTE: Duration = Duration::from_secs(1);
/// After a renewal that failed to reach the table, the next try.
const RETRY_RENEW: Duration = Duration::from_secs(2);

/// Keeps the lease until the run is over (a `Finished` or `Crashed` event, or `events`
/// ending), then releases it and says so on `released`: the caller passes the run's last
/// event on only then, so that whoever saw the run end may start the next one at once.
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
        let mut lost = false;
        let mut failing = false;
        loop {
            let due = match dirty_at {
                Some(d) => (d + coalesce).min(next_renew),
                None => next_renew,
            };
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
                    }
                    None => break,
                },
                _ = tokio::time::sleep_until(due) => {
                    dirty_at = None;
                    write_local(&lease).await;
                    if lost || lease.remote.is_none() {
                        next_renew = Instant::now() + lease.renew_every;
                        continue;
                    }
                    match renew(&mut lease, failing).await {
                        Ok(()) => {
                            failing = false;
                            next_renew = Instant::now() + lease.renew_every;
                        }
                        Err(true) => {
                            lost = true;
                            next_renew = Instant::now() + lease.renew_every;
                        }
                        Err(false) => {
                            failing = true;
                            next_renew = Instant::now() + RETRY_RENEW;
                        }
                    }
                }
            }
        }
        write_local(&lease).await;
        if !lost && lease.remote.is_some() {
            // The last progress (the outcome) for those following, then the release.
            let _ = renew(&mut lease, failing).await;
        }
        release(lease, lost).await;
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

/// One renewal. `Err(true)`: the lease is lost; `Err(false)`: the table did not answer
/// (audited once per streak: `failing` says one is under way).
async fn renew(lease: &mut Lease, failing: bool) -> Result<(), bool> {
    let Some(table) = lease.remote.clone() else {
        return Ok(());
    };
    let started = Instant::now();
    match table.renew(&mut lease.holder, lease.lease).await {
        Ok(()) => {
            if let Some(late) = lease.fence.renewed(started, lease.lease) {
                lease
                    .audit
                    .write(
                        "lock_renewed_late",
                        json!({"store": "dynamodb", "table": table.label,
                               "late_by_ms": late.as_millis() as u64,
                               "lease_version": lease.holder.lease_version}),
                    )
                    .await;
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
            lease
                .audit
                .write(
                    "lock_lost",
                    json!({"store": "dynamodb", "table": table.label,
                           "holder": by.as_ref().map(|h| holder_fields(h))}),
                )
                .await;
            Err(true)
        }
        Err(RenewError::Unreachable(_)) if failing => Err(false),
        Err(RenewError::Unreachable(why)) => {
            lease
                .audit
                .write(
                    "lock_renew_failed",
                    json!({"store": "dynamodb", "table": table.label, "reason": why}),
                )
                .await;
            Err(false)
        }
    }
}

async fn release(lease: Lease, lost: bool) {
    if let Some(table) = &lease.remote
        && !lost
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

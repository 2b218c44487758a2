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

use super::dynamo::{ClaimError, Claimed, RenewError, Renewed, Table};
use super::local::{LocalGuard, LocalLock};
use super::{FENCE_MARGIN, Holder, LEASE, RENEW_EVERY, Refusal};
use crate::runbook::api::{RunContext, RunEvent};
use crate::runbook::audit::AuditLog;

/// Whether the run may still make a change, and one that may last how long. Open for good
/// under the local lock alone (the operating system holds it for the process). Under a
/// DynamoDB lease, a call is admitted only if it would end (its own timeout) before the lease
/// as this holder knows it (from the start of its last successful renewal, less a margin);
/// a longer call asks the keeper for a longer lease first. Closed for good once a renewal
/// finds the lease taken over, once the lease runs out without a renewal, or once whether it
/// is still ours cannot be told before it would run out.
#[derive(Debug)]
pub struct Fence {
    state: Mutex<FenceState>,
    /// Bumped whenever the lease is renewed or lost: callers waiting for a longer lease.
    changed: tokio::sync::watch::Sender<u64>,
    /// Wakes the keeper: a call needs a longer lease than the fence allows now.
    pub(super) wake: tokio::sync::Notify,
}

#[derive(Debug)]
struct FenceState {
    valid_until: Option<Instant>,
    lost: Option<String>,
    /// The latest end of a call admitted or asking to be: every renewal reaches past it.
    wanted: Option<Instant>,
    /// How long before the lease's end the fence closes (clocks that drift a little).
    margin: Duration,
}

/// Why the fence does not admit a call now.
#[derive(Debug, Clone, PartialEq)]
pub enum Closed {
    /// For good: the lease is lost, ran out, or cannot be told to be ours.
    Lost(String),
    /// The lease, as known here, ends in `left`: too soon for the call.
    Short { left: Duration },
}

/// Longest a call waits for the keeper to extend the lease it needs.
pub const EXTEND_WITHIN: Duration = Duration::from_secs(10);

impl Fence {
    /// Never closes by itself.
    pub fn open() -> Arc<Fence> {
        Arc::new(Fence {
            state: Mutex::new(FenceState {
                valid_until: None,
                lost: None,
                wanted: None,
                margin: FENCE_MARGIN,
            }),
            changed: tokio::sync::watch::Sender::new(0),
            wake: tokio::sync::Notify::new(),
        })
    }

    /// Open until `t` (a lease that ends at `t` plus `margin`).
    pub fn until(t: Instant, margin: Duration) -> Arc<Fence> {
        let f = Fence::open();
        {
            let mut s = f.lock();
            s.valid_until = Some(t);
            s.margin = margin;
        }
        f
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, FenceState> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn ran_out() -> String {
        "the run lock's lease ran out without a renewal (the coordination table did not \
         answer): this run makes no more changes; resume it once the table answers (another \
         operator may take the lease over meanwhile)"
            .into()
    }

    /// Whether a call that may last `limit` may be made now. Admitting it makes every later
    /// renewal reach past its end.
    pub fn try_admit(&self, limit: Duration) -> Result<(), Closed> {
        let mut s = self.lock();
        if let Some(why) = &s.lost {
            return Err(Closed::Lost(why.clone()));
        }
        let Some(t) = s.valid_until else {
            return Ok(());
        };
        let now = Instant::now();
        if now >= t {
            let why = Self::ran_out();
            s.lost = Some(why.clone());
            drop(s);
            self.changed.send_modify(|g| *g += 1);
            return Err(Closed::Lost(why));
        }
        let end = now + limit;
        if end > t {
            return Err(Closed::Short { left: t - now });
        }
        s.wanted = Some(s.wanted.map_or(end, |w| w.max(end)));
        Ok(())
    }

    /// `Ok` while the run may make an instant change; else why not.
    pub fn check(&self) -> Result<(), String> {
        match self.try_admit(Duration::ZERO) {
            Ok(()) => Ok(()),
            Err(Closed::Lost(why)) => Err(why),
            Err(Closed::Short { .. }) => Err(Self::ran_out()),
        }
    }

    /// Admits a call that may last `limit`: at once when the lease covers it, else after the
    /// keeper has extended the lease (waiting at most [`EXTEND_WITHIN`]). `Err`: why the call
    /// must not be sent.
    pub async fn admit(&self, limit: Duration) -> Result<(), String> {
        let mut seen = self.changed.subscribe();
        let deadline = Instant::now() + EXTEND_WITHIN;
        loop {
            let left = match self.try_admit(limit) {
                Ok(()) => return Ok(()),
                Err(Closed::Lost(why)) => return Err(why),
                Err(Closed::Short { left }) => left,
            };
            let now = Instant::now();
            if now >= deadline {
                return Err(format!(
                    "this call may last up to {}, and the run lock's lease is known for {} \
                     more: it could not be extended in time (the coordination table did not \
                     answer), so the call was not sent",
                    humantime::format_duration(round(limit)),
                    humantime::format_duration(round(left))
                ));
            }
            {
                let mut s = self.lock();
                let end = now + limit;
                s.wanted = Some(s.wanted.map_or(end, |w| w.max(end)));
            }
            self.wake.notify_one();
            // Past `left` the fence is closed: the next look says so.
            let wait_until = deadline.min(now + left);
            tokio::select! {
                _ = seen.changed() => {}
                _ = tokio::time::sleep_until(wait_until) => {}
            }
        }
    }

    /// How long a renewal begun at `started` must make the lease: `base`, or longer to cover
    /// every call admitted (or asking) with the margin.
    pub fn lease_for(&self, started: Instant, base: Duration) -> Duration {
        let s = self.lock();
        let need = s
            .wanted
            .map(|w| w.saturating_duration_since(started) + s.margin + Duration::from_secs(1))
            .unwrap_or_default();
        base.max(need)
    }

    /// A renewal begun at `started` succeeded with a lease of `lease`: open until it would end
    /// (less the margin). Returns how late it was, if the lease had already run out here: the
    /// fence then stays closed (calls may have been refused, the run stopping).
    pub fn renewed(&self, started: Instant, lease: Duration) -> Option<Duration> {
        let mut s = self.lock();
        if s.lost.is_some() {
            return None;
        }
        let now = Instant::now();
        if let Some(t) = s.valid_until.filter(|t| now >= *t) {
            s.lost = Some(Self::ran_out());
            drop(s);
            self.changed.send_modify(|g| *g += 1);
            return Some(now - t);
        }
        let until = started + lease.saturating_sub(s.margin);
        s.valid_until = Some(s.valid_until.map_or(until, |t| t.max(until)));
        drop(s);
        self.changed.send_modify(|g| *g += 1);
        None
    }

    /// Closes the fence for good once the lease has run out here; returns whether it is closed.
    pub fn expire_if_due(&self) -> bool {
        matches!(self.try_admit(Duration::ZERO), Err(Closed::Lost(_)))
    }

    /// When the lease, as known here, closes the fence (`None`: never, or already lost).
    pub fn valid_until(&self) -> Option<Instant> {
        let s = self.lock();
        s.valid_until.filter(|_| s.lost.is_none())
    }

    /// The lease is someone else's now (or cannot be told to be ours): closed for good.
    pub fn lose(&self, why: String) {
        self.lock().lost.get_or_insert(why);
        self.changed.send_modify(|g| *g += 1);
    }

    /// Whether it is closed for good.
    pub fn is_lost(&self) -> bool {
        self.lock().lost.is_some()
    }
}

/// A duration to the second, for messages.
fn round(d: Duration) -> Duration {
    Duration::from_secs(d.as_secs())
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

/// The fence's margin for a lease of `length`: [`FENCE_MARGIN`], or a tenth of a short lease.
pub fn margin_of(length: Duration) -> Duration {
    FENCE_MARGIN.min(length / 10)
}

/// How many times (100 ms apart) a claim waits for a lock this process is releasing.
const SAME_PROCESS_TRIES: u32 = 50;

/// Whether a backend is the simulator: its runs never call AWS, the coordination table
/// included.
pub fn simulated(ctx: &RunContext) -> bool {
    ctx.backend.mode().is_simulation()
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

/// What the keeper knows of its renewals.
#[derive(Debug, Default)]
struct Renewal {
    /// The lease is closed for good (taken over, ran out, or unresolved).
    lost: bool,
    /// Someone else holds it: nothing to release.
    taken: bool,
    /// A renewal failed without an answer and is being retried (audited once per streak).
    failing: bool,
    /// The start and lease of the first renewal whose answer was lost: a later look may find
    /// it applied, and the lease then counts from its start.
    unanswered: Option<(Instant, Duration)>,
}

async fn ran_out(lease: &mut Lease, st: &mut Renewal) {
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

async fn write_local(lease: &Lease) {
    let guard = lease.local.clone();
    let h = lease.holder.clone();
    let _ = tokio::task::spawn_blocking(move || guard.write(&h)).await;
}

/// One renewal, its lease long enough for every call admitted. `Err(())`: not renewed;
/// `st.lost` says whether for good.
async fn renew(lease: &mut Lease, st: &mut Renewal) -> Result<(), ()> {
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

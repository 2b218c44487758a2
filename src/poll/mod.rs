//! Pollers: one tokio task per region (and one for Route 53). All of a cycle's reads go out
//! together; at most one cycle per scope is in flight, so a slow region's ticks coalesce
//! instead of piling up; a cycle that outlives the timeout reports the region unreachable;
//! a region that keeps failing is retried with exponential backoff. Each region's cycle also
//! asks who its credentials are (the backend reads that once, and again after they failed).

mod feed;
pub mod fleet;

use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::sync::{Notify, mpsc, watch};

use crate::backend::{Backend, BackendError, ErrorKind};
use crate::model::{GlobalReading, Identity, RegionReading, Scope, Side};
pub use feed::{Feed, FeedState};

#[derive(Debug, Clone)]
pub enum Reading {
    Region(Box<RegionReading>),
    Global(GlobalReading),
}

/// What a poller reports to the app.
#[derive(Debug, Clone)]
pub enum PollEvent {
    Started {
        scope: Scope,
        at: Instant,
    },
    Finished {
        scope: Scope,
        at: Instant,
        result: Result<Reading, BackendError>,
    },
    /// Who a region's credentials are, read beside its cycle.
    Identity {
        side: Side,
        result: Result<Identity, BackendError>,
    },
}

#[derive(Debug, Clone, Copy)]
pub struct PollSettings {
    pub interval: Duration,
    pub timeout: Duration,
    /// Longest wait between attempts while a region errors.
    pub max_backoff: Duration,
}

impl PollSettings {
    pub fn new(interval: Duration, timeout: Duration) -> PollSettings {
        PollSettings {
            interval,
            timeout,
            max_backoff: Duration::from_secs(60).max(interval),
        }
    }

    /// Delay before the next attempt after `failures` consecutive failed cycles.
    pub fn delay_after(&self, failures: u32) -> Duration {
        if failures == 0 {
            return self.interval;
        }
        let factor = 1u32 << failures.min(6);
        (self.interval * factor).min(self.max_backoff)
    }
}

/// Handles shared with the app: refresh now, and pause/resume.
#[derive(Clone)]
pub struct PollControl {
    refresh: Arc<Notify>,
    paused: watch::Sender<bool>,
}

impl Default for PollControl {
    fn default() -> Self {
        PollControl {
            refresh: Arc::new(Notify::new()),
            paused: watch::channel(false).0,
        }
    }
}

impl PollControl {
    pub fn refresh_now(&self) {
        self.refresh.notify_waiters();
    }
    pub fn set_paused(&self, paused: bool) {
        self.paused.send_replace(paused);
    }
    pub fn is_paused(&self) -> bool {
        *self.paused.borrow()
    }
}

/// Whether AWS throttled a cycle's reading, whole or in a part: the region is busy, not
/// unreachable, and its poller backs off while it lasts.
pub fn is_throttled(result: &Result<Reading, BackendError>) -> bool {
    match result {
        Err(e) => e.kind == ErrorKind::Throttled,
        Ok(Reading::Region(r)) => r.throttled_part().is_some(),
        Ok(Reading::Global(_)) => false,
    }
}

/// Puts a region's cycle result into its feed: a reading with throttled parts keeps what
/// answered and marks the region throttled; a reading refused whole as throttled keeps the
/// last good data; any other failure is the region's error.
pub fn apply_region(
    feed: &mut Feed<RegionReading>,
    result: Result<Reading, BackendError>,
    at: Instant,
) {
    match result {
        Ok(Reading::Region(r)) if r.throttled_part().is_some() => feed.succeeded_throttled(*r, at),
        Ok(Reading::Region(r)) => feed.succeeded(*r, at),
        Ok(Reading::Global(_)) => feed.failed("reading of the wrong kind".into(), at),
        Err(e) if e.kind == ErrorKind::Throttled => feed.throttled(e.to_string(), at),
        Err(e) => feed.failed(e.to_string(), at),
    }
}

/// Puts the Route 53 cycle result into its feed, as [`apply_region`] does a region's.
pub fn apply_global(
    feed: &mut Feed<GlobalReading>,
    result: Result<Reading, BackendError>,
    at: Instant,
) {
    match result {
        Ok(Reading::Global(g)) => feed.succeeded(g, at),
        Ok(Reading::Region(_)) => feed.failed("reading of the wrong kind".into(), at),
        Err(e) if e.kind == ErrorKind::Throttled => feed.throttled(e.to_string(), at),
        Err(e) => feed.failed(e.to_string(), at),
    }
}

/// Reads one scope once, bounded by `timeout`.
pub async fn read_once(
    backend: &dyn Backend,
    scope: Scope,
    timeout: Duration,
) -> Result<Reading, BackendError> {
    let read = async {
        match scope {
            Scope::Region(side) => backend
                .read_region(side)
                .await
                .map(|r| Reading::Region(Box::new(r))),
            Scope::Global => backend.read_global().await.map(Reading::Global),
        }
    };
    bounded(timeout, &scope.to_string(), "poll", read).await
}

/// Reads who a side's credentials are, bounded by `timeout`.
pub async fn identity_once(
    backend: &dyn Backend,
    side: Side,
    timeout: Duration,
) -> Result<Identity, BackendError> {
    bounded(
        timeout,
        &side.to_string(),
        "sts:GetCallerIdentity",
        backend.identity(side),
    )
    .await
}

/// A read that does not answer within `timeout` is an unreachable region's.
async fn bounded<T>(
    timeout: Duration,
    region: &str,
    operation: &str,
    read: impl std::future::Future<Output = Result<T, BackendError>>,
) -> Result<T, BackendError> {
    match tokio::time::timeout(timeout, read).await {
        Ok(result) => result,
        Err(_) => Err(BackendError::new(
            ErrorKind::Unreachable,
            region,
            operation,
            "",
            format!("no answer within {}", humantime::format_duration(timeout)),
        )),
    }
}

/// Starts the three pollers. They stop when the receiver of `tx` is dropped.
pub fn spawn_all(
    backend: Arc<dyn Backend>,
    settings: PollSettings,
    control: PollControl,
    tx: mpsc::UnboundedSender<PollEvent>,
) {
    for scope in [
        Scope::Region(Side::Primary),
        Scope::Region(Side::Standby),
        Scope::Global,
    ] {
        tokio::spawn(run(
            backend.clone(),
            scope,
            settings,
            control.clone(),
            tx.clone(),
        ));
    }
}

/// One scope's poll loop. The cycle is awaited inside the loop, so there is never more than
/// one in flight and ticks that fall due while it runs merge into the next cycle.
pub async fn run(
    backend: Arc<dyn Backend>,
    scope: Scope,
    settings: PollSettings,
    control: PollControl,
    tx: mpsc::UnboundedSender<PollEvent>,
) {
    let mut failures = 0u32;
    let mut paused = control.paused.subscribe();
    loop {
        if !*paused.borrow_and_update() {
            let started = Instant::now();
            if tx.send(PollEvent::Started { scope, at: started }).is_err() {
                return;
            }
            let identity = async {
                match scope {
                    Scope::Region(side) => Some((
                        side,
                        identity_once(backend.as_ref(), side, settings.timeout).await,
                    )),
                    Scope::Global => None,
                }
            };
            let (result, identity) = tokio::join!(
                read_once(backend.as_ref(), scope, settings.timeout),
                identity
            );
            // A throttled reading backs off as a failed one does: polling on at the same
            // pace would only prolong AWS's refusal.
            failures = if result.is_ok() && !is_throttled(&result) {
                0
            } else {
                failures + 1
            };
            let event = PollEvent::Finished {
                scope,
                at: Instant::now(),
                result,
            };
            if tx.send(event).is_err() {
                return;
            }
            if let Some((side, result)) = identity
                && tx.send(PollEvent::Identity { side, result }).is_err()
            {
                return;
            }
        }
        let delay = settings.delay_after(failures);
        tokio::select! {
            _ = tokio::time::sleep(delay) => {}
            _ = control.refresh.notified() => { failures = 0; }
            changed = paused.changed() => {
                if changed.is_err() { return; }
            }
        }
        if tx.is_closed() {
            return;
        }
    }
}

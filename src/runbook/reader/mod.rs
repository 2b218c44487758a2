//! Reads and calls through the backend with the estate's call timeout: a dark region's calls
//! may never return, so nothing here waits without a bound.
//!
//! Retries: a read that AWS throttles is retried, backing off (0.5 s doubling up to
//! [`MAX_BACKOFF`]), for as long as the throttling lasts, up to [`THROTTLE_PATIENCE`]: in a
//! Region-wide event AWS throttles for minutes, and a region that throttles is busy, not
//! unreachable. The run's log says when a region starts and stops throttling it. A change is
//! retried only when AWS answered that it was throttled, which is a refusal (nothing was
//! applied), and never when it is irreversible; it is never resent blind: what it changes is
//! read again (fresh, backing off while that read is throttled too) before it is sent again.
//! Any other failure of a change is returned at once, marked [`ActError::maybe_applied`] when
//! AWS did not say it refused (no answer in time, connection lost, a server error): the engine
//! then reads AWS again before anything is repeated.
//!
//! Reads go through a cache shared by the run's steps (see [`cache`]): each step asks for the
//! parts it plans or verifies from, and steps asking in the same tick share one read. A region
//! the runbook does not touch (no step acts or requires anything there — the failed primary,
//! in a failover) is never called: what is said about it comes from the console's last poll or
//! an earlier reading, with its age.

mod cache;
mod predict;

pub use cache::{Polled, Readings};

use std::sync::Arc;
use std::time::Duration;

use super::error::StepError;
use crate::backend::{Action, ActionOutcome, Backend, BackendError, EndpointStore, ErrorKind};
use crate::config::Estate;
use crate::model::{GlobalReading, Parts, RegionReading, Side};

/// How engine durations map to the clock tokio sleeps on: 1 in production; a simulator running
/// `speed` times faster than real time is driven with `scale = speed`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Pace {
    pub scale: f64,
}

impl Pace {
    pub const REAL: Pace = Pace { scale: 1.0 };
    /// The tokio duration of an estate-time duration.
    pub fn wall(&self, d: Duration) -> Duration {
        d.div_f64(self.scale.max(1e-6))
    }
    /// The estate-time duration of a tokio duration.
    pub fn estate(&self, d: Duration) -> Duration {
        d.mul_f64(self.scale.max(1e-6))
    }
}

#[derive(Clone)]
pub struct Reader {
    pub backend: Arc<dyn Backend>,
    pub estate: Arc<Estate>,
    pub pace: Pace,
    pub readings: Arc<Readings>,
    /// The regions the run may call (primary, standby).
    touches: [bool; 2],
    /// Asked before every change: closed once the run lock is no longer surely held.
    fence: Option<Arc<crate::runbook::lock::Fence>>,
    /// Told when a scope starts and stops throttling the run's calls (the run's log).
    on_throttle: Option<Arc<dyn Fn(Throttle) + Send + Sync>>,
    /// Since when each scope (primary, standby, Route 53) has been throttling, if it is.
    throttled: Arc<std::sync::Mutex<[Option<tokio::time::Instant>; 3]>>,
}

/// A scope's throttling began or ended, for the run's log.
#[derive(Debug, Clone, PartialEq)]
pub enum Throttle {
    /// `region` (e.g. `us-west-2 (standby)`, or `route53`) throttles the calls: they back off.
    Began { region: String, call: String },
    /// It answers again, after throttling for `after`.
    Ended { region: String, after: Duration },
}

impl std::fmt::Display for Throttle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Throttle::Began { region, call } => write!(
                f,
                "{region} is throttling ({call} answered Throttling): backing off and retrying; \
                 the region is busy, not unreachable, and no change is sent before a fresh read"
            ),
            Throttle::Ended { region, after } => write!(
                f,
                "{region} answers again after throttling for {}",
                crate::timefmt::secs(after.as_secs())
            ),
        }
    }
}

/// The newest reading of a region the run does not call, and how old it is.
#[derive(Debug, Clone)]
pub struct Known {
    pub age: Duration,
    pub reading: Result<RegionReading, String>,
}

/// How long a throttled read (or a throttled reversible change) keeps being retried, in
/// estate time, before its error is returned.
pub const THROTTLE_PATIENCE: Duration = Duration::from_secs(5 * 60);
/// The longest wait between two attempts of a throttled call.
pub const MAX_BACKOFF: Duration = Duration::from_secs(8);

/// The wait before attempt `attempt + 1` of a throttled call: 0.5 s doubling, capped.
pub fn backoff(attempt: u32) -> Duration {
    Duration::from_millis(500u64.saturating_mul(1 << attempt.saturating_sub(1).min(10)))
        .min(MAX_BACKOFF)
}

/// Why a change failed, and whether it may have been applied all the same.
#[derive(Debug, Clone)]
pub struct ActError {
    pub error: StepError,
    /// AWS did not say it refused the call: it may have been applied.
    pub maybe_applied: bool,
}

/// The first part of a reading that AWS answered throttled.
fn throttled_section(r: &RegionReading) -> Option<&crate::model::SectionError> {
    fn t<T>(s: &crate::model::Section<T>) -> Option<&crate::model::SectionError> {
        s.as_ref().err().filter(|e| e.kind == ErrorKind::Throttled)
    }
    r.database
        .as_ref()
        .and_then(t)
        .or_else(|| t(&r.services))
        .or_else(|| t(&r.asgs))
        .or_else(|| t(&r.target_groups))
        .or_else(|| t(&r.alarms))
        .or_else(|| r.replicated.as_ref().and_then(t))
}

/// The slot of a scope (a region, or Route 53 when `None`) in per-scope tables.
fn scope_index(side: Option<Side>) -> usize {
    side.map_or(2, cache::index)
}

/// Whether a failed change may have been applied: true unless AWS answered with an error that
/// refuses the call (throttling, access, credentials, a missing resource, a client error
/// carrying its code). Decided on the error's kind and whether AWS gave a code, never on text.
pub fn may_have_applied(e: &BackendError) -> bool {
    match e.kind {
        ErrorKind::Throttled
        | ErrorKind::AccessDenied
        | ErrorKind::Credentials
        | ErrorKind::NotFound => false,
        ErrorKind::Unreachable | ErrorKind::ServerSide => true,
        ErrorKind::Other => e.code.is_none(),
    }
}

impl Reader {
    pub fn new(
        backend: Arc<dyn Backend>,
        estate: Arc<Estate>,
        pace: Pace,
        readings: Arc<Readings>,
    ) -> Reader {
        Reader {
            backend,
            estate,
            pace,
            readings,
            touches: [true, true],
            fence: None,
            on_throttle: None,
            throttled: Arc::new(std::sync::Mutex::new([None; 3])),
        }
    }

    /// `report` is told when a region starts and stops throttling the run's calls.
    pub fn reporting_throttles(mut self, report: Arc<dyn Fn(Throttle) + Send + Sync>) -> Reader {
        self.on_throttle = Some(report);
        self
    }

    /// Whether `side` (`None`: Route 53) is throttling the run's calls now.
    pub fn is_throttled(&self, side: Option<Side>) -> bool {
        self.throttled
            .lock()
            .map(|t| t[scope_index(side)].is_some())
            .unwrap_or(false)
    }

    /// Notes that a call to `side` was throttled (`Some(call)`) or answered (`None`), and
    /// reports the start or the end of a throttling episode.
    fn note_throttle(&self, side: Option<Side>, call: Option<&str>) {
        let now = tokio::time::Instant::now();
        let ended = {
            let Ok(mut t) = self.throttled.lock() else {
                return;
            };
            let slot = &mut t[scope_index(side)];
            match (call, *slot) {
                (Some(_), None) => {
                    *slot = Some(now);
                    None
                }
                (None, Some(since)) => {
                    *slot = None;
                    Some(now - since)
                }
                _ => return,
            }
        };
        let region = side
            .map(|s| self.region_label(s))
            .unwrap_or_else(|| "route53".into());
        let note = match (call, ended) {
            (_, Some(after)) => Throttle::Ended {
                region,
                after: self.pace.estate(after),
            },
            (call, None) => Throttle::Began {
                region,
                call: call.unwrap_or_default().to_string(),
            },
        };
        if let Some(report) = &self.on_throttle {
            report(note);
        }
    }

    /// Only the regions in `sides` are called from now on.
    pub fn touching(mut self, sides: &[Side]) -> Reader {
        self.touches = Side::BOTH.map(|s| sides.contains(&s));
        self
    }

    /// Every change asks `fence` first (the run lock's lease).
    pub fn fenced(mut self, fence: Option<Arc<crate::runbook::lock::Fence>>) -> Reader {
        self.fence = fence;
        self
    }

    pub fn touches(&self, side: Side) -> bool {
        self.touches[cache::index(side)]
    }

    /// How long one read serves every step that asks for it: a tick, at most a second.
    fn window(&self) -> Duration {
        self.pace
            .wall(self.estate.poll_interval().min(Duration::from_secs(1)))
    }

    /// The start of the tick: what was read or failed before it is not fresh.
    fn tick_start(&self) -> tokio::time::Instant {
        let now = tokio::time::Instant::now();
        now.checked_sub(self.window()).unwrap_or(now)
    }

    /// Whether a read of `part` that began at `taken` is fresh: in this tick, and begun
    /// after the last change to it was answered.
    fn fresh(&self, scope: Option<Side>, part: Parts, taken: cache::Stamp) -> bool {
        taken.at >= self.tick_start()
            && self
                .readings
                .last_change(scope, part)
                .is_none_or(|c| taken.seq > c.seq)
    }

    fn call_timeout(&self) -> Duration {
        self.pace.wall(self.estate.call_timeout.0)
    }

    fn region_label(&self, side: Side) -> String {
        format!("{} ({side})", self.estate.region(side).region)
    }

    /// Runs one backend read with the timeout; throttling is retried, backing off, while it
    /// lasts (up to [`THROTTLE_PATIENCE`]).
    pub async fn call<T, F, Fut>(
        &self,
        side: Option<Side>,
        what: &str,
        f: F,
    ) -> Result<T, BackendError>
    where
        F: Fn() -> Fut,
        Fut: std::future::Future<Output = Result<T, BackendError>>,
    {
        self.call_with(side, what, true, self.call_timeout(), f)
            .await
    }

    /// Runs one backend call with the timeout; while it is throttled, and `patient`, it is
    /// tried again after a backoff, up to [`THROTTLE_PATIENCE`].
    async fn call_with<T, F, Fut>(
        &self,
        side: Option<Side>,
        what: &str,
        patient: bool,
        limit: Duration,
        f: F,
    ) -> Result<T, BackendError>
    where
        F: Fn() -> Fut,
        Fut: std::future::Future<Output = Result<T, BackendError>>,
    {
        let began = tokio::time::Instant::now();
        let patience = self.pace.wall(THROTTLE_PATIENCE);
        let mut attempt = 0;
        loop {
            attempt += 1;
            let region = side
                .map(|s| self.region_label(s))
                .unwrap_or_else(|| "route53".into());
            let result = match tokio::time::timeout(limit, f()).await {
                Ok(r) => r,
                Err(_) => Err(BackendError::new(
                    ErrorKind::Unreachable,
                    &region,
                    what,
                    "",
                    format!(
                        "no answer within {}",
                        humantime::format_duration(if limit == self.call_timeout() {
                            self.estate.call_timeout.0
                        } else {
                            self.pace.estate(limit)
                        })
                    ),
                )),
            };
            match result {
                Err(e) if e.kind == ErrorKind::Throttled => {
                    self.note_throttle(side, Some(what));
                    if !patient || began.elapsed() >= patience {
                        return Err(e);
                    }
                    tokio::time::sleep(self.pace.wall(backoff(attempt))).await;
                }
                other => {
                    if other.is_ok() {
                        self.note_throttle(side, None);
                    }
                    return other;
                }
            }
        }
    }

    /// Every part of a region, read now (or in this tick).
    pub async fn region(&self, side: Side) -> Result<RegionReading, StepError> {
        self.read(side, Parts::REGION).await
    }

    /// `parts` of a region as they are now: read unless another step read them in this tick
    /// (and nothing changed there since). Only those parts are in the answer. A region the
    /// run does not touch is not called: its newest known reading answers.
    pub async fn read(&self, side: Side, parts: Parts) -> Result<RegionReading, StepError> {
        if !self.touches(side) {
            return self.known_only(side, parts);
        }
        let b = self.backend.clone();
        let slot = &self.readings.sides[cache::index(side)];
        let label = self.region_label(side);
        let read = self
            .through_cache(
                Some(side),
                slot,
                parts.normalized(),
                "describe",
                |missing| {
                    let b = b.clone();
                    let label = label.clone();
                    async move {
                        let r = b.read_parts(side, missing).await?;
                        // A part AWS throttled is the read throttled: backed off and read
                        // again while it lasts, never taken as the state.
                        match throttled_section(&r) {
                            Some(e) => Err(BackendError::new(
                                ErrorKind::Throttled,
                                &label,
                                "describe",
                                "",
                                e.message.clone(),
                            )),
                            None => Ok(r),
                        }
                    }
                },
            )
            .await?;
        Ok(read.unwrap_or_else(|| RegionReading::unread(false)))
    }

    /// `parts` of one scope (a region, or Route 53 when `None`) through the run's shared
    /// cache: what is missing or stale in this tick is fetched with `fetch` and stored; a
    /// failure is shared for the tick; a predicted part is answered by its prediction.
    async fn through_cache<R, F, Fut>(
        &self,
        scope: Option<Side>,
        slot: &tokio::sync::Mutex<cache::Slot<R>>,
        parts: Parts,
        what: &str,
        fetch: F,
    ) -> Result<Option<R>, StepError>
    where
        R: cache::Partial,
        F: Fn(Parts) -> Fut,
        Fut: std::future::Future<Output = Result<R, BackendError>>,
    {
        let mut slot = slot.lock().await;
        if let Some(e) = slot.failed_since(self.tick_start()) {
            return Err(StepError::call(scope, e.clone()));
        }
        // The lag is read with its database: a stale lag re-reads both. A predicted part is
        // not read again: the prediction is the state asked about.
        let predicted = self.readings.predicted_parts(scope);
        if parts.intersects(predicted) {
            self.readings.note_prediction_used();
        }
        let missing = slot
            .missing(parts.minus(predicted), |p, t| self.fresh(scope, p, t))
            .normalized()
            .minus(predicted);
        if !missing.is_empty() {
            let began = self.readings.stamp();
            match self.call(scope, what, || fetch(missing)).await {
                Ok(r) => slot.store(r, missing, began),
                Err(e) => {
                    slot.fail(e.clone());
                    return Err(StepError::call(scope, e));
                }
            }
        }
        Ok(slot.view(parts))
    }

    /// What is known of a region without calling it: the newer of the console's last poll
    /// and this run's own reads.
    pub fn known(&self, side: Side) -> Option<Known> {
        let now = tokio::time::Instant::now();
        let own = self.readings.sides[cache::index(side)]
            .try_lock()
            .ok()
            .and_then(|s| s.newest());
        let polled = self.readings.polled(side);
        let own = own.map(|(r, at)| Polled { at, reading: Ok(r) });
        let newest = match (own, polled) {
            (Some(o), Some(p)) => Some(if p.at > o.at { p } else { o }),
            (o, p) => o.or(p),
        }?;
        Some(Known {
            age: now - newest.at,
            reading: newest.reading,
        })
    }

    /// What is known of Route 53 from this run's own reads, without calling it.
    pub fn known_global(&self) -> Option<GlobalReading> {
        self.readings
            .global
            .try_lock()
            .ok()
            .and_then(|s| s.newest())
            .map(|(r, _)| r)
    }

    fn known_only(&self, side: Side, parts: Parts) -> Result<RegionReading, StepError> {
        let untouched =
            format!("the {side} region is not called by this runbook (no step acts there)");
        match self.known(side) {
            None => Err(StepError::missing(format!(
                "{untouched}, and it has not been read"
            ))),
            Some(Known {
                reading: Err(e),
                age,
            }) => Err(StepError::missing(format!(
                "{untouched}; last poll {} ago: {e}",
                crate::timefmt::secs(age.as_secs())
            ))),
            Some(Known { reading: Ok(r), .. }) => Ok(cache::Partial::only(&r, parts.normalized())),
        }
    }

    /// All of Route 53, read now (or in this tick).
    pub async fn global(&self) -> Result<GlobalReading, StepError> {
        self.global_parts(Parts::GLOBAL).await
    }

    /// `parts` of Route 53 as they are now, shared within a tick like [`Reader::read`].
    pub async fn global_parts(&self, parts: Parts) -> Result<GlobalReading, StepError> {
        let b = self.backend.clone();
        let slot = &self.readings.global;
        self.through_cache(None, slot, parts, "route53:read", |missing| {
            let b = b.clone();
            async move { b.read_global_parts(missing).await }
        })
        .await?
        .ok_or_else(|| StepError::missing("Route 53 not read"))
    }

    pub async fn endpoint(
        &self,
        side: Side,
        store: &EndpointStore,
    ) -> Result<Option<crate::backend::StoredEndpoint>, StepError> {
        if let Some(v) = self.readings.predicted_endpoint(side, store) {
            self.readings.note_prediction_used();
            // What an earlier step would write: an endpoint, no secret.
            return Ok(Some(crate::backend::StoredEndpoint {
                key: None,
                endpoint: Ok(Some(crate::model::SecretString::from(v))),
                showable: true,
            }));
        }
        let b = self.backend.clone();
        self.call(Some(side), "read endpoint", || {
            let b = b.clone();
            let store = store.clone();
            async move { b.read_endpoint(side, &store).await }
        })
        .await
        .map_err(|e| StepError::call(Some(side), e))
    }

    pub async fn dns_in_sync(&self, change_id: &str) -> Result<bool, StepError> {
        let b = self.backend.clone();
        self.call(None, "route53:GetChange", || {
            let b = b.clone();
            let id = change_id.to_string();
            async move { b.dns_change_in_sync(&id).await }
        })
        .await
        .map_err(|e| StepError::call(None, e))
    }

    /// A dry run's prediction: what `action` would leave is written over what was read, and
    /// later steps are planned on it.
    pub async fn predict(&self, action: &Action) {
        if let Action::WriteEndpoint { side, store, value } = action {
            self.readings.predict_endpoint(*side, store, value);
        }
        for (scope, parts) in action.affects() {
            match scope {
                Some(side) => {
                    let mut slot = self.readings.sides[cache::index(side)].lock().await;
                    if let Some(r) = slot.reading_mut() {
                        predict::region(&self.estate, action, side, r);
                        self.readings.predicted(Some(side), parts);
                    }
                }
                None => {
                    let mut slot = self.readings.global.lock().await;
                    if let Some(g) = slot.reading_mut() {
                        predict::global(&self.estate, action, g);
                        self.readings.predicted(None, parts);
                    }
                }
            }
        }
    }

    /// Forgets what was read (not a dry run's predictions): an operator's retry reads AWS
    /// again, whatever changed meanwhile outside the run.
    pub async fn forget(&self) {
        let now = self.readings.stamp();
        for slot in &self.readings.sides {
            slot.lock().await.forget(now);
        }
        self.readings.global.lock().await.forget(now);
    }

    /// Whether a read since the last call answered with a dry run's prediction.
    pub fn used_prediction(&self) -> bool {
        self.readings.take_prediction_used()
    }

    /// The posture as the run last read it (its verifications), without a call: what the
    /// report states after a run.
    pub fn posture_known(&self) -> crate::posture::Posture {
        let side = |s: Side| self.known(s).and_then(|k| k.reading.ok());
        let global = self
            .readings
            .global
            .try_lock()
            .ok()
            .and_then(|g| g.newest())
            .map(|(g, _)| g);
        crate::posture::posture(
            &self.estate,
            side(Side::Primary).as_ref(),
            side(Side::Standby).as_ref(),
            global.as_ref(),
        )
    }

    /// The estate's posture now: both regions and Route 53 read at once, each bounded by the
    /// call timeout; what does not answer counts as unread.
    pub async fn posture(&self) -> crate::posture::Posture {
        let (p, s, g) = tokio::join!(
            self.read(Side::Primary, Parts::DATABASE),
            self.read(Side::Standby, Parts::DATABASE),
            self.global_parts(Parts::DNS)
        );
        crate::posture::posture(
            &self.estate,
            p.ok().as_ref(),
            s.ok().as_ref(),
            g.ok().as_ref(),
        )
    }

    /// How long `action` may take through [`Reader::act`], on the clock tokio sleeps on.
    pub fn act_limit(&self, action: &Action) -> Duration {
        // A call that lasts as long as what it runs (a Lambda function) has its own bound.
        action
            .call_timeout()
            .map(|t| t.max(self.estate.call_timeout.0))
            .map_or(self.call_timeout(), |t| self.pace.wall(t))
    }

    /// Asks the run lock's fence whether a change that may last `limit` may be made now
    /// (waiting, briefly, for a longer lease when it needs one).
    pub async fn admit(&self, limit: Duration) -> Result<(), StepError> {
        match &self.fence {
            None => Ok(()),
            Some(f) => f.admit(limit).await.map_err(StepError::Fenced),
        }
    }

    /// Reads again, fresh, the parts `action` changes (a region the run does not call
    /// answers with what is known of it). `false` when it changes nothing drconsole reads
    /// (a function, a program): then nothing tells a resend from a blind one.
    async fn read_again(&self, action: &Action) -> Result<bool, StepError> {
        if let Action::WriteEndpoint { side, store, .. } = action {
            self.endpoint(*side, store).await?;
            return Ok(true);
        }
        let affects = action.affects();
        if affects.is_empty() {
            return Ok(false);
        }
        for (scope, parts) in affects {
            self.readings.changed(scope, parts);
            match scope {
                Some(side) => {
                    self.read(side, parts).await?;
                }
                None => {
                    self.global_parts(parts).await?;
                }
            }
        }
        Ok(true)
    }

    /// Makes one change. Retried only while AWS throttles it, and not at all when it is
    /// irreversible; never resent blind: what it changes is read again first. A failure after
    /// which it may have been applied says so. The run lock's fence is asked before the first
    /// sending and again before each resend.
    pub async fn act(&self, action: &Action) -> Result<ActionOutcome, ActError> {
        let b = self.backend.clone();
        let side = action.side();
        // A call that lasts as long as what it runs (a Lambda function) has its own bound.
        let limit = self.act_limit(action);
        let began = tokio::time::Instant::now();
        let mut attempt = 0;
        let result = loop {
            attempt += 1;
            // Asked before each sending: a resend after throttling as much as the first.
            self.admit(limit).await.map_err(|error| ActError {
                error,
                maybe_applied: false,
            })?;
            let sent = self
                .call_with(side, action.api_call(), false, limit, || {
                    let b = b.clone();
                    let a = action.clone();
                    async move { b.act(&a).await }
                })
                .await;
            match sent {
                Err(e)
                    if e.kind == ErrorKind::Throttled
                        && !action.irreversible()
                        && began.elapsed() < self.pace.wall(THROTTLE_PATIENCE) =>
                {
                    // Refused: nothing was applied. Back off, then read what it changes again
                    // (fresh, and patiently while that read is throttled too) before resending.
                    tokio::time::sleep(self.pace.wall(backoff(attempt))).await;
                    match self.read_again(action).await {
                        Ok(true) => {}
                        Ok(false) => break Err(e),
                        Err(error) => {
                            return Err(ActError {
                                error,
                                maybe_applied: false,
                            });
                        }
                    }
                }
                other => break other,
            }
        };
        // Answered or not, what was read of what it changes may be stale now.
        for (scope, parts) in action.affects() {
            self.readings.changed(scope, parts);
        }
        result.map_err(|e| {
            let maybe_applied = may_have_applied(&e);
            let mut e = e;
            if maybe_applied {
                e.message = format!(
                    "{}; the call may have been applied: AWS is read again before it is repeated",
                    e.message
                );
            }
            ActError {
                error: StepError::call(side, e),
                maybe_applied,
            }
        })
    }
}

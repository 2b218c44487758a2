//! Pollers: a hanging region is reported unreachable within the timeout while the other stays
//! fresh, and a slow region's ticks coalesce instead of piling up. Runs on tokio's paused clock.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use async_trait::async_trait;
use drconsole::app::{App, FeedState};
use drconsole::backend::sim::{SimClock, Simulator, built_in_estate};
use drconsole::backend::{Action, ActionOutcome, Backend, BackendError, EndpointStore, ErrorKind};
use drconsole::model::{GlobalReading, RegionReading, Side};
use drconsole::poll::{self, PollControl, PollEvent, PollSettings};
use tokio::sync::mpsc;

/// Wraps the simulator: the primary can be made to take `primary_delay` per read, and the
/// number of reads in flight at once is recorded.
struct Slow {
    inner: Arc<Simulator>,
    primary_delay: Duration,
    in_flight: AtomicUsize,
    max_in_flight: AtomicUsize,
    calls: AtomicUsize,
}

#[async_trait]
impl Backend for Slow {
    fn mode(&self) -> drconsole::backend::BackendMode {
        drconsole::backend::BackendMode::Aws {
            label: "test".into(),
        }
    }
    async fn read_region(&self, side: Side) -> Result<RegionReading, BackendError> {
        if side == Side::Primary {
            self.calls.fetch_add(1, Ordering::SeqCst);
            let now = self.in_flight.fetch_add(1, Ordering::SeqCst) + 1;
            self.max_in_flight.fetch_max(now, Ordering::SeqCst);
            tokio::time::sleep(self.primary_delay).await;
            self.in_flight.fetch_sub(1, Ordering::SeqCst);
        }
        self.inner.read_region(side).await
    }
    async fn read_global(&self) -> Result<GlobalReading, BackendError> {
        self.inner.read_global().await
    }
    async fn act(&self, _: &Action) -> Result<ActionOutcome, BackendError> {
        unreachable!("pollers never act")
    }
    async fn dns_change_in_sync(&self, id: &str) -> Result<bool, BackendError> {
        self.inner.dns_change_in_sync(id).await
    }
    async fn read_endpoint(
        &self,
        s: Side,
        e: &EndpointStore,
    ) -> Result<Option<drconsole::backend::StoredEndpoint>, BackendError> {
        self.inner.read_endpoint(s, e).await
    }
}

fn slow(delay: Duration) -> Arc<Slow> {
    Arc::new(Slow {
        inner: Simulator::new(built_in_estate(), 1, SimClock::manual()),
        primary_delay: delay,
        in_flight: AtomicUsize::new(0),
        max_in_flight: AtomicUsize::new(0),
        calls: AtomicUsize::new(0),
    })
}

#[tokio::test(start_paused = true)]
async fn a_hanging_region_is_unreachable_within_the_timeout_while_the_other_stays_fresh() {
    let backend = slow(Duration::from_secs(3600));
    let settings = PollSettings::new(Duration::from_secs(5), Duration::from_secs(2));
    let (tx, mut rx) = mpsc::unbounded_channel();
    let start = tokio::time::Instant::now();
    poll::spawn_all(backend.clone(), settings, PollControl::default(), tx);
    let mut app = App::new(built_in_estate(), "test".into(), true, Instant::now());
    let mut primary_failed_after = None;
    while primary_failed_after.is_none() {
        let event = rx.recv().await.expect("poll event");
        if let PollEvent::Finished { scope, result, .. } = &event
            && *scope == drconsole::model::Scope::Region(Side::Primary)
        {
            let err = result.as_ref().expect_err("primary hangs");
            assert_eq!(err.kind, ErrorKind::Unreachable);
            primary_failed_after = Some(start.elapsed());
        }
        app.apply_poll(event);
    }
    let waited = primary_failed_after.expect("set");
    assert!(
        waited >= Duration::from_secs(2) && waited < Duration::from_secs(3),
        "{waited:?}"
    );
    app.now = Instant::now();
    assert_eq!(app.state_of(Side::Primary), FeedState::Unreachable);
    assert_eq!(app.state_of(Side::Standby), FeedState::Fresh);
    // The standby keeps being polled on schedule while the primary hangs.
    let mut standby_reads = 0;
    let until = tokio::time::Instant::now() + Duration::from_secs(30);
    while tokio::time::Instant::now() < until {
        match tokio::time::timeout_at(until, rx.recv()).await {
            Ok(Some(PollEvent::Finished {
                scope: drconsole::model::Scope::Region(Side::Standby),
                result,
                ..
            })) => {
                assert!(result.is_ok());
                standby_reads += 1;
            }
            Ok(Some(_)) => {}
            _ => break,
        }
    }
    assert!(
        (5..=7).contains(&standby_reads),
        "{standby_reads} standby reads in 30 s at 5 s"
    );
}

#[tokio::test(start_paused = true)]
async fn slow_cycles_coalesce_ticks_instead_of_piling_up() {
    // Each primary read takes 12 s, more than two 5 s intervals; the timeout is generous.
    let backend = slow(Duration::from_secs(12));
    let settings = PollSettings::new(Duration::from_secs(5), Duration::from_secs(60));
    let (tx, mut rx) = mpsc::unbounded_channel();
    poll::spawn_all(backend.clone(), settings, PollControl::default(), tx);
    let until = tokio::time::Instant::now() + Duration::from_secs(120);
    while tokio::time::timeout_at(until, rx.recv()).await.is_ok() {}
    assert_eq!(
        backend.max_in_flight.load(Ordering::SeqCst),
        1,
        "never two cycles at once"
    );
    // 120 s / (12 s read + 5 s wait) = 7 cycles at most, not 120 / 5 = 24.
    let calls = backend.calls.load(Ordering::SeqCst);
    assert!((6..=8).contains(&calls), "{calls} cycles");
}

#[test]
fn backoff_grows_while_a_region_errors_and_is_capped() {
    let s = PollSettings::new(Duration::from_secs(5), Duration::from_secs(5));
    assert_eq!(s.delay_after(0), Duration::from_secs(5));
    assert_eq!(s.delay_after(1), Duration::from_secs(10));
    assert_eq!(s.delay_after(2), Duration::from_secs(20));
    assert_eq!(s.delay_after(3), Duration::from_secs(40));
    assert_eq!(s.delay_after(9), Duration::from_secs(60));
}

#[tokio::test(start_paused = true)]
async fn refresh_now_starts_a_cycle_without_waiting_for_the_tick() {
    let backend = slow(Duration::ZERO);
    let settings = PollSettings::new(Duration::from_secs(60), Duration::from_secs(5));
    let control = PollControl::default();
    let (tx, mut rx) = mpsc::unbounded_channel();
    poll::spawn_all(backend.clone(), settings, control.clone(), tx);
    // Let the first cycle finish.
    tokio::time::sleep(Duration::from_secs(1)).await;
    while rx.try_recv().is_ok() {}
    let before = backend.calls.load(Ordering::SeqCst);
    control.refresh_now();
    tokio::time::sleep(Duration::from_millis(10)).await;
    assert_eq!(backend.calls.load(Ordering::SeqCst), before + 1);
}

/// Wraps the simulator: the standby's reads can be throttled whole (0), in a part (1), or not
/// (2), as AWS does while it refuses a Region's calls for a while.
struct Throttling {
    inner: Arc<Simulator>,
    mode: AtomicUsize,
    standby_reads: AtomicUsize,
}

const WHOLE: usize = 0;
const PART: usize = 1;
const NONE: usize = 2;

#[async_trait]
impl Backend for Throttling {
    fn mode(&self) -> drconsole::backend::BackendMode {
        drconsole::backend::BackendMode::Aws {
            label: "test".into(),
        }
    }
    async fn read_region(&self, side: Side) -> Result<RegionReading, BackendError> {
        if side == Side::Standby {
            self.standby_reads.fetch_add(1, Ordering::SeqCst);
            let throttled = |op: &str| {
                BackendError::new(
                    ErrorKind::Throttled,
                    "us-west-2 (standby)",
                    op,
                    "",
                    "Rate exceeded",
                )
                .with_code("ThrottlingException")
            };
            match self.mode.load(Ordering::SeqCst) {
                WHOLE => return Err(throttled("rds:DescribeDBInstances")),
                PART => {
                    let mut r = self.inner.read_region(side).await?;
                    let e = throttled("cloudwatch:DescribeAlarms");
                    r.alarms = Err(drconsole::model::SectionError::new(e.kind, e.to_string()));
                    return Ok(r);
                }
                _ => {}
            }
        }
        self.inner.read_region(side).await
    }
    async fn read_global(&self) -> Result<GlobalReading, BackendError> {
        self.inner.read_global().await
    }
    async fn act(&self, _: &Action) -> Result<ActionOutcome, BackendError> {
        unreachable!("pollers never act")
    }
    async fn dns_change_in_sync(&self, id: &str) -> Result<bool, BackendError> {
        self.inner.dns_change_in_sync(id).await
    }
    async fn read_endpoint(
        &self,
        s: Side,
        e: &EndpointStore,
    ) -> Result<Option<drconsole::backend::StoredEndpoint>, BackendError> {
        self.inner.read_endpoint(s, e).await
    }
}

/// Applies events until the standby's next cycle has finished; returns whether it was Ok.
async fn next_standby(app: &mut App, rx: &mut mpsc::UnboundedReceiver<PollEvent>) -> bool {
    loop {
        let event = rx.recv().await.expect("poll event");
        let done = match &event {
            PollEvent::Finished {
                scope: drconsole::model::Scope::Region(Side::Standby),
                result,
                ..
            } => Some(result.is_ok()),
            _ => None,
        };
        app.apply_poll(event);
        if let Some(ok) = done {
            app.now = Instant::now();
            return ok;
        }
    }
}

#[tokio::test(start_paused = true)]
async fn a_throttled_region_is_shown_throttled_keeps_its_last_values_backs_off_and_recovers() {
    let backend = Arc::new(Throttling {
        inner: Simulator::new(built_in_estate(), 1, SimClock::manual()),
        mode: AtomicUsize::new(NONE),
        standby_reads: AtomicUsize::new(0),
    });
    let settings = PollSettings::new(Duration::from_secs(5), Duration::from_secs(2));
    let (tx, mut rx) = mpsc::unbounded_channel();
    poll::spawn_all(backend.clone(), settings, PollControl::default(), tx);
    let mut app = App::new(built_in_estate(), "test".into(), true, Instant::now());

    assert!(next_standby(&mut app, &mut rx).await);
    assert_eq!(app.state_of(Side::Standby), FeedState::Fresh);
    let good = app.region(Side::Standby).data.clone().expect("read");
    let good_at = app.region(Side::Standby).fetched_at.expect("read");

    // Throttled whole: busy, not unreachable; the last good values stay, with their age.
    backend.mode.store(WHOLE, Ordering::SeqCst);
    assert!(!next_standby(&mut app, &mut rx).await);
    assert_eq!(app.state_of(Side::Standby), FeedState::Throttled);
    assert_eq!(app.state_of(Side::Primary), FeedState::Fresh);
    let feed = app.region(Side::Standby);
    assert_eq!(
        format!("{:?}", feed.data.as_ref().expect("kept")),
        format!("{good:?}")
    );
    assert_eq!(feed.fetched_at, Some(good_at));
    // Its age is shown: that of the last good reading (the poller stamps real time).
    assert!(feed.age(app.now).is_some());
    assert!(
        feed.error
            .as_deref()
            .is_some_and(|e| e.contains("Rate exceeded"))
    );

    // While it lasts the poller backs off: in 60 s, far fewer cycles than the 12 of a 5 s poll.
    let before = backend.standby_reads.load(Ordering::SeqCst);
    let until = tokio::time::Instant::now() + Duration::from_secs(60);
    while let Ok(Some(event)) = tokio::time::timeout_at(until, rx.recv()).await {
        app.apply_poll(event);
    }
    let throttled_cycles = backend.standby_reads.load(Ordering::SeqCst) - before;
    assert!(
        (1..=4).contains(&throttled_cycles),
        "{throttled_cycles} standby cycles in 60 s while throttled"
    );
    app.now = Instant::now();
    assert_eq!(app.state_of(Side::Standby), FeedState::Throttled);

    // Throttled in a part: what answered is new, the refused part says why, still throttled.
    backend.mode.store(PART, Ordering::SeqCst);
    assert!(next_standby(&mut app, &mut rx).await);
    assert_eq!(app.state_of(Side::Standby), FeedState::Throttled);
    let feed = app.region(Side::Standby);
    let data = feed.data.as_ref().expect("read");
    assert_eq!(
        data.alarms.as_ref().expect_err("throttled").kind,
        ErrorKind::Throttled
    );
    assert!(data.services.is_ok());

    // AWS answers again: fresh, at the poll's own pace.
    backend.mode.store(NONE, Ordering::SeqCst);
    assert!(next_standby(&mut app, &mut rx).await);
    assert_eq!(app.state_of(Side::Standby), FeedState::Fresh);
    assert!(app.region(Side::Standby).error.is_none());
    let before = backend.standby_reads.load(Ordering::SeqCst);
    let until = tokio::time::Instant::now() + Duration::from_secs(60);
    while let Ok(Some(event)) = tokio::time::timeout_at(until, rx.recv()).await {
        app.apply_poll(event);
    }
    let fresh_cycles = backend.standby_reads.load(Ordering::SeqCst) - before;
    assert!((11..=13).contains(&fresh_cycles), "{fresh_cycles} cycles");
}

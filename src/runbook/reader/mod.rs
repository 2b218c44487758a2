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

mod act;
mod cache;
mod call;
mod known;
mod lookups;
mod predict;
mod read;
mod throttle;

pub use act::{ActError, may_have_applied};
pub use cache::{Polled, Readings};
pub use call::{MAX_BACKOFF, THROTTLE_PATIENCE, backoff};
pub use known::Known;
pub use throttle::Throttle;

use std::sync::Arc;
use std::time::Duration;

use crate::backend::Backend;
use crate::config::Estate;
use crate::model::{Parts, Side};

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
}

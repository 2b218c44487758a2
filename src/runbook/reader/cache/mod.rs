//! What a run has read, shared by all its steps: one read serves every step that asks for the
//! same parts of the same region within one tick, and none is served from before a change.
//!
//! - A part is fresh for a tick (the poll interval, at most a second) after its read began,
//!   and never across a change: a change made in a region (answered or not) makes every
//!   earlier read of that region stale.
//! - A region that failed to answer stays failed for the tick: the steps waiting on it get
//!   the same error at once instead of a timeout each.
//! - Reads of one region are made one at a time, so that steps asking together share one.
//! - The newest reading of each region, of any age, is also what warnings use about a region
//!   the runbook does not touch, beside the console's last poll.

mod partial;
mod predicted;
mod slot;
#[cfg(test)]
mod tests;

pub use partial::Partial;
pub use slot::{Slot, Stamp};

use tokio::sync::Mutex;
use tokio::time::Instant;

use crate::model::{GlobalReading, Parts, RegionReading, Side};
use predicted::Predicted;

/// The console's last poll of a region: what warnings use about a region a run does not
/// touch.
#[derive(Clone)]
pub struct Polled {
    pub at: Instant,
    pub reading: Result<RegionReading, String>,
}

/// Everything a run has read, shared by its steps (and fed the console's polls).
#[derive(Default)]
pub struct Readings {
    pub(super) sides: [Mutex<Slot<RegionReading>>; 2],
    pub(super) global: Mutex<Slot<GlobalReading>>,
    /// When the last change to each part of each region (`None`: Route 53) was answered.
    changed: std::sync::Mutex<Vec<(Option<Side>, Parts, Stamp)>>,
    seq: std::sync::atomic::AtomicU64,
    polled: std::sync::Mutex<[Option<Polled>; 2]>,
    /// A dry run's predictions: parts whose reading is what earlier steps would leave.
    predicted: std::sync::Mutex<Predicted>,
    /// Set when a read answered with a prediction (taken by the engine after each plan).
    used_prediction: std::sync::atomic::AtomicBool,
}

pub(super) fn index(side: Side) -> usize {
    match side {
        Side::Primary => 0,
        Side::Standby => 1,
    }
}

impl Readings {
    /// A cache of its own for a dry run, whose predictions must not reach any other run; it
    /// knows the console's last polls.
    pub fn fork(&self) -> Readings {
        let fork = Readings::default();
        if let (Ok(mine), Ok(mut theirs)) = (self.polled.lock(), fork.polled.lock()) {
            *theirs = mine.clone();
        }
        fork
    }

    /// Remembers the console's newest poll of a region.
    pub fn offer(&self, side: Side, reading: Result<RegionReading, String>) {
        if let Ok(mut p) = self.polled.lock() {
            p[index(side)] = Some(Polled {
                at: Instant::now(),
                reading,
            });
        }
    }

    pub fn polled(&self, side: Side) -> Option<Polled> {
        self.polled.lock().ok()?[index(side)].clone()
    }

    /// A change to `parts` of `side` (Route 53 when `None`) was answered: what was read of
    /// them before is stale.
    pub fn changed(&self, side: Option<Side>, parts: Parts) {
        if let Ok(mut c) = self.changed.lock() {
            // A change it covers is older: forgotten.
            c.retain(|(s, p, _)| !(*s == side && parts.contains(*p)));
            c.push((side, parts, self.stamp()));
        }
    }

    /// When `part` of `side` (Route 53 when `None`) last changed.
    pub fn last_change(&self, side: Option<Side>, part: Parts) -> Option<Stamp> {
        self.changed
            .lock()
            .ok()?
            .iter()
            .filter(|(s, p, _)| *s == side && p.intersects(part))
            .map(|(_, _, t)| *t)
            .max_by_key(|t| t.seq)
    }

    /// Now, in order with every other stamp.
    pub fn stamp(&self) -> Stamp {
        Stamp {
            at: Instant::now(),
            seq: self.seq.fetch_add(1, std::sync::atomic::Ordering::SeqCst),
        }
    }
}

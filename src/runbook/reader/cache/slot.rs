//! What is known of one region (or of Route 53): the reading, when each part of it was read,
//! and the last failure.

use tokio::time::Instant;

use super::Partial;
use crate::backend::BackendError;
use crate::model::Parts;

/// When a read began or a change was answered: the time, for the tick, and a sequence
/// number, for order (two events in the same instant are still ordered).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Stamp {
    pub at: Instant,
    pub seq: u64,
}

/// What is known of one region (or of Route 53).
pub struct Slot<R> {
    reading: Option<R>,
    /// When the read of each part that is in `reading` began.
    taken: Vec<(Parts, Stamp)>,
    failed: Option<(Instant, BackendError)>,
    /// Reads that began before this sequence number are not fresh (an operator's retry).
    stale_before: u64,
}

impl<R> Default for Slot<R> {
    fn default() -> Self {
        Slot {
            reading: None,
            taken: Vec::new(),
            failed: None,
            stale_before: 0,
        }
    }
}

impl<R: Partial> Slot<R> {
    fn taken(&self, part: Parts) -> Option<Stamp> {
        self.taken.iter().find(|(p, _)| *p == part).map(|(_, t)| *t)
    }

    /// The parts of `parts` not read, or whose read `fresh` does not accept.
    pub fn missing(&self, parts: Parts, fresh: impl Fn(Parts, Stamp) -> bool) -> Parts {
        R::EACH
            .iter()
            .filter(|p| parts.contains(**p))
            .filter(|p| {
                self.taken(**p)
                    .is_none_or(|t| t.seq < self.stale_before || !fresh(**p, t))
            })
            .fold(Parts::NONE, |acc, p| acc | *p)
    }

    /// The error of a read that failed since `since`.
    pub fn failed_since(&self, since: Instant) -> Option<&BackendError> {
        self.failed
            .as_ref()
            .filter(|(at, _)| *at >= since)
            .map(|(_, e)| e)
    }

    pub fn view(&self, parts: Parts) -> Option<R> {
        self.reading.as_ref().map(|r| r.only(parts))
    }

    /// The newest reading of every part ever read, and when its oldest part was read.
    pub fn newest(&self) -> Option<(R, Instant)> {
        let oldest = self.taken.iter().map(|(_, t)| t.at).min()?;
        Some((self.reading.clone()?, oldest))
    }

    pub fn store(&mut self, read: R, parts: Parts, began: Stamp) {
        match &mut self.reading {
            Some(r) => r.take(&read, parts),
            None => self.reading = Some(read),
        }
        for p in R::EACH.iter().filter(|p| parts.contains(**p)) {
            self.taken.retain(|(q, _)| q != p);
            self.taken.push((*p, began));
        }
        self.failed = None;
    }

    /// The reading, to write a prediction over (none when nothing was read).
    pub fn reading_mut(&mut self) -> Option<&mut R> {
        self.reading.as_mut()
    }

    /// Nothing read before `now` counts as fresh any more (it is still known).
    pub fn forget(&mut self, now: Stamp) {
        self.stale_before = now.seq;
        self.failed = None;
    }

    pub fn fail(&mut self, e: BackendError) {
        self.failed = Some((Instant::now(), e));
    }
}

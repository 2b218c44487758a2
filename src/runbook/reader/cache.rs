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

use tokio::sync::Mutex;
use tokio::time::Instant;

use crate::backend::BackendError;
use crate::model::{GlobalReading, Parts, RegionReading, SectionError, Side};

/// A reading of part of a region or of Route 53, part by part.
pub trait Partial: Clone {
    const EACH: &'static [Parts];
    /// The parts of `from` named by `parts` replace ours.
    fn take(&mut self, from: &Self, parts: Parts);
    /// Only `parts` of it; the rest not read.
    fn only(&self, parts: Parts) -> Self;
}

fn not_read<T>() -> Result<T, SectionError> {
    Err(SectionError::not_read())
}

impl Partial for RegionReading {
    const EACH: &'static [Parts] = &Parts::REGION_EACH;

    fn take(&mut self, from: &Self, parts: Parts) {
        if parts.contains(Parts::DATABASE) {
            let lag = match &self.database {
                Some(Ok(db)) => Some(db.lag),
                _ => None,
            };
            self.database = from.database.clone();
            // A read without the lag keeps the lag read before.
            if !parts.contains(Parts::LAG)
                && let (Some(Ok(db)), Some(lag)) = (&mut self.database, lag)
            {
                db.lag = lag;
            }
        }
        if parts.contains(Parts::SERVICES) {
            self.services = from.services.clone();
        }
        if parts.contains(Parts::ASGS) {
            self.asgs = from.asgs.clone();
        }
        if parts.contains(Parts::TARGETS) {
            self.target_groups = from.target_groups.clone();
        }
        if parts.contains(Parts::ALARMS) {
            self.alarms = from.alarms.clone();
        }
    }

    fn only(&self, parts: Parts) -> Self {
        let mut r = RegionReading::unread(self.database.is_some());
        r.take(self, parts);
        if !parts.contains(Parts::LAG)
            && let Some(Ok(db)) = &mut r.database
        {
            db.lag = crate::model::Lag::NoData;
        }
        r
    }
}

impl Partial for GlobalReading {
    const EACH: &'static [Parts] = &Parts::GLOBAL_EACH;

    fn take(&mut self, from: &Self, parts: Parts) {
        if parts.contains(Parts::DNS) {
            self.dns = from.dns.clone();
        }
        if parts.contains(Parts::HEALTH_CHECKS) {
            self.health_checks = from.health_checks.clone();
        }
    }

    fn only(&self, parts: Parts) -> Self {
        let mut r = GlobalReading {
            health_checks: not_read(),
            dns: self.dns.as_ref().map(|_| not_read()),
        };
        r.take(self, parts);
        r
    }
}

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

#[derive(Default)]
struct Predicted {
    /// Per region (primary, standby, Route 53).
    parts: [Parts; 3],
    endpoints: Vec<(Side, crate::backend::EndpointStore, String)>,
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

    /// `parts` of `side` (Route 53 when `None`) now hold a prediction.
    pub fn predicted(&self, side: Option<Side>, parts: Parts) {
        if let Ok(mut p) = self.predicted.lock() {
            p.parts[side.map_or(2, index)] |= parts;
        }
    }

    pub fn predicted_parts(&self, side: Option<Side>) -> Parts {
        self.predicted
            .lock()
            .map(|p| p.parts[side.map_or(2, index)])
            .unwrap_or_default()
    }

    pub fn predict_endpoint(&self, side: Side, store: &crate::backend::EndpointStore, v: &str) {
        if let Ok(mut p) = self.predicted.lock() {
            p.endpoints
                .retain(|(s, st, _)| !(*s == side && st == store));
            p.endpoints.push((side, store.clone(), v.to_string()));
        }
    }

    pub fn predicted_endpoint(
        &self,
        side: Side,
        store: &crate::backend::EndpointStore,
    ) -> Option<String> {
        let p = self.predicted.lock().ok()?;
        p.endpoints
            .iter()
            .find(|(s, st, _)| *s == side && st == store)
            .map(|(_, _, v)| v.clone())
    }

    pub fn note_prediction_used(&self) {
        self.used_prediction
            .store(true, std::sync::atomic::Ordering::SeqCst);
    }

    /// Whether a read answered with a prediction since the last time this was asked.
    pub fn take_prediction_used(&self) -> bool {
        self.used_prediction
            .swap(false, std::sync::atomic::Ordering::SeqCst)
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{DbReading, DbRole, Lag};

    fn db(lag: Lag) -> RegionReading {
        let mut r = RegionReading::unread(true);
        r.database = Some(Ok(DbReading {
            id: "orders-db-replica".into(),
            role: DbRole::Replica {
                source: "orders-db".into(),
            },
            status: "available".into(),
            lag,
            endpoint: None,
            engine: None,
            instance_class: None,
            arn: None,
            applied_txn: None,
            pending_resync: false,
            detail: None,
        }));
        r.services = Ok(Vec::new());
        r
    }

    #[test]
    fn a_database_read_without_lag_keeps_the_lag_read_before() {
        let mut slot = Slot::default();
        let readings = Readings::default();
        slot.store(
            db(Lag::Known(12)),
            Parts::DATABASE | Parts::LAG,
            readings.stamp(),
        );
        slot.store(db(Lag::NoData), Parts::DATABASE, readings.stamp());
        let view = slot.view(Parts::DATABASE | Parts::LAG).expect("read");
        assert!(matches!(view.database, Some(Ok(ref d)) if d.lag == Lag::Known(12)));
        // Asked without the lag, a view has none, and no part it was not asked for.
        let view = slot.view(Parts::DATABASE).expect("read");
        assert!(matches!(view.database, Some(Ok(ref d)) if d.lag == Lag::NoData));
        assert_eq!(view.services, Err(SectionError::not_read()));
        assert_eq!(
            slot.missing(Parts::LAG | Parts::DATABASE, |_, _| true),
            Parts::NONE
        );
        assert_eq!(
            slot.missing(Parts::DATABASE | Parts::SERVICES, |_, _| true),
            Parts::SERVICES
        );
        // A change answered after the read began makes it stale, even in the same instant.
        let change = readings.stamp();
        assert_eq!(
            slot.missing(Parts::DATABASE, |_, t| t.seq > change.seq),
            Parts::DATABASE
        );
    }

    #[test]
    fn a_change_makes_only_the_parts_it_changes_stale() {
        let readings = Readings::default();
        let before = readings.stamp();
        readings.changed(Some(Side::Standby), Parts::SERVICES);
        readings.changed(Some(Side::Standby), Parts::ASGS | Parts::TARGETS);
        readings.changed(Some(Side::Standby), Parts::SERVICES);
        let changed = |p| readings.last_change(Some(Side::Standby), p);
        assert!(changed(Parts::SERVICES).is_some_and(|t| t.seq > before.seq));
        assert!(changed(Parts::TARGETS).is_some());
        assert_eq!(changed(Parts::DATABASE), None);
        assert_eq!(
            readings.last_change(Some(Side::Primary), Parts::SERVICES),
            None
        );
        assert_eq!(readings.last_change(None, Parts::SERVICES), None);
        // The older change of the services is forgotten; the ASG change is kept.
        assert_eq!(readings.changed.lock().map(|c| c.len()).unwrap_or(0), 2);
    }
}

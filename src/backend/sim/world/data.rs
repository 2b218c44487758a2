//! Data: the application's writes to the database serving as the writer, and the transactions
//! each database holds, so that writes lost in a failover or failback can be counted exactly.
//!
//! The rules:
//! - Transaction ids are one sequence for the whole estate (1, 2, 3, ...), whichever database
//!   takes the write, so a transaction is known by its id alone.
//! - A database takes the application's writes, [`WRITES_PER_SECOND`] each sim second, while it
//!   is a writer, `available`, its region is not dark and the application runs there: some ECS
//!   service of the region has a running task (with no ECS services configured: the region's
//!   load balancer has a healthy target). Scaling every service to zero stops the writes.
//! - A replica applies its source's transactions (the other region's database) with its lag: a
//!   replica whose lag is L seconds holds what its source held of the transactions acknowledged
//!   up to L seconds ago. It never goes backwards; it applies nothing while replication is
//!   stopped, while it is not `available` (being created or promoted) or while either region
//!   is dark. A new replica starts empty and catches up once created.
//! - A promoted replica keeps what it had applied and takes its own writes from then on. A
//!   global switchover (planned) first brings the new writer everything the old one held; a
//!   global failover does not.
//! - A replica's lag reads 0 when it holds everything its source holds, otherwise the time since
//!   the last transaction it applied was acknowledged; so when the writer is lost, the writes
//!   lost are the lag times the write rate.
//! - Written but held by none of the databases serving as the writer = lost.

use std::collections::VecDeque;

use serde::{Deserialize, Serialize};

use super::{World, running};
use crate::model::{DbRole, Side};

/// Transactions the application commits each sim second on the database it writes to.
pub const WRITES_PER_SECOND: u64 = 5;
/// How much of the write history is kept: a replica more than this far behind is treated as
/// this far behind.
const HISTORY: f64 = 6.0 * 3600.0;
/// The application has been writing for an hour when the simulation starts.
const WRITTEN_BEFORE_START: i64 = 3600;

/// A set of transaction ids, as sorted, disjoint, non-adjacent inclusive ranges.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TxnSet(Vec<(u64, u64)>);

impl TxnSet {
    /// Adds `lo..=hi`, which must all be above the set's last id.
    pub fn append(&mut self, lo: u64, hi: u64) {
        debug_assert!(lo > self.last(), "appended ids must be new");
        if lo > hi {
            return;
        }
        match self.0.last_mut() {
            Some(r) if r.1 + 1 == lo => r.1 = hi,
            _ => self.0.push((lo, hi)),
        }
    }

    /// The highest id held; 0 when empty.
    pub fn last(&self) -> u64 {
        self.0.last().map_or(0, |r| r.1)
    }

    pub fn len(&self) -> u64 {
        self.0.iter().map(|(lo, hi)| hi - lo + 1).sum()
    }

    /// The ids up to `max` included.
    pub fn up_to(&self, max: u64) -> TxnSet {
        TxnSet(
            self.0
                .iter()
                .filter(|r| r.0 <= max)
                .map(|&(lo, hi)| (lo, hi.min(max)))
                .collect(),
        )
    }

    pub fn union(&self, other: &TxnSet) -> TxnSet {
        let mut all: Vec<(u64, u64)> = self.0.iter().chain(&other.0).copied().collect();
        all.sort_unstable();
        let mut out: Vec<(u64, u64)> = Vec::with_capacity(all.len());
        for (lo, hi) in all {
            match out.last_mut() {
                Some(r) if lo <= r.1 + 1 => r.1 = r.1.max(hi),
                _ => out.push((lo, hi)),
            }
        }
        TxnSet(out)
    }

    /// Whether every id of `other` is in this set.
    pub fn contains_all(&self, other: &TxnSet) -> bool {
        other
            .0
            .iter()
            .all(|&(lo, hi)| self.0.iter().any(|&(a, b)| a <= lo && hi <= b))
    }
}

/// The estate's write history: the last id acknowledged, and when each id was.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct TxnLog {
    /// The last transaction id acknowledged by any writer; ids run from 1 to this.
    pub last: u64,
    /// (sim time, last id acknowledged by then), one entry per second with writes.
    history: VecDeque<(f64, u64)>,
    /// The last id acknowledged before the history's first entry.
    floor: u64,
}

impl TxnLog {
    /// The last id acknowledged at or before sim time `at`.
    pub fn acknowledged_by(&self, at: f64) -> u64 {
        let n = self.history.partition_point(|&(t, _)| t <= at);
        match n {
            0 => self.floor,
            n => self.history[n - 1].1,
        }
    }

    /// When transaction `id` was acknowledged (None for id 0). Ids older than the history
    /// are given its first entry's time.
    pub fn acknowledged_at(&self, id: u64) -> Option<f64> {
        if id == 0 {
            return None;
        }
        if id <= self.floor {
            return self.history.front().map(|h| h.0);
        }
        let n = self.history.partition_point(|&(_, last)| last < id);
        self.history.get(n).map(|h| h.0)
    }

    fn record(&mut self, now: f64) {
        self.history.push_back((now, self.last));
        while self.history.len() > 1 && self.history[1].0 <= now - HISTORY {
            if let Some((_, id)) = self.history.pop_front() {
                self.floor = id;
            }
        }
    }
}

impl World {
    /// An hour of writes on the seeded writer, its replica as far behind as its lag.
    pub(super) fn seed_data(&mut self) {
        for second in (1 - WRITTEN_BEFORE_START)..=0 {
            for side in Side::BOTH {
                if self.is_writer(side) {
                    self.write(side);
                }
            }
            self.writes.record(second as f64);
        }
        self.replicate();
    }

    /// One sim second of data: the application's writes, then each replica's apply.
    pub(super) fn move_data(&mut self) {
        let mut wrote = false;
        for side in Side::BOTH {
            if self.takes_writes(side) {
                self.write(side);
                wrote = true;
            }
        }
        if wrote {
            self.writes.record(self.now);
        }
        self.replicate();
    }

    fn is_writer(&self, side: Side) -> bool {
        self.region(side)
            .db
            .as_ref()
            .is_some_and(|d| d.role == DbRole::Writer && d.status == "available")
    }

    /// Whether the region's database takes the application's writes right now: the databases
    /// doing so are the ones serving as the writer.
    pub fn takes_writes(&self, side: Side) -> bool {
        !self.is_dark(side) && self.is_writer(side) && self.app_running(side)
    }

    /// Whether the application runs in the region: a running ECS task, or with no ECS
    /// services configured, a healthy load balancer.
    fn app_running(&self, side: Side) -> bool {
        let region = self.region(side);
        if region.services.is_empty() {
            return self.endpoint_healthy(side);
        }
        region.services.values().any(|s| running(s, self.now) > 0)
    }

    fn write(&mut self, side: Side) {
        let lo = self.writes.last + 1;
        let hi = self.writes.last + WRITES_PER_SECOND;
        if let Some(db) = self.region_mut(side).db.as_mut() {
            db.held.append(lo, hi);
            self.writes.last = hi;
        }
    }

    /// Whether the region's database applies its source's transactions right now.
    fn replicates(&self, side: Side) -> bool {
        let Some(db) = &self.region(side).db else {
            return false;
        };
        matches!(db.role, DbRole::Replica { .. })
            && db.status == "available"
            && !self.faults.replication_stopped
            && !self.is_dark(side)
            && !self.is_dark(side.other())
            && self.region(side.other()).db.is_some()
    }

    fn replicate(&mut self) {
        // Whole seconds, as the lag reads.
        let target = self
            .writes
            .acknowledged_by(self.now - self.lag_seconds().round());
        for side in Side::BOTH {
            if !self.replicates(side) {
                continue;
            }
            let Some(fresh) = self
                .region(side.other())
                .db
                .as_ref()
                .map(|source| source.held.up_to(target))
            else {
                continue;
            };
            if let Some(db) = self.region_mut(side).db.as_mut()
                && target > db.held.last()
            {
                db.held = fresh;
            }
        }
    }

    /// Whether the region's replica holds every transaction its source holds (a dark source
    /// cannot tell).
    pub(super) fn caught_up(&self, side: Side) -> bool {
        let (Some(db), Some(source)) = (&self.region(side).db, &self.region(side.other()).db)
        else {
            return false;
        };
        !self.is_dark(side.other()) && db.held.contains_all(&source.held)
    }

    /// A global switchover completing: the new writer first receives what the old one held.
    pub(super) fn receive_all_from(&mut self, side: Side) {
        if self.is_dark(side.other()) {
            return;
        }
        let Some(source) = self
            .region(side.other())
            .db
            .as_ref()
            .map(|d| d.held.clone())
        else {
            return;
        };
        if let Some(db) = self.region_mut(side).db.as_mut() {
            db.held = db.held.union(&source);
        }
    }

    /// The last transaction the region's database applied (0: none yet); None without one.
    pub fn applied_txn(&self, side: Side) -> Option<u64> {
        self.region(side).db.as_ref().map(|d| d.held.last())
    }

    /// Acknowledged transactions held by none of the databases serving as the writer; None
    /// while no database serves as the writer.
    pub fn lost_writes(&self) -> Option<u64> {
        let mut held: Option<TxnSet> = None;
        for side in Side::BOTH {
            if self.takes_writes(side)
                && let Some(db) = &self.region(side).db
            {
                held = Some(match held {
                    None => db.held.clone(),
                    Some(h) => h.union(&db.held),
                });
            }
        }
        held.map(|h| self.writes.last - h.up_to(self.writes.last).len())
    }
}

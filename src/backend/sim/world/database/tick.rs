//! The databases as time passes: the replica lag model, and role changes completing.

use crate::backend::sim::world::World;
use crate::model::{DbRole, Lag, Side};

impl World {
    /// Replica lag: a random walk around a few seconds with rare spikes.
    pub(in crate::backend::sim::world) fn wander_lag(&mut self) {
        self.lag_base = (self.lag_base + self.rng.range(-0.6, 0.6)).clamp(1.0, 15.0);
        self.lag_spike *= 0.985;
        if self.rng.chance(1.0 / 900.0) {
            self.lag_spike = self.rng.range(40.0, 420.0);
        }
    }

    /// Completes the status changes (promotion, creation, failover) whose time has come.
    pub(in crate::backend::sim::world) fn settle_databases(&mut self) {
        let now = self.now;
        for side in Side::BOTH {
            if let Some(db) = self.region_mut(side).db.as_mut()
                && db.busy_until.is_some_and(|u| u <= now)
            {
                db.busy_until = None;
                db.status = "available".into();
                if let Some(role) = db.next_role.take() {
                    db.role = role;
                }
                db.replicating_since = now;
                if std::mem::take(&mut db.switchover) {
                    self.receive_all_from(side);
                }
            }
        }
    }

    pub fn lag(&self, side: Side) -> Lag {
        let Some(db) = &self.region(side).db else {
            return Lag::NoData;
        };
        if !matches!(db.role, DbRole::Replica { .. }) {
            return Lag::NoData;
        }
        if db.status != "available" && db.status != "modifying" {
            return Lag::NoData;
        }
        if self.now - db.replicating_since < 60.0 {
            return Lag::NoData;
        }
        if self.faults.replication_stopped {
            return Lag::Stopped;
        }
        if self.caught_up(side) {
            return Lag::Known(0);
        }
        let lag = match self.writes.acknowledged_at(db.held.last()) {
            Some(at) => (self.now - at).max(0.0),
            None => self.lag_seconds(),
        };
        Lag::Known(lag.round() as u64)
    }

    /// The lag model's figure, in seconds: a replica applies what was acknowledged this long
    /// ago. It wanders and spikes; the lag a replica reads follows from what it applied.
    pub(in crate::backend::sim::world) fn lag_seconds(&self) -> f64 {
        let mut lag = self.lag_base + self.lag_spike;
        if let Some(since) = self.dark_since {
            lag += self.now - since;
        }
        lag
    }
}

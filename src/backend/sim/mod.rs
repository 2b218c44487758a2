//! The built-in simulated two-region estate: realistic, time-based transitions and fault
//! injection, so the console runs with no AWS account and drills can be rehearsed.

mod accounts;
mod apply;
mod backend;
mod clock;
mod faults;
mod lambda;
mod replicated;
mod rng;
pub mod timings;
mod world;

use std::sync::{Arc, Mutex, MutexGuard};

pub use clock::SimClock;
pub use world::{Faults, WRITES_PER_SECOND};

use crate::config::Estate;
use crate::model::Side;
use accounts::SimAccounts;
use rng::Rng;
use world::World;

/// The estate the console runs on when no estate file is found.
pub const BUILT_IN_ESTATE: &str = include_str!("../../../assets/simulated-estate.toml");

pub fn built_in_estate() -> Estate {
    // The built-in file is part of the binary and covered by tests; failing here is a build bug.
    Estate::parse(BUILT_IN_ESTATE, "built-in simulated estate")
        .unwrap_or_else(|e| panic!("built-in estate is invalid: {e}"))
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Fault {
    PrimaryDark,
    ReplicationStopped,
    Throttling,
    StuckStep,
}

pub struct Simulator {
    world: Mutex<World>,
    clock: SimClock,
    /// Decides which calls are throttled; separate from the world's so reads don't shift it.
    throttle_rng: Mutex<Rng>,
    /// Whose credentials each side uses; not part of the world a journal saves.
    accounts: Mutex<SimAccounts>,
}

impl Simulator {
    pub fn new(estate: Estate, seed: u64, clock: SimClock) -> Arc<Simulator> {
        Arc::new(Simulator {
            accounts: Mutex::new(SimAccounts::new(&estate)),
            world: Mutex::new(World::new(estate, seed)),
            clock,
            throttle_rng: Mutex::new(Rng::new(seed.wrapping_add(1))),
        })
    }

    pub fn clock(&self) -> &SimClock {
        &self.clock
    }

    /// The world, moved forward to the clock's now.
    fn world(&self) -> MutexGuard<'_, World> {
        let mut w = self.world.lock().unwrap_or_else(|p| p.into_inner());
        w.advance_to(self.clock.now());
        w
    }

    /// The last transaction id the region's database applied (0: none yet), or None when the
    /// region has no database. Ids are one sequence for the estate, whichever database took
    /// the write, so a replica's figure against its writer's tells how far behind it is.
    pub fn applied_txn(&self, side: Side) -> Option<u64> {
        self.world().applied_txn(side)
    }

    /// How many transactions the application has committed, on any writer, since the world
    /// began (it starts with an hour of writes behind it): ids run from 1 to this.
    pub fn acknowledged_txns(&self) -> u64 {
        self.world().writes.last
    }

    /// Lost writes: transactions a writer acknowledged that none of the databases now serving
    /// as the writer holds. A database serves as the writer while it takes the application's
    /// writes (a writer, available, in a region not dark where the application runs). None
    /// while no database does, e.g. during a promotion or with the application scaled to zero.
    pub fn lost_writes(&self) -> Option<u64> {
        self.world().lost_writes()
    }

    fn accounts(&self) -> MutexGuard<'_, SimAccounts> {
        self.accounts.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// From now on the side's credentials act in another account (a wrong profile).
    pub fn set_account(&self, side: Side, account_id: &str) {
        self.accounts().set_account(side, account_id);
    }

    /// The side's credentials expire (every call of the side fails on them, with the fix), or
    /// are renewed.
    pub fn expire_credentials(&self, side: Side, expired: bool) {
        self.accounts().set_expired(side, expired);
    }
}

#[cfg(test)]
mod data_tests;
#[cfg(test)]
mod tests;

//! The simulated estate's state, moved forward one sim second at a time. Each AWS service's
//! part of the world lives in its own module, the application's data in `data`; this one holds
//! the regions and the clock.

use serde::{Deserialize, Serialize};

mod asg;
mod data;
mod database;
mod ecs;
mod reading;
mod route53;
mod vault;

pub use ecs::deployment_id;

use std::collections::BTreeMap;

use super::rng::Rng;
use crate::backend::Action;
use crate::config::Estate;
use crate::model::Side;

pub use asg::{SimAsg, SimInstance, SimTargetGroup};
pub use data::{TxnLog, WRITES_PER_SECOND};
pub use database::SimDb;
pub use ecs::{SimService, running};
pub use route53::SimCheck;
pub use vault::SimVault;

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Region {
    pub db: Option<SimDb>,
    pub services: BTreeMap<String, SimService>,
    pub asgs: BTreeMap<String, SimAsg>,
    pub target_groups: BTreeMap<String, SimTargetGroup>,
    pub parameters: BTreeMap<String, String>,
    pub secrets: BTreeMap<String, String>,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Faults {
    pub primary_dark: bool,
    pub replication_stopped: bool,
    pub throttling: bool,
    pub stuck_step: bool,
}

/// Everything but the estate serializes, so a run journal can save the world and
/// [`World::restore`] it.
#[derive(Serialize, Deserialize)]
pub struct World {
    /// Not saved: it is the estate file's. A bare deserialize gets the built-in estate; use
    /// [`World::restore`].
    #[serde(skip, default = "super::built_in_estate")]
    pub estate: Estate,
    pub now: f64,
    pub rng: Rng,
    pub primary: Region,
    pub standby: Region,
    pub dns_value: String,
    /// Route 53 change id -> when it is INSYNC.
    pub dns_changes: BTreeMap<String, f64>,
    pub checks: BTreeMap<String, SimCheck>,
    pub faults: Faults,
    /// Lag model: a wandering baseline plus a decaying spike, in seconds.
    pub lag_base: f64,
    pub lag_spike: f64,
    /// When the primary went dark: lag grows from then on.
    pub dark_since: Option<f64>,
    /// Actions swallowed while a step is stuck: applied when the fault clears.
    pub stuck: Vec<Action>,
    /// The application's writes so far.
    pub writes: TxnLog,
    next_change: u64,
    /// The standby's AWS Backup vault (`backup-restore` only).
    #[serde(default)]
    pub vault: Option<SimVault>,
}

impl World {
    pub fn new(estate: Estate, seed: u64) -> World {
        let mut rng = Rng::new(seed);
        let mut world = World {
            primary: Region::default(),
            standby: Region::default(),
            dns_value: estate
                .dns
                .as_ref()
                .map(|d| d.value(Side::Primary).to_string())
                .unwrap_or_default(),
            dns_changes: BTreeMap::new(),
            checks: BTreeMap::new(),
            faults: Faults::default(),
            lag_base: rng.range(2.0, 8.0),
            lag_spike: 0.0,
            dark_since: None,
            stuck: Vec::new(),
            writes: TxnLog::default(),
            next_change: 1,
            vault: None,
            now: 0.0,
            rng,
            estate,
        };
        world.seed_database();
        for side in Side::BOTH {
            world.seed_services(side);
            world.seed_asgs(side);
            world.seed_target_groups(side);
        }
        world.seed_checks();
        world.seed_data();
        world.seed_vault();
        world
    }

    /// A saved world (its serde form) brought back on the estate it was saved from.
    // Only tests restore a world until run journals save it.
    #[cfg_attr(not(test), allow(dead_code))]
    pub fn restore<'de, D: serde::Deserializer<'de>>(
        estate: Estate,
        saved: D,
    ) -> Result<World, D::Error> {
        let mut world = World::deserialize(saved)?;
        world.estate = estate;
        Ok(world)
    }

    pub fn region(&self, side: Side) -> &Region {
        match side {
            Side::Primary => &self.primary,
            Side::Standby => &self.standby,
        }
    }

    pub fn region_mut(&mut self, side: Side) -> &mut Region {
        match side {
            Side::Primary => &mut self.primary,
            Side::Standby => &mut self.standby,
        }
    }

    pub fn is_dark(&self, side: Side) -> bool {
        side == Side::Primary && self.faults.primary_dark
    }

    /// Moves the world forward to sim time `until`, one second at a time.
    pub fn advance_to(&mut self, until: f64) {
        while self.now + 1.0 <= until {
            self.now += 1.0;
            self.tick();
        }
    }

    fn tick(&mut self) {
        self.wander_lag();
        self.settle_databases();
        self.prune_target_groups();
        self.move_data();
        self.tick_vault();
        self.observe_checks();
    }

    pub fn next_change_id(&mut self) -> String {
        self.next_change += 1;
        format!("C{:012X}", self.next_change * 7919)
    }

    pub fn draw(&mut self, range: (f64, f64)) -> f64 {
        self.rng.range(range.0, range.1)
    }
}

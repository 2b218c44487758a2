//! RDS: each region's database (instance or Aurora cluster), its role changes and the
//! replica lag model.

mod reading;
mod seed;
#[cfg(test)]
mod tests;
mod tick;

use serde::{Deserialize, Serialize};

use super::World;
use super::data::TxnSet;
use crate::config::Estate;
use crate::model::{DbRole, Side};

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SimDb {
    pub id: String,
    pub role: DbRole,
    pub status: String,
    /// When a status change in progress (promotion, creation) completes.
    pub busy_until: Option<f64>,
    /// The role it will have when `busy_until` passes.
    pub next_role: Option<DbRole>,
    /// When replication started; lag is unknown for a while after creation.
    pub replicating_since: f64,
    pub instance_class: String,
    /// The transactions it holds: written to it, or applied from its source.
    pub held: TxnSet,
    /// A global switchover is completing here: the new writer receives all the old one held.
    pub switchover: bool,
}

impl SimDb {
    pub fn new(id: &str, role: DbRole) -> SimDb {
        SimDb {
            id: id.to_string(),
            role,
            status: "available".into(),
            busy_until: None,
            next_role: None,
            replicating_since: -3600.0,
            instance_class: "db.r6g.large".into(),
            held: TxnSet::default(),
            switchover: false,
        }
    }
}

pub fn endpoint_of(side: Side, id: &str, estate: &Estate) -> String {
    format!(
        "{id}.c9akciq32.{}.rds.amazonaws.com",
        estate.region(side).region
    )
}

impl World {
    pub fn db_arn(&self, side: Side, id: &str) -> String {
        format!(
            "arn:aws:rds:{}:123456789012:db:{id}",
            self.estate.region(side).region
        )
    }
}

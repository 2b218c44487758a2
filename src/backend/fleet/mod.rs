//! Several estates read together. Estates whose regions share credentials and an endpoint
//! (the same profile, region and `endpoint_url`) form one **region group**: a poll cycle reads
//! a group once, for every estate side in it, and splits the answer back per estate. On AWS
//! the group's calls are batched across its estates (`aws::AwsFleet`); elsewhere (the
//! simulator) each member is read on its own, through the same interface.
//!
//! Route 53 is global and reached with the standby's credentials: estates whose standbys share
//! a profile and an endpoint form one **Route 53 group**, read once per cycle for all of them
//! (each zone, health check and check configuration once, see `aws::route53_read`).

mod groups;
mod per_estate;
#[cfg(test)]
mod tests;

pub use groups::{GlobalGroup, Member, RegionGroup, global_groups, group_key, region_groups};
pub use per_estate::PerEstate;

use std::sync::Arc;

use async_trait::async_trait;

use super::{Backend, BackendError};
use crate::model::{GlobalReading, Parts, RegionReading, SectionError};

/// What the fleet overview needs of every estate on every cycle: its rows and the posture
/// and readiness verdicts use the database and its lag, the ASGs and the alarms.
pub fn overview_parts() -> Parts {
    Parts::DATABASE | Parts::LAG | Parts::ASGS | Parts::ALARMS
}

/// What is read in turn (ECS services, target health): per estate, with no batched form.
pub fn rotated_parts() -> Parts {
    Parts::SERVICES | Parts::TARGETS
}

/// The fleet's reads: each estate's own backend (for runs, identities and Route 53), and
/// one read per region group for the poll.
#[async_trait]
pub trait FleetBackend: Send + Sync {
    /// The estate's own backend.
    fn backend(&self, estate: usize) -> Arc<dyn Backend>;
    fn groups(&self) -> &[RegionGroup];
    /// Every member of group `group`, in the group's member order.
    async fn read_group(&self, group: usize) -> Vec<Result<RegionReading, BackendError>> {
        let all = vec![Parts::REGION; self.groups().get(group).map_or(0, |g| g.members.len())];
        self.read_group_parts(group, &all).await
    }
    /// Member `i` of group `group` reads only `parts[i]`; a section not asked for is
    /// [`SectionError::not_read`]. A member asked for [`Parts::NONE`] is not read at all (its
    /// entry is an unread reading, to be ignored).
    async fn read_group_parts(
        &self,
        group: usize,
        parts: &[Parts],
    ) -> Vec<Result<RegionReading, BackendError>>;
    fn global_groups(&self) -> &[GlobalGroup];
    /// Route 53 of every estate of global group `group`, in the group's order. Without a
    /// shared read, each estate's own.
    async fn read_global_group(&self, group: usize) -> Vec<Result<GlobalReading, BackendError>> {
        let Some(g) = self.global_groups().get(group) else {
            return Vec::new();
        };
        let reads = g.estates.iter().map(|e| {
            let backend = self.backend(*e);
            async move { backend.read_global().await }
        });
        futures::future::join_all(reads).await
    }
}

/// Leaves only `parts` of a reading, the others not read (what a backend that reads
/// everything returns when asked for less).
pub fn keep_only(mut r: RegionReading, parts: Parts) -> RegionReading {
    let parts = parts.normalized();
    fn unread<T>() -> Result<T, SectionError> {
        Err(SectionError::not_read())
    }
    if !parts.contains(Parts::DATABASE) {
        r.database = r.database.map(|_| unread());
    }
    if !parts.contains(Parts::SERVICES) {
        r.services = unread();
    }
    if !parts.contains(Parts::ASGS) {
        r.asgs = unread();
    }
    if !parts.contains(Parts::TARGETS) {
        r.target_groups = unread();
    }
    if !parts.contains(Parts::ALARMS) {
        r.alarms = unread();
    }
    r
}

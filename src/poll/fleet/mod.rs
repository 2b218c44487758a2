//! Pollers of several estates: one loop per region group (every estate side that shares a
//! profile, region and endpoint, read together, see [`group`]), and one Route 53 loop per
//! Route 53 group (every estate whose standby shares a profile and endpoint, see [`global`]).
//! A group's cycle is one batched read; each member receives its share as the events a
//! one-estate poller sends, tagged with the estate. A group that errors backs off, so every
//! estate using that region waits with it instead of adding calls.
//!
//! What a cycle reads of each estate: the overview's parts (database and lag, ASGs, alarms:
//! batched across estates) every cycle; ECS services and target health (per estate, AWS has
//! no batched form) every cycle only for the estate whose dashboard is open, and for the
//! others in turn ([`Rotation`]): every estate at least once a minute, never all in one cycle
//! (but the first, so that no verdict starts from a section never read). A member's reading
//! carries its last services and targets with the time they were read
//! ([`FleetEvent::services_at`]), so each value keeps its own age. Opening an estate reads it
//! whole at once.

mod global;
mod group;
mod kept;
mod rotation;

use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::sync::{mpsc, watch};

use super::{PollControl, PollEvent, PollSettings, Reading};
use crate::backend::fleet::FleetBackend;
use crate::backend::{BackendError, ErrorKind};
use crate::model::Parts;

pub use global::{GlobalPoll, read_global_group_once};
pub use group::GroupPoll;
pub use kept::{Kept, merge_kept, parts_of};
pub use rotation::{ROUND, Rotation};

/// A poll event of estate `estate`.
#[derive(Debug, Clone)]
pub struct FleetEvent {
    pub estate: usize,
    pub event: PollEvent,
    /// With a region's reading: when its ECS services and target health were read, where
    /// that was before the rest of the reading (they are read in turn); `None` when they were
    /// read with it.
    pub services_at: Option<Instant>,
}

impl FleetEvent {
    fn new(estate: usize, event: PollEvent) -> FleetEvent {
        FleetEvent {
            estate,
            event,
            services_at: None,
        }
    }
}

/// The settings of a group: the shortest interval and the longest call timeout of its
/// members' estates.
pub fn group_settings(members: &[(Duration, Duration)]) -> PollSettings {
    let interval = members
        .iter()
        .map(|(i, _)| *i)
        .min()
        .unwrap_or(Duration::from_secs(5));
    let timeout = members
        .iter()
        .map(|(_, t)| *t)
        .max()
        .unwrap_or(Duration::from_secs(5));
    PollSettings::new(interval, timeout)
}

/// Starts every region group's loop and every Route 53 group's loop. `settings[i]` is estate
/// `i`'s interval and call timeout. They stop when the receiver of `tx` is dropped. The
/// returned sender says which estate's dashboard is open (read whole, at once, then every
/// cycle).
pub fn spawn_fleet(
    fleet: Arc<dyn FleetBackend>,
    settings: Vec<(Duration, Duration)>,
    control: PollControl,
    tx: mpsc::UnboundedSender<FleetEvent>,
) -> watch::Sender<Option<usize>> {
    let (open_tx, open_rx) = watch::channel(None);
    for (g, group) in fleet.groups().iter().enumerate() {
        let members: Vec<(Duration, Duration)> =
            group.members.iter().map(|m| settings[m.estate]).collect();
        tokio::spawn(group::run_group(
            fleet.clone(),
            g,
            group_settings(&members),
            control.clone(),
            open_rx.clone(),
            tx.clone(),
        ));
    }
    for (g, group) in fleet.global_groups().iter().enumerate() {
        let members: Vec<(Duration, Duration)> =
            group.estates.iter().map(|e| settings[*e]).collect();
        tokio::spawn(global::run(
            fleet.clone(),
            g,
            group_settings(&members),
            control.clone(),
            tx.clone(),
        ));
    }
    open_tx
}

/// Reads group `group` once, bounded by `timeout`: one result per member.
pub async fn read_group_once(
    fleet: &dyn FleetBackend,
    group: usize,
    timeout: Duration,
) -> Vec<Result<Reading, BackendError>> {
    let all = vec![Parts::REGION; fleet.groups().get(group).map_or(0, |g| g.members.len())];
    read_group_parts_once(fleet, group, &all, timeout).await
}

/// Reads `parts[i]` of member `i` of group `group` once, bounded by `timeout`.
pub async fn read_group_parts_once(
    fleet: &dyn FleetBackend,
    group: usize,
    parts: &[Parts],
    timeout: Duration,
) -> Vec<Result<Reading, BackendError>> {
    let members = fleet.groups().get(group).map_or(0, |g| g.members.len());
    let label = fleet
        .groups()
        .get(group)
        .map(|g| g.label.clone())
        .unwrap_or_default();
    match tokio::time::timeout(timeout, fleet.read_group_parts(group, parts)).await {
        Ok(results) => results
            .into_iter()
            .map(|r| r.map(|r| Reading::Region(Box::new(r))))
            .collect(),
        Err(_) => (0..members)
            .map(|_| {
                Err(BackendError::new(
                    ErrorKind::Unreachable,
                    &label,
                    "poll",
                    "",
                    format!("no answer within {}", humantime::format_duration(timeout)),
                ))
            })
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_group_polls_at_its_fastest_estate_and_waits_for_its_slowest_call() {
        let s = group_settings(&[
            (Duration::from_secs(10), Duration::from_secs(2)),
            (Duration::from_secs(5), Duration::from_secs(7)),
        ]);
        assert_eq!(s.interval, Duration::from_secs(5));
        assert_eq!(s.timeout, Duration::from_secs(7));
    }
}

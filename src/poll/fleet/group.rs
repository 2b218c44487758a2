//! One region group's polling: a cycle reads the overview's parts of every member and
//! everything of the open estate and of those in turn; each member's reading is merged with
//! its last services and targets, and sent as its estate's events.

use std::sync::Arc;
use std::time::Instant;

use tokio::sync::{mpsc, watch};

use super::super::{PollControl, PollEvent, PollSettings, Reading, identity_once};
use super::{FleetEvent, Rotation, read_group_parts_once};
use crate::backend::fleet::{FleetBackend, Member, overview_parts, rotated_parts};
use crate::model::{Parts, RegionReading, Scope, Section, ServiceReading, TargetGroupReading};

#[derive(Debug, Clone)]
pub struct Kept {
    services: Section<Vec<ServiceReading>>,
    targets: Section<Vec<TargetGroupReading>>,
    at: Instant,
}

/// Merges a member's reading with what was kept: a reading that has its services and
/// targets replaces the kept ones; one without them gets the kept ones, and their time.
pub fn merge_kept(
    reading: &mut RegionReading,
    parts: Parts,
    kept: &mut Option<Kept>,
    at: Instant,
) -> Option<Instant> {
    if parts.contains(rotated_parts()) {
        *kept = Some(Kept {
            services: reading.services.clone(),
            targets: reading.target_groups.clone(),
            at,
        });
        return None;
    }
    let k = kept.as_ref()?;
    reading.services = k.services.clone();
    reading.target_groups = k.targets.clone();
    Some(k.at)
}

/// The parts each member reads: everything for the open estate and the estates in
/// `turn`, the overview's parts for the others.
pub fn parts_of(members: &[Member], open: Option<usize>, turn: &[usize]) -> Vec<Parts> {
    members
        .iter()
        .map(|m| {
            if open == Some(m.estate) || turn.contains(&m.estate) {
                Parts::REGION
            } else {
                overview_parts()
            }
        })
        .collect()
}

/// One cycle of a group: `parts[i]` of member `i` (members asked for nothing are left
/// alone), merged with what was kept, sent as each estate's events. Returns the estates whose
/// read failed and whether any member was read; `None` when the receiver is gone.
#[allow(clippy::too_many_arguments)]
async fn cycle(
    fleet: &Arc<dyn FleetBackend>,
    group: usize,
    members: &[Member],
    parts: &[Parts],
    settings: PollSettings,
    kept: &mut [Option<Kept>],
    identities: bool,
    tx: &mpsc::UnboundedSender<FleetEvent>,
) -> Option<(Vec<usize>, bool)> {
    let at = Instant::now();
    for (m, p) in members.iter().zip(parts) {
        if p.is_empty() {
            continue;
        }
        let event = PollEvent::Started {
            scope: Scope::Region(m.side),
            at,
        };
        tx.send(FleetEvent::new(m.estate, event)).ok()?;
    }
    let who = futures::future::join_all(members.iter().map(|m| {
        let backend = fleet.backend(m.estate);
        async move {
            if identities {
                Some(identity_once(backend.as_ref(), m.side, settings.timeout).await)
            } else {
                None
            }
        }
    }));
    let (results, who) = tokio::join!(
        read_group_parts_once(fleet.as_ref(), group, parts, settings.timeout),
        who
    );
    let now = Instant::now();
    let mut failed = Vec::new();
    let mut any_ok = false;
    for (i, ((m, result), identity)) in members.iter().zip(results).zip(who).enumerate() {
        let want = parts[i];
        if want.is_empty() {
            continue;
        }
        let mut services_at = None;
        let result = match result {
            Ok(Reading::Region(mut r)) => {
                any_ok = true;
                services_at = merge_kept(&mut r, want, &mut kept[i], now);
                Ok(Reading::Region(r))
            }
            Ok(other) => Ok(other),
            Err(e) => {
                if want.contains(rotated_parts()) {
                    failed.push(m.estate);
                }
                Err(e)
            }
        };
        let finished = PollEvent::Finished {
            scope: Scope::Region(m.side),
            at: now,
            result,
        };
        tx.send(FleetEvent {
            estate: m.estate,
            event: finished,
            services_at,
        })
        .ok()?;
        if let Some(result) = identity {
            let event = PollEvent::Identity {
                side: m.side,
                result,
            };
            tx.send(FleetEvent::new(m.estate, event)).ok()?;
        }
    }
    Some((failed, any_ok))
}

/// One region group's polling state: its rotation and each member's kept services and
/// targets. [`run_group`] drives it on the poll's clock; a caller may drive it by hand.
pub struct GroupPoll {
    fleet: Arc<dyn FleetBackend>,
    group: usize,
    members: Vec<Member>,
    settings: PollSettings,
    rotation: Rotation,
    kept: Vec<Option<Kept>>,
}

impl GroupPoll {
    pub fn new(fleet: Arc<dyn FleetBackend>, group: usize, settings: PollSettings) -> GroupPoll {
        let members = fleet.groups()[group].members.clone();
        GroupPoll {
            rotation: Rotation::new(members.iter().map(|m| m.estate), settings.interval),
            kept: vec![None; members.len()],
            fleet,
            group,
            members,
            settings,
        }
    }

    pub fn rotation(&self) -> &Rotation {
        &self.rotation
    }

    /// Whether estate `estate` has a side in this group.
    pub fn has(&self, estate: usize) -> bool {
        self.members.iter().any(|m| m.estate == estate)
    }

    /// One poll cycle: the overview's parts of every member, everything of `open` and of
    /// the estates in turn. Returns whether any member was read (`None`: the receiver is
    /// gone).
    pub async fn cycle(
        &mut self,
        open: Option<usize>,
        tx: &mpsc::UnboundedSender<FleetEvent>,
    ) -> Option<bool> {
        let turn = self.rotation.turn();
        let parts = parts_of(&self.members, open, &turn);
        let (failed, any_ok) = cycle(
            &self.fleet,
            self.group,
            &self.members,
            &parts,
            self.settings,
            &mut self.kept,
            true,
            tx,
        )
        .await?;
        for e in failed {
            self.rotation.owe(e);
        }
        Some(any_ok)
    }

    /// Reads estate `estate`'s members whole, at once (its dashboard was opened).
    pub async fn read_open(
        &mut self,
        estate: usize,
        tx: &mpsc::UnboundedSender<FleetEvent>,
    ) -> Option<()> {
        let parts: Vec<Parts> = self
            .members
            .iter()
            .map(|m| {
                if m.estate == estate {
                    Parts::REGION
                } else {
                    Parts::NONE
                }
            })
            .collect();
        cycle(
            &self.fleet,
            self.group,
            &self.members,
            &parts,
            self.settings,
            &mut self.kept,
            false,
            tx,
        )
        .await
        .map(|_| ())
    }
}

pub(super) async fn run_group(
    fleet: Arc<dyn FleetBackend>,
    group: usize,
    settings: PollSettings,
    control: PollControl,
    mut open: watch::Receiver<Option<usize>>,
    tx: mpsc::UnboundedSender<FleetEvent>,
) {
    let mut poll = GroupPoll::new(fleet, group, settings);
    let mut failures = 0u32;
    let mut paused = control.paused.subscribe();
    let mut open_alive = true;
    loop {
        if !*paused.borrow_and_update() {
            let opened = *open.borrow_and_update();
            let Some(any_ok) = poll.cycle(opened, &tx).await else {
                return;
            };
            // The region errors when no member could be read.
            failures = if any_ok { 0 } else { failures + 1 };
        }
        let until = tokio::time::Instant::now() + settings.delay_after(failures);
        loop {
            let open_changed = async {
                if open_alive {
                    open.changed().await.is_ok()
                } else {
                    std::future::pending().await
                }
            };
            tokio::select! {
                _ = tokio::time::sleep_until(until) => break,
                _ = control.refresh.notified() => { failures = 0; break; }
                changed = paused.changed() => {
                    if changed.is_err() { return; }
                    break;
                }
                alive = open_changed => {
                    open_alive = alive;
                    let opened = *open.borrow_and_update();
                    if !alive || *paused.borrow() {
                        continue;
                    }
                    // An estate opened here is read whole, at once.
                    if let Some(e) = opened.filter(|e| poll.has(*e))
                        && poll.read_open(e, &tx).await.is_none()
                    {
                        return;
                    }
                }
            }
        }
        if tx.is_closed() {
            return;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn the_open_estate_and_those_in_turn_read_everything_the_others_the_overviews_parts() {
        let m = |estate, side| Member { estate, side };
        let members = [
            m(0, crate::model::Side::Primary),
            m(1, crate::model::Side::Standby),
            m(2, crate::model::Side::Primary),
        ];
        let parts = parts_of(&members, Some(2), &[0]);
        assert_eq!(parts, [Parts::REGION, overview_parts(), Parts::REGION]);
        assert!(!overview_parts().intersects(rotated_parts()));
        assert_eq!(overview_parts() | rotated_parts(), Parts::REGION);
    }

    fn reading(services: &[&str]) -> RegionReading {
        let mut r = RegionReading::unread(false);
        r.services = Ok(services
            .iter()
            .map(|s| ServiceReading::missing(s))
            .collect());
        r.target_groups = Ok(Vec::new());
        r
    }

    #[test]
    fn a_reading_without_services_carries_the_last_ones_and_their_time() {
        let t0 = Instant::now();
        let t1 = t0 + Duration::from_secs(5);
        let mut kept = None;
        // Nothing kept yet: the section stays not read, with no time of its own.
        let mut r = crate::backend::fleet::keep_only(reading(&["web"]), overview_parts());
        assert_eq!(merge_kept(&mut r, overview_parts(), &mut kept, t0), None);
        assert!(r.services.is_err());

        let mut full = reading(&["web", "api"]);
        assert_eq!(merge_kept(&mut full, Parts::REGION, &mut kept, t0), None);
        let mut later = crate::backend::fleet::keep_only(reading(&["x"]), overview_parts());
        assert_eq!(
            merge_kept(&mut later, overview_parts(), &mut kept, t1),
            Some(t0)
        );
        assert_eq!(later.services, full.services);
        assert_eq!(later.target_groups, full.target_groups);
    }
}

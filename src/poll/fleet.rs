//! Pollers of several estates: one loop per region group (every estate side that shares a
//! profile, region and endpoint, read together), and each estate's own Route 53 loop. A
//! group's cycle is one batched read; each member receives its share as the events a
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

use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::sync::{mpsc, watch};

use super::{PollControl, PollEvent, PollSettings, Reading, identity_once};
use crate::backend::fleet::{FleetBackend, Member, overview_parts, rotated_parts};
use crate::backend::{BackendError, ErrorKind};
use crate::model::{Parts, RegionReading, Scope, Section, ServiceReading, TargetGroupReading};

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

/// Every estate's services and targets are read again within this long.
pub const ROUND: Duration = Duration::from_secs(60);

/// Which estates of a group have their services and target health read in a cycle: all of
/// them in the first cycle, then in turn, `per_cycle` at a time, so that each is read again
/// within [`ROUND`] (`ROUND / interval` cycles: 12 at a 5 s poll). Fewer estates than that
/// are read more often (one per cycle). An estate whose read failed is read again in the
/// next cycles, a turn's worth at a time (a group that failed whole is not read again all
/// at once).
#[derive(Debug, Clone)]
pub struct Rotation {
    estates: Vec<usize>,
    per_cycle: usize,
    next: usize,
    started: bool,
    owed: Vec<usize>,
}

impl Rotation {
    pub fn new(estates: impl IntoIterator<Item = usize>, interval: Duration) -> Rotation {
        let mut list: Vec<usize> = Vec::new();
        for e in estates {
            if !list.contains(&e) {
                list.push(e);
            }
        }
        let slots = (ROUND.as_millis() / interval.as_millis().max(1)).max(1) as usize;
        Rotation {
            per_cycle: list.len().div_ceil(slots),
            estates: list,
            next: 0,
            started: false,
            owed: Vec::new(),
        }
    }

    /// Estates read in one cycle once started.
    pub fn per_cycle(&self) -> usize {
        self.per_cycle
    }

    /// Cycles in which every estate is read once (after the first).
    pub fn round(&self) -> usize {
        self.estates.len().div_ceil(self.per_cycle.max(1))
    }

    /// The estates whose services and targets the next cycle reads.
    pub fn turn(&mut self) -> Vec<usize> {
        if !self.started {
            self.started = true;
            self.owed.clear();
            return self.estates.clone();
        }
        // Estates owed a read come first, but no more of them than a turn's worth, so that
        // many failures at once do not make one cycle read them all.
        let owed = self.owed.len().min(self.per_cycle);
        let mut out: Vec<usize> = self.owed.drain(..owed).collect();
        for _ in 0..self.per_cycle {
            let e = self.estates[self.next];
            self.next = (self.next + 1) % self.estates.len();
            if !out.contains(&e) {
                out.push(e);
            }
        }
        out
    }

    /// `estate` could not be read: read it again next cycle.
    pub fn owe(&mut self, estate: usize) {
        if !self.owed.contains(&estate) {
            self.owed.push(estate);
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

/// Starts every group's loop and every estate's Route 53 loop. `settings[i]` is estate
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
        tokio::spawn(run_group(
            fleet.clone(),
            g,
            group_settings(&members),
            control.clone(),
            open_rx.clone(),
            tx.clone(),
        ));
    }
    for (estate, (interval, timeout)) in settings.iter().enumerate() {
        let (one_tx, mut one_rx) = mpsc::unbounded_channel();
        tokio::spawn(super::run(
            fleet.backend(estate),
            Scope::Global,
            PollSettings::new(*interval, *timeout),
            control.clone(),
            one_tx,
        ));
        let tx = tx.clone();
        tokio::spawn(async move {
            while let Some(event) = one_rx.recv().await {
                if tx.send(FleetEvent::new(estate, event)).is_err() {
                    return;
                }
            }
        });
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

/// A member's last services and target health, and when they were read.
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

async fn run_group(
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

    #[test]
    fn a_group_polls_at_its_fastest_estate_and_waits_for_its_slowest_call() {
        let s = group_settings(&[
            (Duration::from_secs(10), Duration::from_secs(2)),
            (Duration::from_secs(5), Duration::from_secs(7)),
        ]);
        assert_eq!(s.interval, Duration::from_secs(5));
        assert_eq!(s.timeout, Duration::from_secs(7));
    }

    fn rounds(rotation: &mut Rotation, cycles: usize) -> Vec<Vec<usize>> {
        (0..cycles).map(|_| rotation.turn()).collect()
    }

    #[test]
    fn fifty_estates_at_a_5s_poll_are_each_read_within_a_minute_never_all_at_once() {
        let mut r = Rotation::new(0..50, Duration::from_secs(5));
        assert_eq!(r.per_cycle(), 5);
        assert_eq!(r.round(), 10);
        // The first cycle reads every estate: nothing starts from a section never read.
        assert_eq!(r.turn(), (0..50).collect::<Vec<_>>());
        // Then 12 cycles (a minute): every estate at least once, no cycle more than 5.
        let turns = rounds(&mut r, 12);
        for t in &turns {
            assert_eq!(t.len(), 5, "{turns:?}");
        }
        for e in 0..50 {
            assert!(
                turns.iter().any(|t| t.contains(&e)),
                "estate {e}: {turns:?}"
            );
        }
        // Each estate comes back every 10 cycles: within 12 from any point.
        let again = rounds(&mut r, 24);
        for e in 0..50 {
            let at: Vec<usize> = again
                .iter()
                .enumerate()
                .filter(|(_, t)| t.contains(&e))
                .map(|(i, _)| i)
                .collect();
            assert!(at.windows(2).all(|w| w[1] - w[0] <= 12), "{e}: {at:?}");
        }
    }

    #[test]
    fn few_estates_are_read_one_per_cycle_and_a_failed_one_again_next_cycle() {
        let mut r = Rotation::new([4, 7, 9, 7], Duration::from_secs(5));
        assert_eq!((r.per_cycle(), r.round()), (1, 3));
        assert_eq!(r.turn(), [4, 7, 9]);
        assert_eq!(rounds(&mut r, 4), [vec![4], vec![7], vec![9], vec![4]]);
        r.owe(9);
        assert_eq!(r.turn(), [9, 7]);
        assert_eq!(r.turn(), [9]);
        // Many failures at once are read again a turn's worth at a time, never all at once.
        let mut r = Rotation::new(0..50, Duration::from_secs(5));
        r.turn();
        r.turn();
        for e in 0..50 {
            r.owe(e);
        }
        assert_eq!(r.turn(), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
        let turns = rounds(&mut r, 9);
        assert!(turns.iter().all(|t| t.len() <= 10), "{turns:?}");
        assert!((5..50).all(|e| turns.iter().any(|t| t.contains(&e))));
        // A slow poll reads more each cycle: every estate within a minute still.
        let mut slow = Rotation::new(0..10, Duration::from_secs(30));
        slow.turn();
        assert_eq!(slow.per_cycle(), 5);
        let mut longer = Rotation::new(0..3, Duration::from_secs(120));
        longer.turn();
        assert_eq!(longer.turn(), [0, 1, 2]);
    }

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

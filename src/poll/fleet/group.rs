//! One region group's polling: a cycle reads the overview's parts of every member and
//! everything of the open estate and of those in turn; each member's reading is merged with
//! its last services and targets, and sent as its estate's events.

use std::sync::Arc;
use std::time::Instant;

use tokio::sync::{mpsc, watch};

use super::super::{PollControl, PollEvent, PollSettings, Reading, identity_once};
use super::kept::{Kept, merge_kept, parts_of};
use super::{FleetEvent, Rotation, read_group_parts_once};
use crate::backend::fleet::{FleetBackend, Member, rotated_parts};
use crate::model::{Parts, Scope};

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

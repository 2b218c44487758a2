//! Pollers of several estates: one loop per region group (every estate side that shares a
//! profile, region and endpoint, read together), and each estate's own Route 53 loop. A
//! group's cycle is one batched read; each member receives its share as the events a
//! one-estate poller sends, tagged with the estate. A group that errors backs off, so every
//! estate using that region waits with it instead of adding calls.

use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::sync::mpsc;

use super::{PollControl, PollEvent, PollSettings, Reading, identity_once};
use crate::backend::fleet::FleetBackend;
use crate::backend::{BackendError, ErrorKind};
use crate::model::Scope;

/// A poll event of estate `estate`.
#[derive(Debug, Clone)]
pub struct FleetEvent {
    pub estate: usize,
    pub event: PollEvent,
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
/// `i`'s interval and call timeout. They stop when the receiver of `tx` is dropped.
pub fn spawn_fleet(
    fleet: Arc<dyn FleetBackend>,
    settings: Vec<(Duration, Duration)>,
    control: PollControl,
    tx: mpsc::UnboundedSender<FleetEvent>,
) {
    for (g, group) in fleet.groups().iter().enumerate() {
        let members: Vec<(Duration, Duration)> =
            group.members.iter().map(|m| settings[m.estate]).collect();
        tokio::spawn(run_group(
            fleet.clone(),
            g,
            group_settings(&members),
            control.clone(),
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
                if tx.send(FleetEvent { estate, event }).is_err() {
                    return;
                }
            }
        });
    }
}

/// Reads group `group` once, bounded by `timeout`: one result per member.
pub async fn read_group_once(
    fleet: &dyn FleetBackend,
    group: usize,
    timeout: Duration,
) -> Vec<Result<Reading, BackendError>> {
    let members = fleet.groups().get(group).map_or(0, |g| g.members.len());
    let label = fleet
        .groups()
        .get(group)
        .map(|g| g.label.clone())
        .unwrap_or_default();
    match tokio::time::timeout(timeout, fleet.read_group(group)).await {
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

async fn run_group(
    fleet: Arc<dyn FleetBackend>,
    group: usize,
    settings: PollSettings,
    control: PollControl,
    tx: mpsc::UnboundedSender<FleetEvent>,
) {
    let members = fleet.groups()[group].members.clone();
    let mut failures = 0u32;
    let mut paused = control.paused.subscribe();
    loop {
        if !*paused.borrow_and_update() {
            let at = Instant::now();
            for m in &members {
                let event = PollEvent::Started {
                    scope: Scope::Region(m.side),
                    at,
                };
                if tx
                    .send(FleetEvent {
                        estate: m.estate,
                        event,
                    })
                    .is_err()
                {
                    return;
                }
            }
            let identities = futures::future::join_all(members.iter().map(|m| {
                let backend = fleet.backend(m.estate);
                async move { identity_once(backend.as_ref(), m.side, settings.timeout).await }
            }));
            let (results, identities) = tokio::join!(
                read_group_once(fleet.as_ref(), group, settings.timeout),
                identities
            );
            // The region errors when no member could be read.
            let any_ok = results.iter().any(Result::is_ok);
            failures = if any_ok { 0 } else { failures + 1 };
            let now = Instant::now();
            for ((m, result), identity) in members.iter().zip(results).zip(identities) {
                let events = [
                    PollEvent::Finished {
                        scope: Scope::Region(m.side),
                        at: now,
                        result,
                    },
                    PollEvent::Identity {
                        side: m.side,
                        result: identity,
                    },
                ];
                for event in events {
                    if tx
                        .send(FleetEvent {
                            estate: m.estate,
                            event,
                        })
                        .is_err()
                    {
                        return;
                    }
                }
            }
        }
        let delay = settings.delay_after(failures);
        tokio::select! {
            _ = tokio::time::sleep(delay) => {}
            _ = control.refresh.notified() => { failures = 0; }
            changed = paused.changed() => {
                if changed.is_err() { return; }
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
}

//! One Route 53 group's polling: every estate whose standby shares a profile and an endpoint
//! has its Route 53 read in one cycle, each zone and health check once (see
//! `backend::aws::route53_read`), and receives its share as the `Global` events a one-estate
//! poller sends.

use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::sync::mpsc;

use super::super::{PollControl, PollEvent, PollSettings, Reading, is_throttled};
use super::FleetEvent;
use crate::backend::fleet::FleetBackend;
use crate::backend::{BackendError, ErrorKind};
use crate::model::{GlobalReading, Scope};

/// Reads Route 53 group `group` once, bounded by `timeout`: one result per estate of the
/// group, in its order.
pub async fn read_global_group_once(
    fleet: &dyn FleetBackend,
    group: usize,
    timeout: Duration,
) -> Vec<Result<GlobalReading, BackendError>> {
    let Some(g) = fleet.global_groups().get(group) else {
        return Vec::new();
    };
    match tokio::time::timeout(timeout, fleet.read_global_group(group)).await {
        Ok(results) => results,
        Err(_) => g
            .estates
            .iter()
            .map(|_| {
                Err(BackendError::new(
                    ErrorKind::Unreachable,
                    &g.label,
                    "poll",
                    "",
                    format!("no answer within {}", humantime::format_duration(timeout)),
                ))
            })
            .collect(),
    }
}

/// One Route 53 group's polling state; [`run`] drives it on the poll's clock.
pub struct GlobalPoll {
    fleet: Arc<dyn FleetBackend>,
    group: usize,
    settings: PollSettings,
}

impl GlobalPoll {
    pub fn new(fleet: Arc<dyn FleetBackend>, group: usize, settings: PollSettings) -> GlobalPoll {
        GlobalPoll {
            fleet,
            group,
            settings,
        }
    }

    /// One cycle: every estate's Route 53, sent as its events. Returns whether any estate
    /// was read and not throttled (`None`: the receiver is gone).
    pub async fn cycle(&self, tx: &mpsc::UnboundedSender<FleetEvent>) -> Option<bool> {
        let estates = self.fleet.global_groups().get(self.group)?.estates.clone();
        let at = Instant::now();
        for e in &estates {
            let event = PollEvent::Started {
                scope: Scope::Global,
                at,
            };
            tx.send(FleetEvent::new(*e, event)).ok()?;
        }
        let results =
            read_global_group_once(self.fleet.as_ref(), self.group, self.settings.timeout).await;
        let now = Instant::now();
        let mut any_ok = false;
        for (e, result) in estates.iter().zip(results) {
            let result = result.map(Reading::Global);
            any_ok |= result.is_ok() && !is_throttled(&result);
            let event = PollEvent::Finished {
                scope: Scope::Global,
                at: now,
                result,
            };
            tx.send(FleetEvent::new(*e, event)).ok()?;
        }
        Some(any_ok)
    }
}

/// Polls Route 53 group `group` until the receiver of `tx` is dropped; backs off while no
/// estate of the group can be read, as a one-estate poller does.
pub(super) async fn run(
    fleet: Arc<dyn FleetBackend>,
    group: usize,
    settings: PollSettings,
    control: PollControl,
    tx: mpsc::UnboundedSender<FleetEvent>,
) {
    let poll = GlobalPoll::new(fleet, group, settings);
    let mut failures = 0u32;
    let mut paused = control.paused.subscribe();
    loop {
        if !*paused.borrow_and_update() {
            let Some(any_ok) = poll.cycle(&tx).await else {
                return;
            };
            failures = if any_ok { 0 } else { failures + 1 };
        }
        tokio::select! {
            _ = tokio::time::sleep(settings.delay_after(failures)) => {}
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

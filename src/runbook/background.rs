//! The tasks a live run feeds besides its caller: the run lock's lease ([`super::lock`]) and
//! the notifications ([`super::notify`]). The recorder's events go through one forwarding
//! task that hands a copy to each, then to the caller, so that neither can slow the engine
//! or the screen. At the end of the run they are given a bounded time to finish (the last
//! messages sent, the lock released).

use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::sync::mpsc;
use tokio::task::JoinHandle;

use super::api::{RunContext, RunEvent, RunMode};
use super::journal::Journal;
use super::lock::lease::{Audit, Lease, simulated};
use super::lock::{self, Fence};
use super::notify::{self, LogSlot, Messages};
use super::recorder::Recorder;

/// Longest the end of a run waits for its notifications and the lock's release.
pub const FINISH_WITHIN: Duration = Duration::from_secs(30);
/// Longest the run's last event waits for the run lock's release.
const RELEASE_WITHIN: Duration = Duration::from_secs(10);

pub struct Background {
    /// Where the recorder sends the run's events.
    pub events: mpsc::UnboundedSender<RunEvent>,
    pub fence: Option<Arc<Fence>>,
    /// Lines for the run's log.
    pub notes: Vec<String>,
    log: LogSlot,
    tasks: Vec<JoinHandle<()>>,
}

impl Background {
    pub async fn start(
        ctx: &RunContext,
        journal: &Journal,
        lease: Option<Lease>,
        caller: mpsc::UnboundedSender<RunEvent>,
    ) -> Background {
        let log: LogSlot = Arc::new(Mutex::new(None));
        let mut taps = Vec::new();
        let mut tasks = Vec::new();
        let mut notes = Vec::new();
        let mut fence = None;
        let mut released = None;
        let who = match &lease {
            Some(l) => l.holder.who(),
            None => format!("{}@{}", ctx.user, lock::hostname()),
        };
        if let Some(lease) = lease {
            notes.extend(lease.notes.iter().cloned());
            fence = Some(lease.fence.clone());
            let (tx, rx) = mpsc::unbounded_channel();
            let (done_tx, done_rx) = tokio::sync::oneshot::channel();
            tasks.push(lock::lease::keep(lease, rx, done_tx));
            released = Some(done_rx);
            taps.push(tx);
        }
        if ctx.mode == RunMode::Live && ctx.estate.notify.is_some() {
            let sim = simulated(ctx);
            let sinks = if sim {
                notes.push(
                    "simulation: notifications are not sent (audited as notify_simulated)".into(),
                );
                Vec::new()
            } else {
                notify::sinks(ctx).await
            };
            let (tx, rx) = mpsc::unbounded_channel();
            let audit = Audit {
                path: ctx.audit_path.clone(),
                run_id: journal.run_id.clone(),
            };
            let messages = Messages::new(&ctx.estate.name, &journal.runbook, &journal.run_id, &who);
            tasks.push(notify::spawn(messages, sinks, sim, audit, log.clone(), rx));
            taps.push(tx);
        }
        if taps.is_empty() {
            return Background {
                events: caller,
                fence,
                notes,
                log,
                tasks,
            };
        }
        let (tap_tx, mut tap_rx) = mpsc::unbounded_channel::<RunEvent>();
        tasks.push(tokio::spawn(async move {
            while let Some(e) = tap_rx.recv().await {
                for t in &taps {
                    let _ = t.send(e.clone());
                }
                if matches!(e, RunEvent::Finished(_) | RunEvent::Crashed { .. })
                    && let Some(rx) = released.take()
                {
                    let _ = tokio::time::timeout(RELEASE_WITHIN, rx).await;
                }
                let _ = caller.send(e);
            }
        }));
        Background {
            events: tap_tx,
            fence,
            notes,
            log,
            tasks,
        }
    }

    /// Lets a message that could not be sent be logged in the run's log.
    pub fn attach(&self, rec: &Arc<Recorder>) {
        *self.log.lock().unwrap_or_else(|p| p.into_inner()) = Some(Arc::downgrade(rec));
    }

    /// Call once the run's record is gone: waits (bounded) for the tasks to finish.
    pub async fn finish(self) {
        drop(self.events);
        let all = futures::future::join_all(self.tasks);
        let _ = tokio::time::timeout(FINISH_WITHIN, all).await;
    }
}

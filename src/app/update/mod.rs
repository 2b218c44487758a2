//! Applying messages to the app state: poll results and commands from keys.

mod dashboard;
mod follow;
mod pick;
mod run_view;
mod runbook;
mod typing;

use std::time::Instant;

use super::{App, LAG_HISTORY, PickItem};
use crate::model::{IdentityError, Lag, Scope, merge_identity};
use crate::poll::{PollEvent, Reading};
use crate::runbook::RunCommand;

/// Lines a page scroll moves.
const PAGE: usize = 10;

impl App {
    pub fn apply_poll(&mut self, event: PollEvent) {
        match event {
            PollEvent::Started { scope, at } => match scope {
                Scope::Region(side) => self.region_mut(side).started(at),
                Scope::Global => self.global.started(at),
            },
            PollEvent::Finished { scope, at, result } => match scope {
                Scope::Region(side) => {
                    let lag = match &result {
                        Ok(Reading::Region(reading)) => Some(
                            reading
                                .database
                                .as_ref()
                                .and_then(|d| d.as_ref().ok())
                                .map(|d| d.lag)
                                .unwrap_or(Lag::NoData),
                        ),
                        _ => None,
                    };
                    crate::poll::apply_region(self.region_mut(side), result, at);
                    self.refresh_posture();
                    // The sparkline follows the replica: the side standing by, as read now.
                    if let Some(lag) = lag
                        && side == self.replica_side()
                    {
                        self.push_lag(lag);
                    }
                }
                Scope::Global => crate::poll::apply_global(&mut self.global, result, at),
            },
            PollEvent::Identity { side, result } => {
                let known = self.identities.remove(&side);
                let read = merge_identity(known, result.map_err(IdentityError::from));
                self.identities.insert(side, read);
            }
        }
        self.refresh_posture();
        self.dirty = true;
    }

    fn push_lag(&mut self, lag: Lag) {
        if self.lag_history.len() == LAG_HISTORY {
            self.lag_history.pop_front();
        }
        self.lag_history.push_back(lag);
    }

    pub fn set_notice(&mut self, text: String, now: Instant) {
        self.notice = Some((text, now));
        self.dirty = true;
    }
}

/// Work the event loop does on the app's behalf.
#[derive(Debug, Clone, PartialEq)]
pub enum Effect {
    Refresh,
    Pause(bool),
    Fault(crate::backend::sim::Fault),
    /// Start (or resume) the picked runbook; `drill`: as a drill, not a real incident.
    StartRun {
        item: PickItem,
        drill: bool,
    },
    /// Add a finding to a finished run's report (audited, both reports written again), off
    /// the UI thread.
    Finding {
        run_id: String,
        text: String,
    },
    /// A decision for the running engine.
    Run(RunCommand),
    /// Follow, read-only, the run that holds the estate's run lock (as the refusal named it).
    Follow(Box<crate::runbook::lock::Holder>, bool),
    /// Stop following it.
    Unfollow,
    /// Start the refused run again, taking over the expired lease of the `user@host` typed.
    TakeOver(String),
}

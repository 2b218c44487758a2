//! Applying messages to the app state: poll results and commands from keys.

use std::time::Instant;

use super::keys::Command;
use super::{App, LAG_HISTORY, Panel};
use crate::model::{Lag, Scope, Side};
use crate::poll::{PollEvent, Reading};

/// Lines a page scroll moves.
const PAGE: usize = 10;

impl App {
    pub fn apply_poll(&mut self, event: PollEvent) {
        match event {
            PollEvent::Started { scope, at } => match scope {
                Scope::Region(side) => self.region_mut(side).started(at),
                Scope::Global => self.global.started(at),
            },
            PollEvent::Finished { scope, at, result } => match (scope, result) {
                (Scope::Region(side), Ok(Reading::Region(reading))) => {
                    if side == Side::Standby {
                        let lag = reading
                            .database
                            .as_ref()
                            .and_then(|d| d.as_ref().ok())
                            .map(|d| d.lag)
                            .unwrap_or(Lag::NoData);
                        self.push_lag(lag);
                    }
                    self.region_mut(side).succeeded(*reading, at);
                }
                (Scope::Global, Ok(Reading::Global(reading))) => self.global.succeeded(reading, at),
                (Scope::Region(side), Err(e)) => self.region_mut(side).failed(e.to_string(), at),
                (Scope::Global, Err(e)) => self.global.failed(e.to_string(), at),
                (scope, Ok(_)) => {
                    let msg = format!("{scope}: reading of the wrong kind");
                    match scope {
                        Scope::Region(side) => self.region_mut(side).failed(msg, at),
                        Scope::Global => self.global.failed(msg, at),
                    }
                }
            },
        }
        self.dirty = true;
    }

    fn push_lag(&mut self, lag: Lag) {
        if self.lag_history.len() == LAG_HISTORY {
            self.lag_history.pop_front();
        }
        self.lag_history.push_back(lag);
    }

    /// Applies a command from the key table. Returns side effects the loop must perform.
    pub fn apply_command(&mut self, command: Command) -> Option<Effect> {
        self.dirty = true;
        let idx = Panel::ALL
            .iter()
            .position(|p| *p == self.focus)
            .unwrap_or(0);
        if self.show_help && !matches!(command, Command::Help | Command::Quit) {
            self.show_help = false;
            return None;
        }
        match command {
            Command::Quit => self.should_quit = true,
            Command::Help => self.show_help = !self.show_help,
            Command::Refresh => return Some(Effect::Refresh),
            Command::TogglePause => {
                self.paused = !self.paused;
                return Some(Effect::Pause(self.paused));
            }
            Command::NextPanel => self.focus = self.focus.next(),
            Command::PrevPanel => self.focus = self.focus.prev(),
            Command::Up => self.scroll[idx] = self.scroll[idx].saturating_sub(1),
            Command::Down => self.scroll[idx] = (self.scroll[idx] + 1).min(self.content_len()),
            Command::PageUp => self.scroll[idx] = self.scroll[idx].saturating_sub(PAGE),
            Command::PageDown => {
                self.scroll[idx] = (self.scroll[idx] + PAGE).min(self.content_len())
            }
            Command::Top => self.scroll[idx] = 0,
            Command::Bottom => self.scroll[idx] = self.content_len(),
            Command::Fault(f) if self.simulation => return Some(Effect::Fault(f)),
            Command::Fault(_) => {}
        }
        None
    }

    /// Rows the focused panel can scroll through.
    fn content_len(&self) -> usize {
        match self.focus {
            Panel::Services => self.estate.services().len(),
            Panel::Asgs => self.estate.asgs.len(),
            Panel::Health => {
                self.estate.health_checks.len()
                    + self.estate.alarms.len()
                    + 2 * self.estate.target_groups.len()
            }
            Panel::Replication | Panel::Readiness => 0,
        }
    }

    pub fn set_notice(&mut self, text: String, now: Instant) {
        self.notice = Some((text, now));
        self.dirty = true;
    }
}

/// Work the event loop does on the app's behalf.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Effect {
    Refresh,
    Pause(bool),
    Fault(crate::backend::sim::Fault),
}

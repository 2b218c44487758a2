//! Keys on the dashboard and in the run view: panels, scrolling, help, pause, faults, the
//! live log's filter and search; runbook keys go on to the runbook's handling.

use super::{Effect, PAGE};
use crate::app::keys::Command;
use crate::app::{App, Panel, Typing};

impl App {
    /// Applies a command from the key table. Returns side effects the loop must perform.
    pub fn apply_command(&mut self, command: Command) -> Option<Effect> {
        self.dirty = true;
        let idx = self.focus.index();
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
            Command::NextPanel | Command::PrevPanel if self.run_view() => {
                if let Some(run) = self.run.as_mut() {
                    run.pane = if command == Command::NextPanel {
                        run.pane.next()
                    } else {
                        run.pane.prev()
                    };
                }
            }
            Command::Up
            | Command::Down
            | Command::PageUp
            | Command::PageDown
            | Command::Top
            | Command::Bottom
                if self.run_view() =>
            {
                self.scroll_run(command)
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
            Command::ToggleView => match self.run {
                Some(_) => self.dashboard_in_run = !self.dashboard_in_run,
                None => self.set_notice("no run to show".into(), self.now),
            },
            Command::FilterLog => self.filter_log(),
            Command::SearchLog => match &self.run {
                Some(run) => {
                    self.dashboard_in_run = false;
                    self.typing = Some(Typing::Search(run.log.search.clone().unwrap_or_default()));
                }
                None => self.set_notice("no run log to search".into(), self.now),
            },
            Command::Cancel
                if self.run_view()
                    && self.picker.is_none()
                    && self.run.as_mut().is_some_and(|r| r.log.clear_filters()) => {}
            Command::Runbooks
            | Command::Confirm
            | Command::Retry
            | Command::Skip
            | Command::Abort
            | Command::Cancel
            | Command::Approve
            | Command::ToggleDrill
            | Command::Finding
            | Command::Select => return self.run_command(command),
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
}

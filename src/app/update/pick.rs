//! Keys while the runbook list is open: moving through it, marking the run a drill, picking.

use super::Effect;
use crate::app::keys::{self, Command};
use crate::app::{App, PickItem};

impl App {
    /// A key while the runbook picker is open.
    pub fn pick_key(&mut self, command: Command) -> Option<Effect> {
        let picker = self.picker.as_mut()?;
        self.dirty = true;
        match command {
            Command::Up => picker.selected = picker.selected.saturating_sub(1),
            Command::Down => {
                picker.selected = (picker.selected + 1).min(picker.items.len().saturating_sub(1))
            }
            Command::Select
            | Command::Cancel
            | Command::Runbooks
            | Command::Quit
            | Command::ToggleDrill => {
                return self.run_command(command).or_else(|| {
                    if command == Command::Quit {
                        self.should_quit = true;
                    }
                    None
                });
            }
            _ => {}
        }
        None
    }

    /// `d` in the runbook list: the run about to start is a drill, or again a real incident.
    /// A resumed run keeps what it started as.
    pub(super) fn toggle_drill(&mut self) {
        let Some(picker) = self.picker.as_mut() else {
            let key = keys::key_of(Command::Runbooks);
            self.set_notice(
                format!("a run is marked a drill before it starts: {key}, then d in the list"),
                self.now,
            );
            return;
        };
        if let Some(PickItem::Resume { .. }) = picker.items.get(picker.selected) {
            let was = if self.unfinished.as_ref().is_some_and(|j| j.drill) {
                "a drill"
            } else {
                "a real incident"
            };
            self.set_notice(
                format!("a resumed run stays what it started as: {was}"),
                self.now,
            );
            return;
        }
        picker.drill = !picker.drill;
    }
}

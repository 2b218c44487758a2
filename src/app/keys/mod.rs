//! Key bindings as data: the dispatcher, the help overlay, the footer and the action pane's
//! hints all read the same tables, so a binding changed here changes everywhere.

mod edit;
mod table;
#[cfg(test)]
mod tests;

pub use edit::{EDITING, Edit, EditBinding, edit_key, lookup_edit};
pub use table::{BINDINGS, FAULTS};

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use crate::backend::sim::Fault;

const NONE: KeyModifiers = KeyModifiers::NONE;
const SHIFT: KeyModifiers = KeyModifiers::SHIFT;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Command {
    Quit,
    Help,
    Refresh,
    TogglePause,
    NextPanel,
    PrevPanel,
    Up,
    Down,
    PageUp,
    PageDown,
    Top,
    Bottom,
    /// Simulation only.
    Fault(Fault),
    /// Open the runbook picker.
    Runbooks,
    /// Confirm the step awaiting confirmation (irreversible steps then ask for the region).
    Confirm,
    Retry,
    Skip,
    Abort,
    /// Close the picker, stop typing, or dismiss a finished run.
    Cancel,
    /// Start the picked runbook (in the picker only).
    Select,
    /// During a run: the run view or the full dashboard.
    ToggleView,
    /// The live log: one step's lines, cycling through the steps, then all again.
    FilterLog,
    /// The live log: type text to look for.
    SearchLog,
    /// Following another operator's run: approve the step it waits on (its id typed).
    Approve,
    /// In the runbook list: the run about to start is a drill (again: a real incident).
    ToggleDrill,
    /// A finished run: type a finding (one line) for its report.
    Finding,
}

pub struct Binding {
    pub keys: &'static [(KeyCode, KeyModifiers)],
    pub command: Command,
    /// What the help overlay says.
    pub help: &'static str,
    /// The word the footer shows next to the key.
    pub hint: &'static str,
    /// Shown and active only in simulation.
    pub sim_only: bool,
}

impl Binding {
    /// Whether the binding changes or drives a runbook (removed in read-only mode).
    pub fn acts(&self) -> bool {
        matches!(
            self.command,
            Command::Runbooks
                | Command::Confirm
                | Command::Retry
                | Command::Skip
                | Command::Abort
                | Command::Select
                | Command::Approve
                | Command::ToggleDrill
                | Command::Finding
        )
    }

    /// Whether the binding exists in this mode: fault keys only in simulation, no acting key
    /// in read-only mode.
    pub fn available(&self, simulation: bool, read_only: bool) -> bool {
        (simulation || !self.sim_only) && !(read_only && self.acts())
    }

    /// Every key of the binding, as the help overlay lists them: `q / Ctrl-C`.
    pub fn label(&self) -> String {
        let mut names: Vec<String> = Vec::new();
        for key in self.keys {
            let name = key_name(key);
            if !names.contains(&name) {
                names.push(name);
            }
        }
        names.join(" / ")
    }

    /// The binding's first key, as hints show it: `q`.
    pub fn key(&self) -> String {
        self.keys.first().map(key_name).unwrap_or_default()
    }
}

/// A key as written on screen. Shift is implied by an upper-case letter.
pub fn key_name(&(code, mods): &(KeyCode, KeyModifiers)) -> String {
    match code {
        KeyCode::Char(c) if mods.contains(KeyModifiers::CONTROL) => {
            format!("Ctrl-{}", c.to_ascii_uppercase())
        }
        KeyCode::Char(c) => c.to_string(),
        KeyCode::Enter => "Enter".into(),
        KeyCode::Esc => "Esc".into(),
        KeyCode::Tab => "Tab".into(),
        KeyCode::BackTab => "Shift-Tab".into(),
        KeyCode::Backspace => "Backspace".into(),
        KeyCode::Up => "↑".into(),
        KeyCode::Down => "↓".into(),
        KeyCode::Left => "←".into(),
        KeyCode::Right => "→".into(),
        KeyCode::PageUp => "PgUp".into(),
        KeyCode::PageDown => "PgDn".into(),
        KeyCode::Home => "Home".into(),
        KeyCode::End => "End".into(),
        other => format!("{other:?}"),
    }
}

/// The binding of a command.
pub fn binding(command: Command) -> Option<&'static Binding> {
    BINDINGS.iter().find(|b| b.command == command)
}

/// The key that gives a command, as hints show it: `y`.
pub fn key_of(command: Command) -> String {
    binding(command).map(Binding::key).unwrap_or_default()
}

/// The keys of several commands shown as one hint: arrows side by side (`↑↓`), other keys
/// apart (`D/L/T/S`).
pub fn keys_of(commands: &[Command]) -> String {
    let names: Vec<String> = commands.iter().map(|c| key_of(*c)).collect();
    let arrows = names
        .iter()
        .all(|n| matches!(n.as_str(), "↑" | "↓" | "←" | "→"));
    names.join(if arrows { "" } else { "/" })
}

/// The command a key press maps to, if any. Read-only mode has no acting bindings at all.
pub fn lookup(key: &KeyEvent, simulation: bool, read_only: bool) -> Option<Command> {
    BINDINGS
        .iter()
        .filter(|b| b.available(simulation, read_only))
        .find(|b| {
            b.keys
                .iter()
                .any(|(code, mods)| *code == key.code && key.modifiers == *mods)
        })
        .map(|b| b.command)
}

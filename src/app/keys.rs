//! Key bindings as data: the dispatcher, the help overlay, the footer and the action pane's
//! hints all read the same tables, so a binding changed here changes everywhere.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use crate::backend::sim::Fault;

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

/// The fault keys (simulation only), which the footer shows as one hint.
pub const FAULTS: &[Command] = &[
    Command::Fault(Fault::PrimaryDark),
    Command::Fault(Fault::ReplicationStopped),
    Command::Fault(Fault::Throttling),
    Command::Fault(Fault::StuckStep),
];

const NONE: KeyModifiers = KeyModifiers::NONE;
const SHIFT: KeyModifiers = KeyModifiers::SHIFT;

pub const BINDINGS: &[Binding] = &[
    Binding {
        keys: &[(KeyCode::Char('x'), NONE)],
        command: Command::Runbooks,
        help: "runbooks: failover, failback, a drill, or resume",
        hint: "runbooks",
        sim_only: false,
    },
    Binding {
        keys: &[(KeyCode::Enter, NONE)],
        command: Command::Select,
        help: "runbook list: start the selected one (never confirms a step)",
        hint: "start",
        sim_only: false,
    },
    Binding {
        keys: &[(KeyCode::Char('y'), NONE)],
        command: Command::Confirm,
        help: "confirm the step (irreversible: then type the region)",
        hint: "confirm",
        sim_only: false,
    },
    Binding {
        keys: &[(KeyCode::Char('t'), NONE)],
        command: Command::Retry,
        help: "try a failed step again",
        hint: "retry",
        sim_only: false,
    },
    Binding {
        keys: &[(KeyCode::Char('s'), NONE)],
        command: Command::Skip,
        help: "skip the step (type a reason, Enter)",
        hint: "skip",
        sim_only: false,
    },
    Binding {
        keys: &[(KeyCode::Char('A'), SHIFT), (KeyCode::Char('A'), NONE)],
        command: Command::Abort,
        help: "abort the run (nothing done is undone)",
        hint: "abort",
        sim_only: false,
    },
    Binding {
        keys: &[(KeyCode::Esc, NONE)],
        command: Command::Cancel,
        help: "close the list, stop typing, dismiss a finished run",
        hint: "close",
        sim_only: false,
    },
    Binding {
        keys: &[
            (KeyCode::Char('q'), NONE),
            (KeyCode::Char('c'), KeyModifiers::CONTROL),
        ],
        command: Command::Quit,
        help: "quit",
        hint: "quit",
        sim_only: false,
    },
    Binding {
        keys: &[(KeyCode::Char('?'), NONE), (KeyCode::Char('?'), SHIFT)],
        command: Command::Help,
        help: "show / hide this help",
        hint: "help",
        sim_only: false,
    },
    Binding {
        keys: &[(KeyCode::Char('r'), NONE)],
        command: Command::Refresh,
        help: "refresh both regions now",
        hint: "refresh",
        sim_only: false,
    },
    Binding {
        keys: &[(KeyCode::Char('p'), NONE)],
        command: Command::TogglePause,
        help: "pause / resume polling",
        hint: "pause",
        sim_only: false,
    },
    Binding {
        keys: &[(KeyCode::Tab, NONE)],
        command: Command::NextPanel,
        help: "focus the next panel",
        hint: "panel",
        sim_only: false,
    },
    Binding {
        keys: &[(KeyCode::BackTab, NONE), (KeyCode::BackTab, SHIFT)],
        command: Command::PrevPanel,
        help: "focus the previous panel",
        hint: "previous panel",
        sim_only: false,
    },
    Binding {
        keys: &[(KeyCode::Up, NONE), (KeyCode::Char('k'), NONE)],
        command: Command::Up,
        help: "scroll the focused panel up",
        hint: "scroll",
        sim_only: false,
    },
    Binding {
        keys: &[(KeyCode::Down, NONE), (KeyCode::Char('j'), NONE)],
        command: Command::Down,
        help: "scroll the focused panel down",
        hint: "scroll",
        sim_only: false,
    },
    Binding {
        keys: &[
            (KeyCode::PageUp, NONE),
            (KeyCode::Char('u'), KeyModifiers::CONTROL),
        ],
        command: Command::PageUp,
        help: "scroll a page up",
        hint: "page up",
        sim_only: false,
    },
    Binding {
        keys: &[
            (KeyCode::PageDown, NONE),
            (KeyCode::Char('d'), KeyModifiers::CONTROL),
        ],
        command: Command::PageDown,
        help: "scroll a page down",
        hint: "page down",
        sim_only: false,
    },
    Binding {
        keys: &[(KeyCode::Home, NONE), (KeyCode::Char('g'), NONE)],
        command: Command::Top,
        help: "scroll to the top",
        hint: "top",
        sim_only: false,
    },
    Binding {
        keys: &[
            (KeyCode::End, NONE),
            (KeyCode::Char('G'), SHIFT),
            (KeyCode::Char('G'), NONE),
        ],
        command: Command::Bottom,
        help: "scroll to the bottom",
        hint: "bottom",
        sim_only: false,
    },
    Binding {
        keys: &[(KeyCode::Char('D'), SHIFT), (KeyCode::Char('D'), NONE)],
        command: Command::Fault(Fault::PrimaryDark),
        help: "fault: primary region goes dark (its calls hang)",
        hint: "faults",
        sim_only: true,
    },
    Binding {
        keys: &[(KeyCode::Char('L'), SHIFT), (KeyCode::Char('L'), NONE)],
        command: Command::Fault(Fault::ReplicationStopped),
        help: "fault: replication stops (lag reads -1)",
        hint: "faults",
        sim_only: true,
    },
    Binding {
        keys: &[(KeyCode::Char('T'), SHIFT), (KeyCode::Char('T'), NONE)],
        command: Command::Fault(Fault::Throttling),
        help: "fault: API throttling (half the calls fail)",
        hint: "faults",
        sim_only: true,
    },
    Binding {
        keys: &[(KeyCode::Char('S'), SHIFT), (KeyCode::Char('S'), NONE)],
        command: Command::Fault(Fault::StuckStep),
        help: "fault: the next step gets stuck",
        hint: "faults",
        sim_only: true,
    },
];

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

/// What a key does while the operator types a region name or a skip reason; any other
/// character is typed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Edit {
    Submit,
    Cancel,
    Erase,
    Quit,
}

pub struct EditBinding {
    /// The modifiers given must be held; others are ignored.
    pub keys: &'static [(KeyCode, KeyModifiers)],
    pub edit: Edit,
    /// The word the footer shows next to the key.
    pub hint: &'static str,
}

pub const EDITING: &[EditBinding] = &[
    EditBinding {
        keys: &[(KeyCode::Enter, NONE)],
        edit: Edit::Submit,
        hint: "submit",
    },
    EditBinding {
        keys: &[(KeyCode::Esc, NONE)],
        edit: Edit::Cancel,
        hint: "cancel",
    },
    EditBinding {
        keys: &[(KeyCode::Backspace, NONE)],
        edit: Edit::Erase,
        hint: "erase",
    },
    EditBinding {
        keys: &[(KeyCode::Char('c'), KeyModifiers::CONTROL)],
        edit: Edit::Quit,
        hint: "quit",
    },
];

/// What a key does while typing, if it is not simply typed.
pub fn lookup_edit(key: &KeyEvent) -> Option<Edit> {
    EDITING
        .iter()
        .find(|b| {
            b.keys
                .iter()
                .any(|(code, mods)| *code == key.code && key.modifiers.contains(*mods))
        })
        .map(|b| b.edit)
}

/// The key that does `edit` while typing, as hints show it: `Esc`.
pub fn edit_key(edit: Edit) -> String {
    EDITING
        .iter()
        .find(|b| b.edit == edit)
        .and_then(|b| b.keys.first())
        .map(key_name)
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The help overlay's labels as they were written by hand before they were derived.
    #[test]
    fn labels_read_as_before() {
        let labels: Vec<String> = BINDINGS.iter().map(Binding::label).collect();
        assert_eq!(
            labels,
            [
                "x",
                "Enter",
                "y",
                "t",
                "s",
                "A",
                "Esc",
                "q / Ctrl-C",
                "?",
                "r",
                "p",
                "Tab",
                "Shift-Tab",
                "↑ / k",
                "↓ / j",
                "PgUp / Ctrl-U",
                "PgDn / Ctrl-D",
                "Home / g",
                "End / G",
                "D",
                "L",
                "T",
                "S",
            ]
        );
        assert_eq!(keys_of(&[Command::Up, Command::Down]), "↑↓");
        assert_eq!(keys_of(FAULTS), "D/L/T/S");
        assert_eq!(key_of(Command::Quit), "q");
    }

    #[test]
    fn editing_keys_ignore_extra_modifiers() {
        let key = |code, mods| KeyEvent::new(code, mods);
        let ctrl_shift = KeyModifiers::CONTROL | KeyModifiers::SHIFT;
        assert_eq!(
            lookup_edit(&key(KeyCode::Char('c'), ctrl_shift)),
            Some(Edit::Quit)
        );
        assert_eq!(lookup_edit(&key(KeyCode::Char('c'), NONE)), None);
        assert_eq!(lookup_edit(&key(KeyCode::Esc, SHIFT)), Some(Edit::Cancel));
        assert_eq!(edit_key(Edit::Erase), "Backspace");
    }
}

//! Key bindings as data: the dispatcher and the help overlay read the same table.

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
    pub label: &'static str,
    pub command: Command,
    pub help: &'static str,
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
}

const NONE: KeyModifiers = KeyModifiers::NONE;
const SHIFT: KeyModifiers = KeyModifiers::SHIFT;

pub const BINDINGS: &[Binding] = &[
    Binding {
        keys: &[(KeyCode::Char('x'), NONE)],
        label: "x",
        command: Command::Runbooks,
        help: "runbooks: failover, failback, a drill, or resume",
        sim_only: false,
    },
    Binding {
        keys: &[(KeyCode::Enter, NONE)],
        label: "Enter",
        command: Command::Select,
        help: "runbook list: start the selected one (never confirms a step)",
        sim_only: false,
    },
    Binding {
        keys: &[(KeyCode::Char('y'), NONE)],
        label: "y",
        command: Command::Confirm,
        help: "confirm the step (irreversible: then type the region)",
        sim_only: false,
    },
    Binding {
        keys: &[(KeyCode::Char('t'), NONE)],
        label: "t",
        command: Command::Retry,
        help: "try a failed step again",
        sim_only: false,
    },
    Binding {
        keys: &[(KeyCode::Char('s'), NONE)],
        label: "s",
        command: Command::Skip,
        help: "skip the step (type a reason, Enter)",
        sim_only: false,
    },
    Binding {
        keys: &[(KeyCode::Char('A'), SHIFT), (KeyCode::Char('A'), NONE)],
        label: "A",
        command: Command::Abort,
        help: "abort the run (nothing done is undone)",
        sim_only: false,
    },
    Binding {
        keys: &[(KeyCode::Esc, NONE)],
        label: "Esc",
        command: Command::Cancel,
        help: "close the list, stop typing, dismiss a finished run",
        sim_only: false,
    },
    Binding {
        keys: &[
            (KeyCode::Char('q'), NONE),
            (KeyCode::Char('c'), KeyModifiers::CONTROL),
        ],
        label: "q / Ctrl-C",
        command: Command::Quit,
        help: "quit",
        sim_only: false,
    },
    Binding {
        keys: &[(KeyCode::Char('?'), NONE), (KeyCode::Char('?'), SHIFT)],
        label: "?",
        command: Command::Help,
        help: "show / hide this help",
        sim_only: false,
    },
    Binding {
        keys: &[(KeyCode::Char('r'), NONE)],
        label: "r",
        command: Command::Refresh,
        help: "refresh both regions now",
        sim_only: false,
    },
    Binding {
        keys: &[(KeyCode::Char('p'), NONE)],
        label: "p",
        command: Command::TogglePause,
        help: "pause / resume polling",
        sim_only: false,
    },
    Binding {
        keys: &[(KeyCode::Tab, NONE)],
        label: "Tab",
        command: Command::NextPanel,
        help: "focus the next panel",
        sim_only: false,
    },
    Binding {
        keys: &[(KeyCode::BackTab, NONE), (KeyCode::BackTab, SHIFT)],
        label: "Shift-Tab",
        command: Command::PrevPanel,
        help: "focus the previous panel",
        sim_only: false,
    },
    Binding {
        keys: &[(KeyCode::Up, NONE), (KeyCode::Char('k'), NONE)],
        label: "↑ / k",
        command: Command::Up,
        help: "scroll the focused panel up",
        sim_only: false,
    },
    Binding {
        keys: &[(KeyCode::Down, NONE), (KeyCode::Char('j'), NONE)],
        label: "↓ / j",
        command: Command::Down,
        help: "scroll the focused panel down",
        sim_only: false,
    },
    Binding {
        keys: &[
            (KeyCode::PageUp, NONE),
            (KeyCode::Char('u'), KeyModifiers::CONTROL),
        ],
        label: "PgUp / Ctrl-U",
        command: Command::PageUp,
        help: "scroll a page up",
        sim_only: false,
    },
    Binding {
        keys: &[
            (KeyCode::PageDown, NONE),
            (KeyCode::Char('d'), KeyModifiers::CONTROL),
        ],
        label: "PgDn / Ctrl-D",
        command: Command::PageDown,
        help: "scroll a page down",
        sim_only: false,
    },
    Binding {
        keys: &[(KeyCode::Home, NONE), (KeyCode::Char('g'), NONE)],
        label: "Home / g",
        command: Command::Top,
        help: "scroll to the top",
        sim_only: false,
    },
    Binding {
        keys: &[
            (KeyCode::End, NONE),
            (KeyCode::Char('G'), SHIFT),
            (KeyCode::Char('G'), NONE),
        ],
        label: "End / G",
        command: Command::Bottom,
        help: "scroll to the bottom",
        sim_only: false,
    },
    Binding {
        keys: &[(KeyCode::Char('D'), SHIFT), (KeyCode::Char('D'), NONE)],
        label: "D",
        command: Command::Fault(Fault::PrimaryDark),
        help: "fault: primary region goes dark (its calls hang)",
        sim_only: true,
    },
    Binding {
        keys: &[(KeyCode::Char('L'), SHIFT), (KeyCode::Char('L'), NONE)],
        label: "L",
        command: Command::Fault(Fault::ReplicationStopped),
        help: "fault: replication stops (lag reads -1)",
        sim_only: true,
    },
    Binding {
        keys: &[(KeyCode::Char('T'), SHIFT), (KeyCode::Char('T'), NONE)],
        label: "T",
        command: Command::Fault(Fault::Throttling),
        help: "fault: API throttling (half the calls fail)",
        sim_only: true,
    },
    Binding {
        keys: &[(KeyCode::Char('S'), SHIFT), (KeyCode::Char('S'), NONE)],
        label: "S",
        command: Command::Fault(Fault::StuckStep),
        help: "fault: the next step gets stuck",
        sim_only: true,
    },
];

/// The command a key press maps to, if any. Read-only mode has no acting bindings at all.
pub fn lookup(key: &KeyEvent, simulation: bool, read_only: bool) -> Option<Command> {
    BINDINGS
        .iter()
        .filter(|b| simulation || !b.sim_only)
        .filter(|b| !(read_only && b.acts()))
        .find(|b| {
            b.keys
                .iter()
                .any(|(code, mods)| *code == key.code && key.modifiers == *mods)
        })
        .map(|b| b.command)
}

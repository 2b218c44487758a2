//! The table of bindings outside typing: every command, its keys, its help line and hint.

use crossterm::event::{KeyCode, KeyModifiers};

use super::{Binding, Command, NONE, SHIFT};
use crate::backend::sim::Fault;

/// The fault keys (simulation only), which the footer shows as one hint.
pub const FAULTS: &[Command] = &[
    Command::Fault(Fault::PrimaryDark),
    Command::Fault(Fault::ReplicationStopped),
    Command::Fault(Fault::Throttling),
    Command::Fault(Fault::StuckStep),
];

pub const BINDINGS: &[Binding] = &[
    Binding {
        keys: &[(KeyCode::Char('x'), NONE)],
        command: Command::Runbooks,
        help: "runbooks: failover, reprotect, failback, a drill, or resume",
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
        help: "focus the next panel (in a run: question, live log, steps)",
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
        help: "scroll the focused panel (or the question, log or steps) up",
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
        keys: &[(KeyCode::Char('v'), NONE)],
        command: Command::ToggleView,
        help: "during a run: the run view or the full dashboard",
        hint: "dashboard ⇄ run",
        sim_only: false,
    },
    Binding {
        keys: &[(KeyCode::Char('f'), NONE)],
        command: Command::FilterLog,
        help: "live log: one step's lines (again: the next step, then all)",
        hint: "filter log",
        sim_only: false,
    },
    Binding {
        keys: &[(KeyCode::Char('/'), NONE), (KeyCode::Char('/'), SHIFT)],
        command: Command::SearchLog,
        help: "live log: search it (type, Enter; Esc clears search and filter)",
        hint: "search log",
        sim_only: false,
    },
    Binding {
        keys: &[(KeyCode::Char('a'), NONE)],
        command: Command::Approve,
        help: "approve a followed run's waiting step (type its id)",
        hint: "approve",
        sim_only: false,
    },
    Binding {
        keys: &[(KeyCode::Char('d'), NONE)],
        command: Command::ToggleDrill,
        help: "runbook list: mark the run a drill (again: a real incident)",
        hint: "drill",
        sim_only: false,
    },
    Binding {
        keys: &[(KeyCode::Char('n'), NONE)],
        command: Command::Finding,
        help: "finished run: add a finding to its report (type, Enter)",
        hint: "finding",
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

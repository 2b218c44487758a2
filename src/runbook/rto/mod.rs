//! Where a run's time went, from its journal: waiting for the operator (a question shown and
//! not yet answered), waiting for AWS (calls made and verification until AWS shows the
//! target), and the engine itself (preflight reads, journal writes, the ticks between reads).

use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

use super::journal::{Journal, StepStatus};

/// Seconds of a stretch of the run, split three ways; the parts add up to `total`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TimeSplit {
    pub total: f64,
    pub operator: f64,
    pub aws: f64,
    pub engine: f64,
}

/// What the run was doing at a moment, by the states of its steps.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Waiting {
    Operator,
    Aws,
    Engine,
}

/// The labels the recorder writes a step's state change with (`label` or `label: note`).
const STATES: [(&str, Waiting); 10] = [
    ("awaiting confirmation", Waiting::Operator),
    ("failed", Waiting::Operator),
    ("awaiting approval", Waiting::Operator),
    ("running", Waiting::Aws),
    ("verifying", Waiting::Aws),
    ("pending", Waiting::Engine),
    ("preflight", Waiting::Engine),
    ("done", Waiting::Engine),
    ("skipped", Waiting::Engine),
    ("dry-run", Waiting::Engine),
];

/// What a step's state label (`label` or `label: note`) waits for.
pub fn state_of(text: &str) -> Option<Waiting> {
    STATES
        .iter()
        .find(|(label, _)| {
            text == *label
                || text
                    .strip_prefix(label)
                    .is_some_and(|rest| rest.starts_with(": "))
        })
        .map(|(_, w)| *w)
}

/// Splits the run's first `until` seconds. At any moment a step awaits the operator (a
/// confirmation, or a decision after a failure), the time is the operator's; else, while a
/// step is calling or verifying, AWS's; the rest is the engine's. Groups are left out: their
/// members say what is happening.
pub fn split(j: &Journal, until: f64) -> TimeSplit {
    // The record's own labels must stay the ones matched above.
    debug_assert!(
        STATES
            .iter()
            .any(|(l, _)| *l == StepStatus::AwaitingConfirmation.label())
    );
    let groups: BTreeSet<&str> = j.steps.iter().filter_map(|s| s.parent.as_deref()).collect();
    let mut states: BTreeMap<&str, Waiting> = BTreeMap::new();
    let mut out = TimeSplit {
        total: until.max(0.0),
        operator: 0.0,
        aws: 0.0,
        engine: 0.0,
    };
    let mut at = 0.0_f64;
    let mut now = Waiting::Engine;
    let add = |from: f64, to: f64, w: Waiting, out: &mut TimeSplit| {
        let d = (to.min(until) - from.max(0.0)).max(0.0);
        match w {
            Waiting::Operator => out.operator += d,
            Waiting::Aws => out.aws += d,
            Waiting::Engine => out.engine += d,
        }
    };
    for e in &j.timeline {
        let Some(step) = e.step.as_deref() else {
            continue;
        };
        if groups.contains(step) {
            continue;
        }
        let Some(state) = state_of(&e.text) else {
            continue;
        };
        if e.at >= until {
            break;
        }
        add(at, e.at, now, &mut out);
        at = e.at.max(at);
        states.insert(step, state);
        now = if states.values().any(|w| *w == Waiting::Operator) {
            Waiting::Operator
        } else if states.values().any(|w| *w == Waiting::Aws) {
            Waiting::Aws
        } else {
            Waiting::Engine
        };
    }
    add(at, until, now, &mut out);
    out
}

/// One step's stretches, from its first state change to its final one (or the end of the
/// run): `(from, to, what it waited for, began with a question to the operator)`.
pub fn step_segments(j: &Journal, id: &str) -> Vec<(f64, f64, Waiting, bool)> {
    let mut out = Vec::new();
    let mut open: Option<(f64, Waiting, bool)> = None;
    for e in j.timeline.iter().filter(|e| e.step.as_deref() == Some(id)) {
        let Some(w) = state_of(&e.text) else {
            continue;
        };
        if let Some((from, was, asked)) = open.take()
            && e.at > from
        {
            out.push((from, e.at, was, asked));
        }
        let fin = ["done", "skipped", "dry-run"]
            .iter()
            .any(|l| e.text == *l || e.text.starts_with(&format!("{l}:")));
        if !fin {
            open = Some((e.at, w, e.text.starts_with("awaiting confirmation")));
        }
    }
    if let Some((from, was, asked)) = open {
        let end = j
            .steps
            .iter()
            .find(|s| s.id == id)
            .and_then(|s| s.finished)
            .unwrap_or(j.elapsed);
        if end > from {
            out.push((from, end, was, asked));
        }
    }
    out
}

/// How the achieved RTO compares with the objective.
pub fn against(rto: f64, objective: Duration) -> String {
    let goal = objective.as_secs_f64();
    let share = if goal > 0.0 { 100.0 * rto / goal } else { 0.0 };
    if rto <= goal {
        format!(
            "met: {} of {} ({share:.0} %)",
            super::report::secs(rto),
            super::report::secs(goal)
        )
    } else {
        format!(
            "MISSED by {}: {} against {} ({share:.0} %)",
            super::report::secs(rto - goal),
            super::report::secs(rto),
            super::report::secs(goal)
        )
    }
}

#[cfg(test)]
mod tests;

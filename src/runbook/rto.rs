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
mod tests {
    use super::*;
    use crate::config::runbook::RunbookSpec;
    use crate::runbook::journal::{StepRecord, TimelineEntry};

    fn entry(at: f64, step: &str, text: &str) -> TimelineEntry {
        TimelineEntry {
            at,
            utc: chrono::Utc::now(),
            step: Some(step.into()),
            text: text.into(),
        }
    }

    fn record(id: &str) -> StepRecord {
        StepRecord {
            id: id.into(),
            title: id.into(),
            kind: "wait".into(),
            optional: false,
            parent: None,
            status: StepStatus::Pending,
            started: None,
            finished: None,
            memo: Default::default(),
            verify_overhead: None,
        }
    }

    fn journal(timeline: Vec<TimelineEntry>) -> Journal {
        let now = chrono::Utc::now();
        Journal {
            version: 1,
            run_id: "r".into(),
            runbook: "failover".into(),
            estate: "e".into(),
            dry_run: false,
            started_at: now,
            updated_at: now,
            elapsed: 0.0,
            spec: RunbookSpec {
                description: None,
                steps: Vec::new(),
            },
            steps: vec![record("g.1"), record("g.2")],
            timeline,
            metrics: Default::default(),
            accounts: Default::default(),
            outcome: None,
            drill: false,
            report: None,
            audit_head: None,
        }
    }

    #[test]
    fn time_is_split_between_operator_aws_and_engine() {
        // preflight 0–2 (engine), asked 2–32 (operator), calling and verifying 32–100 (AWS),
        // done at 100; then a second step preflights 100–103 and verifies 103–140.
        let j = journal(vec![
            entry(0.0, "a", "preflight"),
            entry(2.0, "a", "awaiting confirmation"),
            entry(32.0, "a", "running"),
            entry(35.0, "a", "verifying"),
            entry(100.0, "a", "done: ok"),
            entry(100.0, "b", "preflight"),
            entry(103.0, "b", "verifying"),
            entry(140.0, "b", "done: ok"),
        ]);
        let s = split(&j, 150.0);
        assert_eq!(s.operator, 30.0);
        assert_eq!(s.aws, 68.0 + 37.0);
        assert_eq!(s.engine, 2.0 + 3.0 + 10.0);
        assert_eq!(s.operator + s.aws + s.engine, s.total);
        // Cut at the RTO: only what came before counts.
        let s = split(&j, 50.0);
        assert_eq!((s.engine, s.operator, s.aws), (2.0, 30.0, 18.0));
    }

    #[test]
    fn a_question_outweighs_a_member_still_verifying_and_groups_are_left_out() {
        let mut j = journal(vec![
            entry(0.0, "g", "running"),
            entry(0.0, "g.1", "verifying"),
            entry(0.0, "g.2", "verifying"),
            entry(10.0, "g.2", "failed: timed out"),
            entry(40.0, "g.2", "skipped: drill"),
            entry(50.0, "g.1", "done: ok"),
            entry(50.0, "g", "done: ok"),
        ]);
        for s in &mut j.steps {
            s.parent = Some("g".into());
        }
        let s = split(&j, 60.0);
        assert_eq!((s.aws, s.operator, s.engine), (20.0, 30.0, 10.0));
    }

    #[test]
    fn objective_met_or_missed() {
        let goal = Duration::from_secs(900);
        assert_eq!(against(540.0, goal), "met: 9m of 15m (60 %)");
        assert_eq!(
            against(960.0, goal),
            "MISSED by 1m: 16m against 15m (107 %)"
        );
    }

    #[test]
    fn the_report_splits_the_rto_and_compares_it_with_the_objective() {
        let mut j = journal(vec![
            entry(0.0, "g.1", "preflight"),
            entry(5.0, "g.1", "awaiting confirmation"),
            entry(65.0, "g.1", "running"),
            entry(600.0, "g.1", "done: ok"),
        ]);
        j.elapsed = 700.0;
        j.metrics.dns_moved_at = Some(580.0);
        j.metrics.dns_side = Some(crate::model::Side::Standby);
        j.metrics
            .healthy_at
            .insert(crate::model::Side::Standby, 600.0);
        let text = crate::runbook::report::render(&j, Some(Duration::from_secs(900)));
        assert!(
            text.contains("- RTO objective: met: 10m of 15m (67 %)"),
            "{text}"
        );
        assert!(
            text.contains(
                "- the RTO spent: 1m waiting for the operator, 8m 55s waiting for AWS, 5s engine overhead"
            ),
            "{text}"
        );
        assert!(
            text.contains("| whole run | 1m (9 %) | 8m 55s (76 %) | 1m 45s (15 %) | 11m 40s |"),
            "{text}"
        );
        let text = crate::runbook::report::render(&j, Some(Duration::from_secs(540)));
        assert!(text.contains("MISSED by 1m: 10m against 9m"), "{text}");
        let text = crate::runbook::report::render(&j, None);
        assert!(text.contains("- RTO objective: not set"), "{text}");
    }
}

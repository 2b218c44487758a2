//! Where a run's time went: split between the operator, AWS and the engine, and measured
//! against the RTO objective.

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

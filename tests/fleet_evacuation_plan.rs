//! The evacuation's plan and its second decisions, on the simulator. Before the phrase is
//! typed, each estate's plan (its steps, calls, data loss, what it will skip) is shown,
//! scrollable; headless without `--yes` prints the same text and calls nothing. An estate
//! whose loss grew past the one shown stops and asks: `DISCARD` fails it over accepting the
//! loss as read again, `SKIP` leaves it; the other estates go on meanwhile.

#[path = "common/counting.rs"]
mod counting;
#[path = "common/fleet.rs"]
mod fleet;

use std::time::Duration;

use crossterm::event::KeyCode;
use drconsole::app::fleet::BatchState;
use drconsole::backend::Backend;
use drconsole::backend::sim::Fault;
use drconsole::model::{DbRole, Side};
use drconsole::runbook::batch::plan::render_plan;
use fleet::{Fleet, assets};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_plan_of_every_estate_is_shown_before_the_phrase_and_scrolls() {
    let mut f = Fleet::new(assets());
    f.poll().await;
    f.key(KeyCode::Char('x'));
    let reading = f.screen(80, 24);
    assert!(reading.contains("reading its plan"), "{reading}");
    f.until("the plans", |s| {
        s.evacuation.as_ref().is_some_and(|e| e.planned())
    })
    .await;
    let e = f.state.evacuation.clone().expect("offered");
    for p in e.plans.iter().flatten() {
        assert_eq!(p.steps.len(), 8, "{p:#?}");
        assert!(p.error.is_none());
        let promote = p.steps.iter().find(|s| s.irreversible).expect("promotion");
        assert_eq!(promote.calls.len(), 1, "{promote:?}");
        assert!(promote.calls[0].starts_with("rds:PromoteReadReplica"));
        assert!(promote.discards.is_some(), "the replicas lag: {promote:?}");
        assert!(p.loss.is_some());
    }
    // The view is the text render_plan makes, estate after estate.
    let names: Vec<&str> = e
        .estates
        .iter()
        .map(|i| f.estates[*i].name.as_str())
        .collect();
    let lines = e.plan_lines(&names);
    let first = render_plan(e.plans[0].as_ref().expect("read"));
    assert_eq!(lines[..first.lines().count()].join("\n"), first.trim_end());

    let big = f.screen(160, 48);
    eprintln!("{big}");
    assert!(
        big.contains("Plan: failover of 3 estate(s) active in us-east-1"),
        "{big}"
    );
    assert!(
        big.contains("call rds:PromoteReadReplica billing-db-replica"),
        "{big}"
    );
    assert!(big.contains("type us-east-1 3 DISCARD"), "{big}");
    let small = f.screen(80, 24);
    assert!(small.contains("== billing: failover, 8 step(s)"), "{small}");
    assert!(small.contains("▼ "), "{small}");
    assert!(!small.contains("▲ "), "{small}");
    // PgDn scrolls the plan (letters are the phrase's); End shows the last estate's.
    f.key(KeyCode::PageDown);
    let paged = f.screen(80, 24);
    assert!(paged.contains("▲ "), "{paged}");
    f.key(KeyCode::End);
    let end = f.screen(80, 24);
    assert!(!end.contains("▼ "), "{end}");
    assert!(end.contains("payments"), "{end}");
    assert!(
        f.state
            .evacuation
            .as_ref()
            .expect("still offered")
            .typed
            .is_empty()
    );
    f.key(KeyCode::Home);
    assert_eq!(f.state.evacuation.as_ref().expect("offered").scroll, 0);
    f.key(KeyCode::Esc);
    assert!(f.state.evacuation.is_none());
    assert!(
        f.counts.iter().all(|c| c.count() == 0),
        "planning changes nothing"
    );
}

#[test]
fn headless_without_yes_prints_each_estates_plan_and_calls_nothing() {
    let dir = tempfile::tempdir().expect("tempdir");
    let assets = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/fleet");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_drconsole"))
        .arg("run")
        .arg("failover")
        .arg("--config")
        .arg(&assets)
        .arg("--simulate")
        .arg("--state-dir")
        .arg(dir.path())
        .arg("--audit-log")
        .arg(dir.path().join("audit.jsonl"))
        .output()
        .expect("run");
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(2),
        "{text}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        text.starts_with("not confirmed: showing each estate's plan only"),
        "{text}"
    );
    for name in ["billing", "catalog", "payments"] {
        let head = text
            .lines()
            .find(|l| l.starts_with(&format!("== {name}: failover, 8 step(s), ")))
            .unwrap_or_else(|| panic!("{name}:\n{text}"));
        assert!(head.contains("DATA LOSS up to "), "{head}");
        assert!(
            text.contains(&format!(
                "call rds:PromoteReadReplica {name}-db-replica (standby)"
            )),
            "{text}"
        );
    }
    assert!(text.contains("database: promote the standby replica (irreversible) — 1 call(s)"));
    // Nothing ran: no journal, no batch report.
    let runs = dir.path().join("runs");
    let made = std::fs::read_dir(&runs).map(|d| d.count()).unwrap_or(0);
    assert_eq!(made, 0, "{runs:?}");
}

/// Offers the evacuation, darkens the first estate's primary after the phrase was shown (its
/// replica's lag grows past it), confirms, and waits for that estate's new question with its
/// plan read again.
async fn evacuate_with_a_growing_loss(f: &mut Fleet) {
    f.poll().await;
    f.key(KeyCode::Char('x'));
    f.until("the plans", |s| {
        s.evacuation.as_ref().is_some_and(|e| e.planned())
    })
    .await;
    let phrase = f.state.evacuation.as_ref().expect("offered").phrase();
    f.sims[0].toggle(Fault::PrimaryDark);
    tokio::time::sleep(Duration::from_millis(300)).await;
    f.typed(&phrase);
    f.key(KeyCode::Enter);
    assert!(f.state.evacuation.is_none(), "{:?}", f.state.notice);
    f.until("the new question", |s| {
        s.reask_open && s.reasks.iter().any(|r| r.estate == 0 && r.plan.is_some())
    })
    .await;
    // The simulated lag of the others wanders too: one may have stopped for the same
    // reason. Those asked first are left as they are.
    while f.state.reasks[0].estate != 0 {
        f.typed("SKIP");
        f.key(KeyCode::Enter);
    }
    assert!(f.state.reask_open);
}

async fn standby_role(f: &Fleet, i: usize) -> DbRole {
    let standby = f.sims[i].read_region(Side::Standby).await.expect("standby");
    standby.database.expect("db").expect("read").role
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_estate_whose_loss_grew_asks_again_and_discard_fails_it_over() {
    let mut f = Fleet::new(assets());
    evacuate_with_a_growing_loss(&mut f).await;
    let small = f.screen(80, 24);
    eprintln!("{small}");
    assert!(small.contains("billing: its data loss grew past what the evacuation showed"));
    assert!(
        small.contains("type DISCARD to fail billing over"),
        "{small}"
    );
    let r = f.state.reasks[0].clone();
    let now = r.loss().expect("a loss");
    assert!(
        !now.within(r.shown.up_to_secs),
        "{now:?} against {:?}",
        r.shown
    );
    assert!(matches!(standby_role(&f, 0).await, DbRole::Replica { .. }));
    // Nothing else typed is a decision.
    f.typed("yes");
    f.key(KeyCode::Enter);
    assert_eq!(f.state.reasks[0].estate, 0);
    assert!(
        f.state
            .notice
            .as_deref()
            .unwrap_or("")
            .contains("DISCARD or SKIP")
    );

    // The primary answers again (its lag back within the loss read): DISCARD accepts the loss
    // as read after the stop, and the estate fails over, alone; the others went on.
    f.sims[0].toggle(Fault::PrimaryDark);
    f.batch_done().await;
    f.typed("DISCARD");
    f.key(KeyCode::Enter);
    assert!(f.state.reasks.iter().all(|r| r.estate != 0));
    assert_eq!(f.state.batch[0], Some(BatchState::Queued));
    f.batch_done().await;
    assert_eq!(
        f.state.batch[0],
        Some(BatchState::Done(0)),
        "{:?}",
        f.state.batch
    );
    assert!(matches!(
        standby_role(&f, 0).await,
        DbRole::Writer | DbRole::Standalone
    ));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn skip_leaves_the_estate_whose_loss_grew_as_it_is() {
    let mut f = Fleet::new(assets());
    evacuate_with_a_growing_loss(&mut f).await;
    // Later: Esc hides the question, the footer and the row say one waits, `d` shows it.
    f.key(KeyCode::Esc);
    assert!(!f.state.reask_open);
    let small = f.screen(80, 24);
    assert!(small.contains("wait for a decision: d decide"), "{small}");
    f.key(KeyCode::Char('d'));
    assert!(f.state.reask_open);
    f.typed("SKIP");
    f.key(KeyCode::Enter);
    assert!(f.state.reasks.iter().all(|r| r.estate != 0));
    f.batch_done().await;
    assert_eq!(f.state.batch[0], Some(BatchState::Done(3)));
    let calls = f.counts[0].actions();
    assert!(
        !calls
            .iter()
            .any(|a| a.describe().starts_with("rds:PromoteReadReplica")),
        "{calls:?}"
    );
    assert!(matches!(standby_role(&f, 0).await, DbRole::Replica { .. }));
    // The decision is in the audit log, with what was shown and what was read again.
    let audit = std::fs::read_to_string(f.dir.path().join("audit.jsonl")).expect("audit log");
    let skipped: Vec<serde_json::Value> = audit
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).expect("a JSON line"))
        .filter(|v| v["event"] == "evacuation_skipped" && v["estate"] == "billing")
        .collect();
    assert_eq!(skipped.len(), 1, "{audit}");
    let line = &skipped[0];
    assert_eq!(line["typed"], "SKIP");
    assert_eq!(line["runbook"], "failover");
    assert!(line["loss_read_again"]["loss"].is_string(), "{line}");
    assert!(
        line["user"].as_str().is_some_and(|u| !u.is_empty()),
        "{line}"
    );
}

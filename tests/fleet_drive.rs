//! One estate driven from the fleet console, on the simulator: `Enter` opens it with its own
//! console (runbooks, confirmations, run view), `Esc` returns to the overview while its run
//! goes on and its row says where it is, `Enter` shows the live run again; once failed over,
//! the overview shows its new posture. The other estates are not changed: their backends
//! count no change.

#[path = "common/counting.rs"]
mod counting;
#[path = "common/fleet.rs"]
mod fleet;

use crossterm::event::KeyCode;
use drconsole::app::{PickItem, Question};
use drconsole::model::Side;
use drconsole::posture::PostureState;
use fleet::{Fleet, assets};

/// Starts `runbook` from the open estate's runbook list.
fn start(f: &mut Fleet, i: usize, runbook: &str) {
    f.key(KeyCode::Char('x'));
    let picker = f.state.apps[i].picker.as_ref().expect("the runbook list");
    let at = picker
        .items
        .iter()
        .position(|p| *p == PickItem::Start(runbook.into()))
        .expect("listed");
    for _ in 0..at {
        f.key(KeyCode::Down);
    }
    f.key(KeyCode::Enter);
    assert!(f.state.apps[i].run.is_some(), "started");
}

fn question(f: &Fleet, i: usize) -> Option<Question> {
    f.state.apps[i]
        .run
        .as_ref()
        .and_then(|r| r.question.clone())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_estate_fails_over_from_the_fleet_console_and_the_others_are_untouched() {
    let mut f = Fleet::new(assets());
    f.poll().await;
    let i = f.estate("catalog");
    f.select("catalog");
    f.key(KeyCode::Enter);
    assert_eq!(f.state.open, Some(i));
    start(&mut f, i, "failover");
    assert!(f.state.apps[i].run_view());

    // The first question: back to the overview, where the row says the run waits.
    f.until("a question", |s| {
        s.apps[i].run.as_ref().is_some_and(|r| r.question.is_some())
    })
    .await;
    f.key(KeyCode::Esc);
    assert_eq!(f.state.open, None, "Esc returned to the overview");
    let row = f
        .state
        .rows()
        .into_iter()
        .find(|r| r.name == "catalog")
        .expect("row");
    let progress = row.run.clone().expect("progress on the row");
    assert!(
        progress.starts_with("failover: step ") && progress.ends_with("waiting for confirmation"),
        "{progress}"
    );
    let overview = f.screen(160, 48);
    assert!(overview.contains(&progress), "{overview}");
    // Keys on the overview are not the run's: nothing was confirmed.
    f.key(KeyCode::Char('y'));
    assert!(question(&f, i).is_some());

    // Enter shows the live run again, where it waits.
    f.select("catalog");
    f.key(KeyCode::Enter);
    assert_eq!(f.state.open, Some(i));
    assert!(
        f.state.apps[i].run_view(),
        "the run view, not the dashboard"
    );
    let screen = f.screen(160, 48);
    assert!(screen.contains("failover"), "{screen}");

    // Every question answered as the one-estate console asks it: `y`, and the region (with
    // DISCARD) typed back for the irreversible promotion.
    let mut confirmed = 0;
    loop {
        f.until("a question or the end", |s| {
            s.apps[i]
                .run
                .as_ref()
                .is_some_and(|r| r.question.is_some() || r.finished())
        })
        .await;
        match question(&f, i) {
            Some(Question::Confirm(p)) => {
                f.key(KeyCode::Char('y'));
                if let Some(phrase) = p.type_to_confirm {
                    assert!(phrase.starts_with("us-west-2"), "{phrase}");
                    f.typed(&phrase);
                    f.key(KeyCode::Enter);
                }
                confirmed += 1;
                f.until("the answer", |s| {
                    s.apps[i].run.as_ref().is_none_or(|r| match &r.question {
                        Some(Question::Confirm(q)) => q.step != p.step,
                        _ => true,
                    })
                })
                .await;
            }
            Some(other) => panic!("{other:?}"),
            None => break,
        }
    }
    let run = f.state.apps[i].run.as_ref().expect("run");
    assert!(confirmed >= 3, "{confirmed}");
    assert_eq!(
        run.summary.as_ref().map(|s| &s.outcome),
        Some(&drconsole::runbook::RunOutcome::Completed),
        "{:?}",
        run.crashed
    );

    // Back on the overview, read again: failed over, DNS on the standby, the run completed.
    f.key(KeyCode::Esc);
    assert_eq!(f.state.open, None);
    f.poll().await;
    let row = f
        .state
        .rows()
        .into_iter()
        .find(|r| r.name == "catalog")
        .expect("row");
    assert_eq!(row.posture, PostureState::FailedOver, "{row:?}");
    assert_eq!(row.dns, Some(Side::Standby), "{row:?}");
    assert_eq!(row.active_region.as_deref(), Some("us-west-2"), "{row:?}");
    assert_eq!(row.run.as_deref(), Some("failover: completed"));
    let overview = f.screen(160, 48);
    eprintln!("{overview}");
    let line = overview
        .lines()
        .find(|l| l.contains("catalog"))
        .expect("row drawn");
    assert!(
        line.contains("FAILED-OVER") && line.contains("failover: completed"),
        "{line}"
    );
    assert!(overview.contains("1 failed over"), "{overview}");

    // The estate made its calls; the others none.
    assert!(f.counts[i].count() > 0);
    for (k, c) in f.counts.iter().enumerate().filter(|(k, _)| *k != i) {
        assert_eq!(
            c.count(),
            0,
            "{} changed: {:?}",
            f.estates[k].name,
            c.actions()
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn q_with_a_run_in_progress_asks_again_and_an_evacuation_waits_for_it() {
    let mut f = Fleet::new(assets());
    f.poll().await;
    let i = f.estate("billing");
    f.select("billing");
    f.key(KeyCode::Enter);
    start(&mut f, i, "failover");
    f.key(KeyCode::Esc);
    // An evacuation would run this estate twice: refused, and said.
    f.key(KeyCode::Char('x'));
    assert!(f.state.evacuation.is_none());
    let notice = f.state.notice.clone().expect("said");
    assert!(notice.contains("billing"), "{notice}");
    f.key(KeyCode::Char('q'));
    assert!(!f.state.should_quit, "asked again first");
    assert!(
        f.state
            .notice
            .as_deref()
            .unwrap_or("")
            .contains("press q again")
    );
    f.key(KeyCode::Char('q'));
    assert!(f.state.should_quit);
}

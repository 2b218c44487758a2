use std::time::Duration;

use super::lease::{Closed, EXTEND_WITHIN};
use super::local::LocalLock;
use super::*;
use crate::runbook::api::StepView;

fn view(id: &str, parent: Option<&str>, status: StepStatus) -> StepView {
    StepView {
        id: id.into(),
        title: format!("step {id}"),
        parent: parent.map(str::to_string),
        optional: false,
        status,
    }
}

#[test]
fn position_counts_top_level_steps_only() {
    let mut p = Progress::default();
    assert_eq!(p.position(), None);
    p.steps = vec![
        view("1", None, StepStatus::Done { note: "ok".into() }),
        view("2", None, StepStatus::Running),
        view("2.1", Some("2"), StepStatus::Pending),
        view("3", None, StepStatus::Pending),
    ];
    assert_eq!(p.position(), Some((2, 3)));
    for s in &mut p.steps {
        s.status = StepStatus::Done { note: "ok".into() };
    }
    assert_eq!(p.position(), Some((3, 3)));
}

#[test]
fn progress_follows_prompts_and_keeps_the_last_log_lines() {
    let mut p = Progress::default();
    assert!(p.apply(&RunEvent::Started {
        run_id: "r".into(),
        runbook: "failover".into(),
        mode: crate::runbook::RunMode::Live,
        resumed: false,
        drill: false,
        journal: "j".into(),
        steps: vec![view("1", None, StepStatus::Pending)],
    }));
    assert!(p.apply(&RunEvent::Step(view(
        "1",
        None,
        StepStatus::AwaitingConfirmation
    ))));
    assert!(p.apply(&RunEvent::AwaitingDecision {
        step: "1".into(),
        error: "boom".into(),
        optional: false,
        needs_primary: false,
    }));
    assert_eq!(p.prompt.as_deref(), Some("1 failed: boom"));
    // The same state again changes nothing a follower sees.
    assert!(!p.apply(&RunEvent::Step(view(
        "1",
        None,
        StepStatus::AwaitingConfirmation
    ))));
    assert!(p.apply(&RunEvent::Step(view("1", None, StepStatus::Running))));
    assert_eq!(p.prompt, None, "answered");
    for i in 0..40 {
        p.apply(&RunEvent::Log(crate::runbook::LogLine {
            utc: chrono::Utc::now(),
            at: i as f64,
            level: crate::runbook::Level::Info,
            step: None,
            text: format!("line {i}"),
        }));
    }
    assert_eq!(p.log.len(), PROGRESS_LOG);
    assert!(p.log.last().unwrap().ends_with("line 39"));
}

#[test]
fn a_holder_describes_itself_as_an_operator_reads_it() {
    let mut h = Holder::me("alice", "failover", "run-1");
    h.host = "laptop".into();
    h.since = chrono::DateTime::parse_from_rfc3339("2026-11-21T13:02:09Z")
        .unwrap()
        .into();
    h.progress.steps = vec![
        view("1", None, StepStatus::Done { note: "".into() }),
        view("2", None, StepStatus::Pending),
    ];
    let text = h.describe();
    assert!(
        text.starts_with("failover running by alice@laptop (pid ")
            && text.ends_with("since 13:02 UTC, step 2/2"),
        "{text}"
    );
    assert_eq!(h.who(), "alice@laptop");
    let now = chrono::Utc::now();
    assert!(!h.expired(now), "no lease: the local lock never expires");
    h.expires_at = Some(now - chrono::Duration::seconds(1));
    assert!(h.expired(now));
}

#[test]
fn this_process_is_alive_and_a_made_up_one_is_not() {
    assert!(pid_alive(std::process::id()));
    assert!(!pid_alive(u32::MAX - 7));
    let mut h = Holder::me("alice", "failover", "r");
    assert!(!h.is_dead_here(), "this process is alive");
    h.pid = u32::MAX - 7;
    assert!(h.is_dead_here());
    h.host = "another-machine".into();
    assert!(
        !h.is_dead_here(),
        "another machine's process is never judged from here"
    );
}

#[test]
fn the_local_lock_admits_one_holder_and_names_it_to_the_next() {
    let dir = tempfile::tempdir().unwrap();
    let lock = LocalLock::new(dir.path(), "orders/prod");
    assert!(lock.lock_path.ends_with("locks/orders_prod.lock"));
    let alice = Holder::me("alice", "failover", "run-a");
    let guard = lock.claim(&alice).unwrap().expect("free: claimed");
    assert!(lock.is_held());
    let bob = Holder::me("bob", "failback", "run-b");
    match lock.claim(&bob).unwrap() {
        Err(Refusal::Held {
            holder,
            expired,
            shared,
        }) => {
            assert_eq!(holder.user, "alice");
            assert_eq!(holder.run_id, "run-a");
            assert!(!expired && !shared);
        }
        other => panic!("expected held, got {other:?}"),
    }
    guard.release();
    assert!(!lock.is_held());
    let g = lock.claim(&bob).unwrap().expect("released: claimed");
    assert_eq!(lock.holder().unwrap().user, "bob");
    drop(g);
}

const MARGIN: Duration = Duration::from_secs(5);

#[tokio::test(start_paused = true)]
async fn the_fence_closes_at_the_lease_end_and_for_good() {
    let start = tokio::time::Instant::now();
    let fence = Fence::until(start + Duration::from_secs(55), MARGIN);
    assert!(fence.check().is_ok());
    // An on-time renewal is not late, and moves the end.
    tokio::time::advance(Duration::from_secs(10)).await;
    assert_eq!(
        fence.renewed(tokio::time::Instant::now(), Duration::from_secs(60)),
        None
    );
    tokio::time::advance(Duration::from_secs(60)).await;
    // A renewal answered after the lease ran out here is late, and does not reopen it: the
    // run may have been refused a change and be stopping.
    let late = fence
        .renewed(
            tokio::time::Instant::now() - Duration::from_secs(2),
            Duration::from_secs(60),
        )
        .expect("late");
    assert_eq!(late, Duration::from_secs(5));
    let why = fence.check().unwrap_err();
    assert!(why.contains("ran out without a renewal"), "{why}");
    assert!(fence.is_lost(), "ran out is for good");
    // Once refused for running out, a renewal is no longer late news: closed for good.
    assert_eq!(
        fence.renewed(tokio::time::Instant::now(), Duration::from_secs(60)),
        None
    );
    assert!(fence.check().is_err());

    let taken = Fence::until(
        tokio::time::Instant::now() + Duration::from_secs(55),
        MARGIN,
    );
    taken.lose("taken over by bob@desk".into());
    assert_eq!(taken.check().unwrap_err(), "taken over by bob@desk");
    taken.renewed(tokio::time::Instant::now(), Duration::from_secs(60));
    assert!(taken.check().is_err(), "lost is for good");
    assert!(Fence::open().check().is_ok());
}

#[tokio::test(start_paused = true)]
async fn a_call_whose_timeout_outlives_the_lease_is_refused() {
    let start = tokio::time::Instant::now();
    // Renewed just now: a 60 s lease, open for 55 s.
    let fence = Fence::until(start + Duration::from_secs(55), MARGIN);
    assert_eq!(fence.try_admit(Duration::from_secs(30)), Ok(()));
    tokio::time::advance(Duration::from_secs(40)).await;
    // 15 s left: a 10 s call fits, a 30 s one does not.
    assert_eq!(fence.try_admit(Duration::from_secs(10)), Ok(()));
    assert_eq!(
        fence.try_admit(Duration::from_secs(30)),
        Err(Closed::Short {
            left: Duration::from_secs(15)
        })
    );
    // Nobody renews (the table does not answer): after waiting for the keeper, the call is
    // refused, never sent, and says why.
    let began = tokio::time::Instant::now();
    let why = fence.admit(Duration::from_secs(30)).await.unwrap_err();
    assert_eq!(
        began.elapsed(),
        EXTEND_WITHIN,
        "waited for a renewal, bounded"
    );
    assert!(
        why.contains("may last up to 30s") && why.contains("was not sent"),
        "{why}"
    );
    // The keeper is asked for a lease that covers the call it refused.
    let now = tokio::time::Instant::now();
    assert!(fence.lease_for(now, Duration::from_secs(60)) >= Duration::from_secs(60));
    // Past the lease, even an instant change is refused, for good.
    tokio::time::advance(Duration::from_secs(6)).await;
    assert!(matches!(
        fence.try_admit(Duration::ZERO),
        Err(Closed::Lost(_))
    ));
}

#[tokio::test(start_paused = true)]
async fn a_long_call_waits_for_the_keeper_to_extend_the_lease() {
    let start = tokio::time::Instant::now();
    let fence = Fence::until(start + Duration::from_secs(55), MARGIN);
    // A Lambda invocation may last 15 min 30 s: longer than any lease of 60 s.
    let limit = Duration::from_secs(15 * 60 + 30);
    let keeper = {
        let fence = fence.clone();
        tokio::spawn(async move {
            fence.wake.notified().await;
            // The keeper renews with the lease the fence asks for.
            let started = tokio::time::Instant::now();
            let length = fence.lease_for(started, Duration::from_secs(60));
            tokio::time::advance(Duration::from_millis(300)).await;
            fence.renewed(started, length);
            length
        })
    };
    fence
        .admit(limit)
        .await
        .expect("admitted once the lease covers it");
    let length = keeper.await.unwrap();
    assert!(
        length >= limit + MARGIN,
        "the lease covers the call and the margin: {length:?}"
    );
    // Later renewals keep covering it, whatever the base lease.
    let later = tokio::time::Instant::now() + Duration::from_secs(10);
    tokio::time::advance(Duration::from_secs(10)).await;
    assert!(fence.lease_for(later, Duration::from_secs(60)) >= limit - Duration::from_secs(10));
}

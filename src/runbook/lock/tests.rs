use super::local::LocalLock;
use super::progress::PROGRESS_LOG;
use super::*;
use crate::runbook::api::{RunEvent, StepView};
use crate::runbook::journal::StepStatus;

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

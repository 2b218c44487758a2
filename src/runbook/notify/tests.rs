use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration as StdDuration;

use super::*;
use crate::runbook::api::{RunSummary, StepView};
use crate::runbook::journal::{Metrics, StepStatus};
use crate::runbook::{Level, LogLine, RunMode, RunOutcome};

fn view(id: &str, parent: Option<&str>, status: StepStatus) -> RunEvent {
    RunEvent::Step(StepView {
        id: id.into(),
        title: format!("title {id}"),
        parent: parent.map(str::to_string),
        optional: false,
        status,
    })
}

fn started() -> RunEvent {
    let RunEvent::Step(a) = view("1", None, StepStatus::Pending) else {
        unreachable!()
    };
    let RunEvent::Step(b) = view("2", None, StepStatus::Pending) else {
        unreachable!()
    };
    let RunEvent::Step(c) = view("2.1", Some("2"), StepStatus::Pending) else {
        unreachable!()
    };
    RunEvent::Started {
        run_id: "r1".into(),
        runbook: "failover".into(),
        mode: RunMode::Live,
        resumed: false,
        drill: false,
        journal: "j".into(),
        steps: vec![a, b, c],
    }
}

#[test]
fn a_run_says_what_an_incident_channel_needs_and_no_more() {
    let mut m = Messages::new("orders", "failover", "r1", "alice@laptop");
    let mut all = Vec::new();
    let mut feed = |e: RunEvent| all.extend(m.of(&e));
    feed(started());
    feed(view("1", None, StepStatus::AwaitingConfirmation));
    feed(view("1", None, StepStatus::Running));
    feed(view("1", None, StepStatus::Running)); // the same again: nothing
    feed(view(
        "1",
        None,
        StepStatus::Done {
            note: "moved".into(),
        },
    ));
    feed(view("2", None, StepStatus::Running)); // not confirmed: no question before
    feed(view(
        "2.1",
        Some("2"),
        StepStatus::Done { note: "ok".into() },
    )); // a member: quiet
    feed(view(
        "2.1",
        Some("2"),
        StepStatus::Failed {
            error: "boom".into(),
        },
    ));
    feed(view(
        "2",
        None,
        StepStatus::Skipped {
            reason: "later".into(),
        },
    ));
    feed(RunEvent::Log(LogLine {
        utc: chrono::Utc::now(),
        at: 1.0,
        level: Level::Info,
        step: None,
        text: "a log line is not a notification".into(),
    }));
    let mut metrics = Metrics {
        promoted_at: Some(12.0),
        rpo_lag: Some(crate::model::Lag::Known(7)),
        ..Metrics::default()
    };
    metrics.dns_moved_at = None;
    feed(RunEvent::Finished(RunSummary {
        run_id: "r1".into(),
        runbook: "failover".into(),
        outcome: RunOutcome::Completed,
        rto: Some(std::time::Duration::from_secs(250)),
        metrics,
        skipped: vec!["2".into()],
        journal: "j".into(),
        report: None,
    }));
    let kinds: Vec<&str> = all.iter().map(|m| m.event.as_str()).collect();
    assert_eq!(
        kinds,
        [
            "run_started",
            "step_confirmed",
            "step_done",
            "step_failed",
            "step_skipped",
            "run_finished"
        ]
    );
    assert_eq!(
        all[0].text,
        "[orders] failover started by alice@laptop (run r1, 2 steps)"
    );
    assert_eq!(all[3].step.as_deref(), Some("2.1"));
    assert_eq!(
        all[5].text,
        "[orders] failover completed: RTO 4m 10s, data loss: at most the replica lag at the \
         promotion, 7s, skipped: 2"
    );
}

/// Fails `failures` times, then succeeds; counts attempts.
struct Flaky {
    failures: u32,
    attempts: AtomicU32,
    hang: bool,
}

#[async_trait]
impl Sink for Flaky {
    fn label(&self) -> String {
        "flaky".into()
    }
    async fn send(&self, _m: &Message) -> Result<(), String> {
        let n = self.attempts.fetch_add(1, Ordering::SeqCst) + 1;
        if self.hang {
            std::future::pending::<()>().await;
        }
        if n <= self.failures {
            Err(format!("HTTP 500 (attempt {n})"))
        } else {
            Ok(())
        }
    }
}

fn audit_events(path: &std::path::Path) -> Vec<serde_json::Value> {
    std::fs::read_to_string(path)
        .unwrap_or_default()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

async fn send_one(sink: Arc<Flaky>) -> Vec<serde_json::Value> {
    let dir = tempfile::tempdir().unwrap();
    let audit = Audit {
        path: dir.path().join("audit.jsonl"),
        run_id: "r1".into(),
    };
    let (tx, rx) = mpsc::unbounded_channel();
    let task = spawn(
        Messages::new("orders", "failover", "r1", "alice@laptop"),
        vec![sink as Arc<dyn Sink>],
        false,
        audit.clone(),
        Arc::new(Mutex::new(None)),
        rx,
    );
    // Sending never waits on the destination.
    let began = tokio::time::Instant::now();
    tx.send(started()).unwrap();
    drop(tx);
    assert!(began.elapsed() < StdDuration::from_millis(1));
    task.await.unwrap();
    audit_events(&audit.path)
}

#[tokio::test(start_paused = true)]
async fn a_failing_destination_is_retried_then_given_up_and_audited() {
    let flaky = Arc::new(Flaky {
        failures: 2,
        attempts: AtomicU32::new(0),
        hang: false,
    });
    let audit = send_one(flaky.clone()).await;
    assert_eq!(flaky.attempts.load(Ordering::SeqCst), 3);
    assert_eq!(audit.len(), 1, "{audit:?}");
    assert_eq!(audit[0]["event"], "notify_sent");
    assert_eq!(audit[0]["notification"], "run_started");
    assert_eq!(audit[0]["attempts"], 3);

    let dead = Arc::new(Flaky {
        failures: u32::MAX,
        attempts: AtomicU32::new(0),
        hang: false,
    });
    let audit = send_one(dead.clone()).await;
    assert_eq!(dead.attempts.load(Ordering::SeqCst), ATTEMPTS);
    assert_eq!(audit[0]["event"], "notify_failed");
    assert_eq!(audit[0]["sink"], "flaky");
    assert!(audit[0]["error"].as_str().unwrap().contains("HTTP 500"));

    let hung = Arc::new(Flaky {
        failures: 0,
        attempts: AtomicU32::new(0),
        hang: true,
    });
    let audit = send_one(hung.clone()).await;
    assert_eq!(hung.attempts.load(Ordering::SeqCst), ATTEMPTS);
    assert!(
        audit[0]["error"]
            .as_str()
            .unwrap()
            .contains("no answer in 5s"),
        "{audit:?}"
    );
}

//! The approval rule and the file store (the simulator's), which writes on the same condition
//! as the DynamoDB store: who may approve, which plan, until when, and that of a late
//! approval and the timeout exactly one wins.

use std::sync::Arc;

use chrono::{Duration, Utc};

use super::file::FileStore;
use super::*;
use crate::runbook::api::PlannedCall;

fn op(user: &str, host: &str, principal: Option<&str>) -> Operator {
    Operator {
        user: user.into(),
        host: host.into(),
        principal: principal.map(str::to_string),
    }
}

fn request(expires_in: Duration) -> Request {
    let plan = Plan {
        title: "Promote orders-db-replica".into(),
        calls: vec![PlannedCall {
            step: "3".into(),
            call: "rds:PromoteReadReplica".into(),
            describe: "rds:PromoteReadReplica orders-db-replica (us-west-2)".into(),
            irreversible: true,
        }],
        changes: vec!["Promote: replica → writer".into()],
        discards: vec!["3: up to 12s of acknowledged writes".into()],
        warnings: vec![],
    };
    let now = Utc::now();
    Request {
        estate: "orders".into(),
        run_id: "run-1".into(),
        runbook: "failover".into(),
        step: "3".into(),
        request_id: "r1".into(),
        plan_sha256: plan.sha256("run-1", "3"),
        plan,
        requested_by: op(
            "alice",
            "laptop",
            Some("arn:aws:sts::1:assumed-role/Ops/alice"),
        ),
        requested_at: now,
        expires_at: now + expires_in,
        status: Status::Pending,
    }
}

#[test]
fn another_operator_is_another_user_at_host_or_another_known_principal() {
    let alice = op("alice", "laptop", Some("arn:a"));
    assert!(!alice.is_other(&op("alice", "laptop", Some("arn:a"))));
    assert!(
        !alice.is_other(&op("alice", "laptop", None)),
        "unknown principal"
    );
    assert!(alice.is_other(&op("alice", "laptop", Some("arn:b"))));
    assert!(alice.is_other(&op("bob", "laptop", Some("arn:a"))));
    assert!(alice.is_other(&op("alice", "desktop", None)));
}

#[test]
fn the_plan_hash_binds_the_run_the_step_and_every_line_of_the_plan() {
    let r = request(Duration::minutes(30));
    assert_eq!(r.plan_sha256.len(), 64);
    assert_ne!(r.plan.sha256("run-2", "3"), r.plan_sha256);
    assert_ne!(r.plan.sha256("run-1", "4"), r.plan_sha256);
    let mut other = r.plan.clone();
    other.discards[0] = "3: up to 13s of acknowledged writes".into();
    assert_ne!(other.sha256("run-1", "3"), r.plan_sha256);
    assert!(
        r.plan
            .lines()
            .iter()
            .any(|l| l.starts_with("DATA LOSS: 3: up to 12s"))
    );
}

#[test]
fn check_refuses_the_asker_another_plan_a_late_or_a_second_approval() {
    let r = request(Duration::minutes(30));
    let bob = op("bob", "desktop", None);
    let now = Utc::now();
    assert_eq!(check(&r, "r1", &r.plan_sha256, &bob, now), Ok(()));
    let own = check(&r, "r1", &r.plan_sha256, &op("alice", "laptop", None), now);
    assert!(matches!(own, Err(Refused::OwnStep { ref who }) if who == "alice@laptop"));
    assert!(matches!(
        check(&r, "r1", &"0".repeat(64), &bob, now),
        Err(Refused::PlanDiffers { .. })
    ));
    assert!(matches!(
        check(&r, "r0", &r.plan_sha256, &bob, now),
        Err(Refused::PlanDiffers { .. })
    ));
    assert!(matches!(
        check(&r, "r1", &r.plan_sha256, &bob, r.expires_at),
        Err(Refused::TimedOut { .. })
    ));
    let mut done = r.clone();
    done.status = Status::Approved {
        by: op("carol", "x", None),
        at: now,
    };
    assert!(matches!(
        check(&done, "r1", &r.plan_sha256, &bob, now),
        Err(Refused::NotPending(ref w)) if w.contains("carol@x")
    ));
}

#[tokio::test]
async fn the_file_store_approves_once_and_a_close_after_it_reads_the_approval() {
    let dir = tempfile::tempdir().unwrap();
    let store: Arc<dyn Store> = Arc::new(FileStore::new(dir.path(), "orders"));
    let r = request(Duration::minutes(30));
    store.put(&r).await.unwrap();
    let own = store
        .approve("run-1", "3", "r1", &r.plan_sha256, &r.requested_by)
        .await;
    assert!(matches!(own, Err(Refused::OwnStep { .. })), "{own:?}");
    let bob = op("bob", "desktop", None);
    let done = store
        .approve("run-1", "3", "r1", &r.plan_sha256, &bob)
        .await;
    assert!(matches!(
        done,
        Ok(Request {
            status: Status::Approved { .. },
            ..
        })
    ));
    let again = store
        .approve("run-1", "3", "r1", &r.plan_sha256, &op("carol", "x", None))
        .await;
    assert!(matches!(again, Err(Refused::NotPending(_))), "{again:?}");
    // The waiting run's timeout comes second: it finds the approval, not an expiry.
    let closed = store
        .close("run-1", "3", "r1", Status::Expired)
        .await
        .unwrap();
    assert!(
        matches!(closed, Some(Request { status: Status::Approved { ref by, .. }, .. }) if by == &bob)
    );
}

#[tokio::test]
async fn an_approval_after_the_timeout_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let store: Arc<dyn Store> = Arc::new(FileStore::new(dir.path(), "orders"));
    let r = request(Duration::minutes(30));
    store.put(&r).await.unwrap();
    store
        .close("run-1", "3", "r1", Status::Expired)
        .await
        .unwrap();
    let late = store
        .approve(
            "run-1",
            "3",
            "r1",
            &r.plan_sha256,
            &op("bob", "desktop", None),
        )
        .await;
    assert!(matches!(late, Err(Refused::TimedOut { .. })), "{late:?}");
    // Past its deadline but not yet closed by the run: refused all the same.
    let past = request(Duration::seconds(-1));
    store.put(&past).await.unwrap();
    let late = store
        .approve(
            "run-1",
            "3",
            "r1",
            &past.plan_sha256,
            &op("bob", "desktop", None),
        )
        .await;
    assert!(matches!(late, Err(Refused::TimedOut { .. })), "{late:?}");
    assert_eq!(
        store.get("run-1", "4").await.unwrap(),
        None,
        "another step has no request"
    );
}

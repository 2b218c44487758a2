//! The data-loss rule against moto: with the primary region dark and CloudWatch holding no
//! `ReplicaLag` datapoint (what a real regional outage usually shows), promoting the replica
//! may lose writes nobody can count. The headless failover is refused without
//! `--allow-data-loss` before any change, says why, and goes through with it.

mod support;

#[path = "common/moto_control.rs"]
mod moto_control;

use std::path::Path;

use serde_json::Value;
use support::{Endpoints, Moto, SilentListener, moto};

/// Operations that change something, as moto's request log names them.
const MUTATING: &[&str] = &[
    "PromoteReadReplica",
    "UpdateService",
    "UpdateAutoScalingGroup",
    "RegisterTargets",
    "ChangeResourceRecordSets",
    "PutParameter",
    "PutSecretValue",
    "CreateDBInstanceReadReplica",
];

fn run(config: &Path, dir: &Path, label: &str, flags: &[&str]) -> (Option<i32>, String) {
    moto::run_headless(config, dir, "failover", label, flags)
}

fn audit_calls(dir: &Path, label: &str) -> usize {
    let text =
        std::fs::read_to_string(dir.join(format!("audit-{label}.jsonl"))).unwrap_or_default();
    text.lines()
        .filter_map(|l| serde_json::from_str::<Value>(l).ok())
        .filter(|l| l["event"] == "call")
        .count()
}

#[test]
fn a_promotion_with_no_lag_reported_and_the_primary_dark_needs_allow_data_loss() {
    let m = Moto::start();
    let seeded = m.seed_with(&["--no-lag"]);
    let dir = tempfile::tempdir().expect("dir");
    let config = dir.path().join("orders.toml");
    let dark = SilentListener::start();
    let ep = Endpoints {
        primary: dark.url.clone(),
        standby: m.url.clone(),
        call_timeout: "2s",
    };
    std::fs::write(&config, seeded.estate_toml(&ep)).expect("write");
    // What seeding sent, so that only the runs' requests are counted.
    let seeded_reqs = moto_control::requests(&m.url);
    let sent = |op: &str| {
        moto_control::requests(&m.url).get(op).copied().unwrap_or(0)
            - seeded_reqs.get(op).copied().unwrap_or(0)
    };

    let (code, out) = run(
        &config,
        dir.path(),
        "refused",
        &["--yes", "--allow-irreversible"],
    );
    assert_eq!(code, Some(3), "{out}");
    assert!(out.contains("--allow-data-loss"), "names the flag: {out}");
    assert!(
        out.contains("unknown"),
        "says the loss is unknown rather than a number: {out}"
    );
    assert_eq!(audit_calls(dir.path(), "refused"), 0, "no change sent");
    for op in MUTATING {
        assert_eq!(sent(op), 0, "{op} sent while refusing");
    }

    let (code, out) = run(
        &config,
        dir.path(),
        "accepted",
        &["--yes", "--allow-irreversible", "--allow-data-loss"],
    );
    assert_eq!(code, Some(0), "{out}");
    assert_eq!(sent("PromoteReadReplica"), 1);
    drop(dark);
}

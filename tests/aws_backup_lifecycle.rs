//! The whole lifecycle of a `backup-restore` estate against moto, through the binary:
//! failover (the primary dark: the standby restored from the vault's newest recovery point),
//! reprotect (the primary back: its stale writer renamed aside, a cross-region replica of the
//! restored writer created in the primary), failback (writes stopped, the replica caught up
//! and promoted, DNS back, the restored standby set aside) ends `normal`, and moto applied
//! every change the runs made exactly once (counted in the harness's request log, against the
//! answered calls of the audit logs).
//!
//! The harness's in-progress states are on (tests/moto/progress.py): the restore job is
//! `PENDING` then `RUNNING`, the promotion `modifying`. moto computes no metrics: the
//! replica's `ReplicaLag` is published by the test, as CloudWatch would publish it for a
//! replica that exists (without it, "lag known" is never reached: the cause of the reprotect
//! that did not finish against moto before).

mod support;

#[path = "common/moto_control.rs"]
mod control;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use serde_json::Value;
use support::process::{Finished, run_limited};
use support::{Endpoints, Moto, Seeded, SilentListener, moto};

const VAULT: &str = "orders-dr-vault";
const PRIMARY: &str = "us-east-1";
const STANDBY: &str = "us-west-2";
/// A run that waits on something moto never shows fails the test instead of hanging it.
const RUN_LIMIT: Duration = Duration::from_secs(120);

fn backup_toml(seeded: &Seeded, ep: &Endpoints) -> String {
    let toml = seeded.estate_toml(ep).replace(
        "kind = \"rds-replica\"\nprimary = \"orders-db\"\nstandby = \"orders-db-replica\"",
        &format!(
            "kind = \"backup-restore\"\nprimary = \"orders-db\"\nstandby = \"orders-db-dr\"\nbackup_vault = \"{VAULT}\"\nsecurity_groups = [\"sg-0abc\"]\ninstance_class = \"db.t3.small\""
        ),
    );
    assert!(toml.contains("backup-restore"), "{toml}");
    toml.replacen(
        "poll_interval",
        "lag_warning = \"5m\"\nrpo_budget = \"30m\"\nfailback_settle = \"1s\"\npoll_interval",
        1,
    )
}

fn command(dir: &Path) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_drconsole"));
    cmd.env("HOME", dir).env("NO_COLOR", "1");
    for (k, v) in moto::test_env() {
        cmd.env(k, v);
    }
    for k in moto::UNSET_ENV {
        cmd.env_remove(k);
    }
    cmd
}

fn run(config: &Path, dir: &Path, name: &str, flags: &[&str]) -> Finished {
    let mut cmd = command(dir);
    cmd.arg("run")
        .arg(name)
        .args(flags)
        .arg("--config")
        .arg(config)
        .arg("--audit-log")
        .arg(dir.join(format!("audit-{name}.jsonl")))
        .arg("--state-dir")
        .arg(dir.join("state"));
    let done = run_limited(cmd, RUN_LIMIT);
    eprintln!(
        "run {name}: {:?} in {:.1?}\n{}",
        done.code,
        done.took,
        done.output()
    );
    done
}

fn status(config: &Path, dir: &Path) -> Value {
    let mut cmd = command(dir);
    cmd.arg("status").arg("--json").arg("--config").arg(config);
    let done = run_limited(cmd, RUN_LIMIT);
    serde_json::from_str(&done.stdout)
        .unwrap_or_else(|e| panic!("status --json is not JSON ({e}):\n{}", done.output()))
}

/// The answered calls of a run's audit log, by operation (`ecs:UpdateService` → `UpdateService`).
fn answered(dir: &Path, name: &str, into: &mut BTreeMap<String, u64>) {
    let text = std::fs::read_to_string(dir.join(format!("audit-{name}.jsonl"))).expect("audit");
    for l in text.lines() {
        let l: Value = serde_json::from_str(l).expect("audit line");
        if l["event"] == "result" {
            let call = l["call"].as_str().unwrap_or_default();
            let op = call.rsplit(':').next().unwrap_or(call).to_string();
            *into.entry(op).or_default() += 1;
        }
    }
}

fn write(dir: &Path, toml: &str) -> PathBuf {
    let config = dir.join("orders.toml");
    std::fs::write(&config, toml).expect("write estate");
    config
}

#[test]
fn failover_reprotect_failback_of_a_backup_restore_estate_ends_normal_with_each_change_once() {
    let m = Moto::start();
    let seeded = m.seed_with(&["--backup-vault", VAULT, "--recovery-point-age", "900"]);
    let seeding = control::changes(&m.url);
    let dir = tempfile::tempdir().expect("dir");

    // --- failover, the primary dark ---
    let silent = SilentListener::start();
    control::dark(&m.url, PRIMARY, true);
    let ep = Endpoints {
        primary: silent.url.clone(),
        standby: m.url.clone(),
        call_timeout: "2s",
    };
    let config = write(dir.path(), &backup_toml(&seeded, &ep));
    let done = run(
        &config,
        dir.path(),
        "failover",
        &["--yes", "--allow-irreversible", "--allow-data-loss"],
    );
    assert_eq!(done.code, Some(0), "{}", done.output());
    drop(silent);
    control::dark(&m.url, PRIMARY, false);

    // --- reprotect, the primary back ---
    let config = write(dir.path(), &backup_toml(&seeded, &Endpoints::both(&m.url)));
    m.put_lag(PRIMARY, "orders-db", 2, 150);
    let done = run(&config, dir.path(), "reprotect", &["--yes"]);
    assert_eq!(done.code, Some(0), "{}", done.output());
    let snap = status(&config, dir.path());
    assert_eq!(snap["posture"]["state"], "reprotected", "{snap:#}");
    let state = m.state();
    assert_eq!(
        state["rds"][PRIMARY]["orders-db"]["source"], state["rds"][STANDBY]["orders-db-dr"]["arn"],
        "the primary's orders-db replicates from the restored standby: {state:#}"
    );

    // --- failback: caught up, promoted, DNS back, the restore set aside ---
    m.put_lag(PRIMARY, "orders-db", 0, 0);
    let done = run(
        &config,
        dir.path(),
        "failback",
        &["--yes", "--allow-irreversible"],
    );
    assert_eq!(done.code, Some(0), "{}", done.output());
    assert!(done.stdout.contains("run completed"), "{}", done.output());
    let snap = status(&config, dir.path());
    assert_eq!(snap["posture"]["state"], "normal", "{snap:#}");
    assert_eq!(snap["posture"]["active"], "primary", "{snap:#}");
    let state = m.state();
    assert!(
        state["rds"][PRIMARY]["orders-db"]["source"].is_null(),
        "{state:#}"
    );
    let standby: Vec<&String> = state["rds"][STANDBY]
        .as_object()
        .map(|o| o.keys().collect())
        .unwrap_or_default();
    assert!(
        !standby.iter().any(|k| *k == "orders-db-dr"),
        "the restored standby is set aside, the vault stands by again: {standby:?}"
    );
    assert!(
        standby.iter().any(|k| k.starts_with("orders-db-dr-stale-")),
        "kept, never deleted: {standby:?}"
    );

    // --- every change once: moto's request log against the answered calls ---
    let mut calls = BTreeMap::new();
    for name in ["failover", "reprotect", "failback"] {
        answered(dir.path(), name, &mut calls);
    }
    let applied: BTreeMap<String, u64> = control::changes(&m.url)
        .into_iter()
        .map(|(op, n)| (op.clone(), n - seeding.get(&op).copied().unwrap_or(0)))
        .filter(|(_, n)| *n > 0)
        .collect();
    eprintln!("backup-restore lifecycle: changes applied {applied:?}; calls answered {calls:?}");
    assert_eq!(
        applied, calls,
        "each change applied once, and only the answered ones"
    );
    assert_eq!(applied.get("StartRestoreJob"), Some(&1));
    assert_eq!(applied.get("CreateDBInstanceReadReplica"), Some(&1));
    assert_eq!(applied.get("PromoteReadReplica"), Some(&1));
}

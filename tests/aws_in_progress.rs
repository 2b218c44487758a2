//! AWS's in-progress states against moto, through the binary: the harness patches
//! (tests/moto/progress.py and the patches it names) keep each state AWS shows while a change
//! is under way for a few describes, and the runs have to wait through them. Each test asserts
//! from the audit log that the engine logged a wait on the state, and from the harness's
//! request log that each change was sent once.
//!
//! - a promoted replica is `modifying` before it is `available` without a source;
//! - an Aurora global failover reads `FailoverState` `failing-over`, a switchover
//!   `switching-over`, before the members swap; with the primary's Region dark, a failover
//!   without `AllowDataLoss` (a switchover) is refused by the harness as AWS refuses it, and
//!   the run's call carried `AllowDataLoss=true`;
//! - a restore job is `PENDING`, then `RUNNING`, then `COMPLETED`, or `FAILED` where RDS
//!   would refuse the restore; a newer recovery point that is not `COMPLETED` is not restored;
//! - a restore whose job completed but whose instance was deleted starts a new job (a new
//!   idempotency token), where the same token would have started nothing.

mod support;

#[path = "common/moto_control.rs"]
mod control;

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;
use support::{Endpoints, Moto, Seeded, SilentListener, moto};

const VAULT: &str = "orders-dr-vault";
const FLAGS: &[&str] = &["--yes", "--allow-irreversible", "--allow-data-loss"];

/// `drconsole run NAME` headless against the estate file `config`: exit code and output.
fn run(config: &Path, dir: &Path, name: &str, label: &str) -> (Option<i32>, String) {
    run_with(config, dir, name, label, &[])
}

fn run_with(
    config: &Path,
    dir: &Path,
    name: &str,
    label: &str,
    extra: &[&str],
) -> (Option<i32>, String) {
    let flags: Vec<&str> = FLAGS.iter().chain(extra).copied().collect();
    moto::run_headless(config, dir, name, label, &flags)
}

fn audit(dir: &Path, label: &str) -> Vec<Value> {
    let text = std::fs::read_to_string(dir.join(format!("audit-{label}.jsonl"))).expect("audit");
    text.lines()
        .map(|l| serde_json::from_str::<Value>(l).expect("audit line"))
        .collect()
}

/// The waits the engine logged (`waiting: ...`), in order.
fn waits(dir: &Path, label: &str) -> Vec<String> {
    audit(dir, label)
        .into_iter()
        .filter(|l| l["event"] == "log")
        .filter_map(|l| {
            l["fields"]["text"]
                .as_str()
                .or(l["text"].as_str())
                .map(str::to_string)
        })
        .filter(|t| t.starts_with("waiting: ") || t.contains("waiting for it"))
        .collect()
}

fn calls(dir: &Path, label: &str, call: &str) -> Vec<Value> {
    audit(dir, label)
        .into_iter()
        .filter(|l| l["event"] == "call" && l["call"] == call)
        .collect()
}

fn write(dir: &Path, toml: &str) -> PathBuf {
    let config = dir.join("orders.toml");
    std::fs::write(&config, toml).expect("write estate");
    config
}

/// A boto3 call against the harness, as another client would make it: its stderr on failure.
fn boto3(url: &str, script: &str) -> Result<String, String> {
    let out = Command::new(moto::python())
        .args(["-c", script, url])
        .env_remove("AWS_PROFILE")
        .env_remove("AWS_ENDPOINT_URL")
        .output()
        .expect("python");
    if out.status.success() {
        Ok(String::from_utf8_lossy(&out.stdout).into_owned())
    } else {
        Err(String::from_utf8_lossy(&out.stderr).into_owned())
    }
}

#[test]
fn a_promotion_is_waited_for_while_the_replica_is_modifying() {
    let m = Moto::start();
    let seeded = m.seed(0);
    let dir = tempfile::tempdir().expect("dir");
    control::in_progress(&m.url, 3);
    let config = write(dir.path(), &seeded.estate_toml(&Endpoints::both(&m.url)));
    let (code, out) = run(&config, dir.path(), "failover", "failover");
    assert_eq!(code, Some(0), "{out}");
    let w = waits(dir.path(), "failover");
    assert!(
        w.iter()
            .any(|t| t.contains("orders-db-replica") && t.contains("modifying")),
        "no wait on the promotion while modifying: {w:?}"
    );
    assert_eq!(
        control::requests(&m.url).get("PromoteReadReplica"),
        Some(&1)
    );
    assert_eq!(
        calls(dir.path(), "failover", "rds:PromoteReadReplica").len(),
        1
    );
    // Done means available, without a source (read by boto3, not by the code under test).
    let state = m.state();
    let db = &state["rds"]["us-west-2"]["orders-db-replica"];
    assert_eq!(db["status"], "available", "{db}");
    assert!(db["source"].is_null(), "{db}");
}

fn aurora_toml(seeded: &Seeded, ep: &Endpoints) -> String {
    let toml = seeded.estate_toml(ep).replace(
        "kind = \"rds-replica\"\nprimary = \"orders-db\"\nstandby = \"orders-db-replica\"",
        "kind = \"aurora-global\"\nprimary = \"orders-cluster\"\nstandby = \"orders-cluster-dr\"\nglobal_cluster = \"orders-global\"",
    );
    assert!(toml.contains("aurora-global"));
    toml.replacen(
        "poll_interval",
        "failback_settle = \"1s\"\npoll_interval",
        1,
    )
}

const FAILOVER_WITHOUT_FLAG: &str = "import sys,boto3
rds=boto3.client('rds',region_name='us-west-2',endpoint_url=sys.argv[1],aws_access_key_id='t',aws_secret_access_key='t')
g=rds.describe_global_clusters(GlobalClusterIdentifier='orders-global')['GlobalClusters'][0]
target=[m['DBClusterArn'] for m in g['GlobalClusterMembers'] if not m['IsWriter']][0]
rds.failover_global_cluster(GlobalClusterIdentifier='orders-global',TargetDbClusterIdentifier=target)
print(rds.describe_global_clusters(GlobalClusterIdentifier='orders-global')['GlobalClusters'][0]['Status'])";

#[test]
fn a_global_failover_with_the_primary_dark_carries_allow_data_loss_and_waits_while_failing_over() {
    let m = Moto::start();
    let seeded = m.seed_with(&["--aurora"]);
    let dir = tempfile::tempdir().expect("dir");
    control::in_progress(&m.url, 3);

    // The primary region is dark: its endpoint never answers, and the harness knows it.
    let silent = SilentListener::start();
    control::dark(&m.url, "us-east-1", true);
    let ep = Endpoints {
        primary: silent.url.clone(),
        standby: m.url.clone(),
        call_timeout: "2s",
    };
    let config = write(dir.path(), &aurora_toml(&seeded, &ep));

    // Without AllowDataLoss, FailoverGlobalCluster is a switchover, which needs the primary:
    // refused, and nothing moves.
    let refused =
        boto3(&m.url, FAILOVER_WITHOUT_FLAG).expect_err("a switchover without the primary");
    assert!(refused.contains("InvalidDBClusterStateFault"), "{refused}");
    let unflagged = control::params(&m.url, "FailoverGlobalCluster");
    assert_eq!(unflagged.len(), 1);
    assert!(unflagged[0].get("AllowDataLoss").is_none(), "{unflagged:?}");

    let (code, out) = run(&config, dir.path(), "failover", "failover");
    assert_eq!(code, Some(0), "{out}");
    let sent = control::params(&m.url, "FailoverGlobalCluster");
    assert_eq!(
        sent.len(),
        2,
        "one refused above, one from the run: {sent:?}"
    );
    assert_eq!(
        sent[1]["AllowDataLoss"], "true",
        "the run's failover did not carry AllowDataLoss=true: {sent:?}"
    );
    assert_eq!(
        calls(dir.path(), "failover", "rds:FailoverGlobalCluster").len(),
        1
    );
    let w = waits(dir.path(), "failover");
    assert!(
        w.iter()
            .any(|t| t.contains("failing-over") && t.contains("FailoverState")),
        "no wait on FailoverState failing-over: {w:?}"
    );

    // The primary is back: reprotect (AWS rebuilds the old writer), then the failback's
    // switchover is waited for while switching-over.
    drop(silent);
    control::dark(&m.url, "us-east-1", false);
    let config = write(dir.path(), &aurora_toml(&seeded, &Endpoints::both(&m.url)));
    m.put_lag_metric("us-east-1", "aurora", "orders-cluster", 0);
    let (code, out) = run(&config, dir.path(), "reprotect", "reprotect");
    assert_eq!(code, Some(0), "{out}");
    let (code, out) = run(&config, dir.path(), "failback", "failback");
    assert_eq!(code, Some(0), "{out}");
    let w = waits(dir.path(), "failback");
    assert!(
        w.iter()
            .any(|t| t.contains("switching-over") && t.contains("FailoverState")),
        "no wait on FailoverState switching-over: {w:?}"
    );
    let reqs = control::requests(&m.url);
    assert_eq!(reqs.get("SwitchoverGlobalCluster"), Some(&1), "{reqs:?}");
    assert_eq!(reqs.get("FailoverGlobalCluster"), Some(&2), "{reqs:?}");
}

/// The seeded estate with its database restored from AWS Backup in the standby.
fn backup_toml(seeded: &Seeded, ep: &Endpoints, extra: &str) -> String {
    let toml = seeded.estate_toml(ep).replace(
        "kind = \"rds-replica\"\nprimary = \"orders-db\"\nstandby = \"orders-db-replica\"",
        &format!(
            "kind = \"backup-restore\"\nprimary = \"orders-db\"\nstandby = \"orders-db-dr\"\nbackup_vault = \"{VAULT}\"\nsecurity_groups = [\"sg-0abc\"]\ninstance_class = \"db.t3.small\"{extra}"
        ),
    );
    assert!(toml.contains("backup-restore"), "{toml}");
    toml.replacen(
        "poll_interval",
        "lag_warning = \"5m\"\nrpo_budget = \"30m\"\npoll_interval",
        1,
    )
}

fn backup_moto() -> (Moto, Seeded) {
    let m = Moto::start();
    let seeded = m.seed_with(&["--backup-vault", VAULT, "--recovery-point-age", "900"]);
    (m, seeded)
}

#[test]
fn a_restore_job_is_waited_for_while_pending_then_running_and_a_point_not_completed_is_skipped() {
    let (m, seeded) = backup_moto();
    control::in_progress(&m.url, 3);
    // A newer point of the primary that is not usable: the older completed one is restored.
    let expired = control::recovery_point(
        &m.url,
        "us-west-2",
        VAULT,
        &seeded.primary_db_arn,
        60,
        "EXPIRED",
    );
    let dir = tempfile::tempdir().expect("dir");
    let config = write(
        dir.path(),
        &backup_toml(&seeded, &Endpoints::both(&m.url), ""),
    );
    let (code, out) = run(&config, dir.path(), "failover", "failover");
    assert_eq!(code, Some(0), "{out}");
    let w = waits(dir.path(), "failover");
    let pending = w.iter().position(|t| t.contains("PENDING"));
    let running = w.iter().position(|t| t.contains("RUNNING"));
    assert!(
        pending.is_some() && running.is_some() && pending < running,
        "no wait on the restore job PENDING, then RUNNING: {w:?}"
    );
    let sent = control::params(&m.url, "StartRestoreJob");
    assert_eq!(sent.len(), 1, "{sent:?}");
    assert_eq!(
        sent[0]["RecoveryPointArn"].as_str(),
        seeded.recovery_point_arn.as_deref()
    );
    assert_ne!(sent[0]["RecoveryPointArn"].as_str(), Some(expired.as_str()));
    let state = m.state();
    assert_eq!(
        state["rds"]["us-west-2"]["orders-db-dr"]["status"],
        "available"
    );
}

#[test]
fn a_failed_restore_job_fails_the_step_after_its_waits() {
    let (m, seeded) = backup_moto();
    control::in_progress(&m.url, 2);
    let dir = tempfile::tempdir().expect("dir");
    // RDS does not know this subnet group: the job fails, as AWS Backup reports it.
    let toml = backup_toml(
        &seeded,
        &Endpoints::both(&m.url),
        "\nsubnet_group = \"orders-dr-missing\"",
    );
    let config = write(dir.path(), &toml);
    let (code, out) = run(&config, dir.path(), "failover", "failover");
    assert_ne!(code, Some(0), "{out}");
    assert!(
        out.contains("FAILED"),
        "the failure names the job's state: {out}"
    );
    let w = waits(dir.path(), "failover");
    assert!(
        w.iter().any(|t| t.contains("PENDING")) && w.iter().any(|t| t.contains("RUNNING")),
        "{w:?}"
    );
    assert_eq!(control::requests(&m.url).get("StartRestoreJob"), Some(&1));
    let state = m.state();
    assert!(state["rds"]["us-west-2"].get("orders-db-dr").is_none());
}

#[test]
fn a_restore_whose_job_completed_but_whose_instance_was_deleted_starts_a_new_job() {
    let (m, seeded) = backup_moto();
    control::in_progress(&m.url, 1);
    let dir = tempfile::tempdir().expect("dir");
    let config = write(
        dir.path(),
        &backup_toml(&seeded, &Endpoints::both(&m.url), ""),
    );
    let (code, out) = run(&config, dir.path(), "failover", "first");
    assert_eq!(code, Some(0), "{out}");

    // Someone deletes the restored instance: the job stays COMPLETED.
    boto3(
        &m.url,
        "import sys,boto3
rds=boto3.client('rds',region_name='us-west-2',endpoint_url=sys.argv[1],aws_access_key_id='t',aws_secret_access_key='t')
rds.delete_db_instance(DBInstanceIdentifier='orders-db-dr',SkipFinalSnapshot=True)",
    )
    .expect("delete the restored instance");
    assert!(m.state()["rds"]["us-west-2"].get("orders-db-dr").is_none());

    // A deliberate restore again: a new run of the failover.
    let (code, out) = run_with(&config, dir.path(), "failover", "again", &["--new"]);
    assert_eq!(code, Some(0), "{out}");
    let warned = audit(dir.path(), "again").into_iter().any(|l| {
        l["event"] == "log"
            && l["fields"]["text"]
                .as_str()
                .or(l["text"].as_str())
                .is_some_and(|t| t.contains("completed, but orders-db-dr is not there"))
    });
    assert!(warned, "the plan says it restores again: {out}");
    let sent = control::params(&m.url, "StartRestoreJob");
    assert_eq!(sent.len(), 2, "{sent:?}");
    assert_ne!(
        sent[0]["IdempotencyToken"], sent[1]["IdempotencyToken"],
        "the same token would start nothing: {sent:?}"
    );
    assert!(
        sent.iter().all(|s| s["IdempotencyToken"]
            .as_str()
            .is_some_and(|t| !t.is_empty())),
        "{sent:?}"
    );
    assert_eq!(
        m.state()["rds"]["us-west-2"]["orders-db-dr"]["status"],
        "available"
    );
}

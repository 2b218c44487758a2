//! `[database] kind = "backup-restore"` against moto: the standby's reading (the newest
//! recovery point of the primary in the standby's vault, its age against the RPO budget),
//! the default failover restoring it headless, the primary region dark, with one
//! `StartRestoreJob`, and the same under
//! a lost reply: still one job.
//!
//! moto has no recovery points and no restore jobs: tests/moto/backup.py adds them (a test
//! seeds a completed recovery point; a restore job creates the DB instance in moto's RDS when
//! it completes, one second later unless the test says otherwise). The restore's real
//! duration (10-30 minutes) is the simulator's (`restore_from_backup_*` in tests/runbook_sim.rs).

mod support;

#[path = "common/moto_control.rs"]
mod moto_control;

use std::path::PathBuf;
use std::process::Command;

use drconsole::backend::Backend;
use drconsole::model::{DbRole, Lag, Side};
use drconsole::readiness::{self, Check};
use serde_json::Value;
use support::{Endpoints, Moto, Seeded, moto};

const VAULT: &str = "orders-dr-vault";

/// The seeded estate with its database restored from AWS Backup in the standby.
fn backup_toml(seeded: &Seeded, ep: &Endpoints) -> String {
    let toml = seeded.estate_toml(ep);
    let toml = toml.replace(
        "kind = \"rds-replica\"\nprimary = \"orders-db\"\nstandby = \"orders-db-replica\"",
        &format!(
            "kind = \"backup-restore\"\nprimary = \"orders-db\"\nstandby = \"orders-db-dr\"\nbackup_vault = \"{VAULT}\"\nsecurity_groups = [\"sg-0abc\"]\ninstance_class = \"db.t3.small\""
        ),
    );
    assert!(toml.contains("backup-restore"), "{toml}");
    toml.replacen(
        "poll_interval",
        "lag_warning = \"5m\"\nrpo_budget = \"30m\"\npoll_interval",
        1,
    )
}

struct Fixture {
    moto: Moto,
    seeded: Seeded,
    toml: String,
    dir: tempfile::TempDir,
    config: PathBuf,
}

impl Fixture {
    fn new(age: u32) -> Fixture {
        let moto = Moto::start();
        let age = age.to_string();
        let seeded = moto.seed_with(&["--backup-vault", VAULT, "--recovery-point-age", &age]);
        let toml = backup_toml(&seeded, &Endpoints::both(&moto.url));
        let dir = tempfile::tempdir().expect("temp dir");
        let config = dir.path().join("orders.toml");
        std::fs::write(&config, &toml).expect("write estate");
        Fixture {
            moto,
            seeded,
            toml,
            dir,
            config,
        }
    }

    /// `drconsole run failover --yes ...`: its exit code.
    fn failover(&self) -> Option<i32> {
        self.run("failover", "audit.jsonl")
    }

    /// `drconsole run NAME --yes ...` with its audit log in `audit`: its exit code.
    fn run(&self, name: &str, audit: &str) -> Option<i32> {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_drconsole"));
        cmd.args([
            "run",
            name,
            "--yes",
            "--allow-irreversible",
            "--allow-data-loss",
        ])
        .arg("--config")
        .arg(&self.config)
        .arg("--audit-log")
        .arg(self.dir.path().join(audit))
        .arg("--state-dir")
        .arg(self.dir.path().join("state"))
        .env("HOME", self.dir.path())
        .env("NO_COLOR", "1");
        for (k, v) in moto::test_env() {
            cmd.env(k, v);
        }
        for k in moto::UNSET_ENV {
            cmd.env_remove(k);
        }
        let out = cmd.output().expect("run drconsole");
        eprintln!(
            "{}\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        out.status.code()
    }

    fn audit_calls(&self, call: &str) -> Vec<Value> {
        let text = std::fs::read_to_string(self.dir.path().join("audit.jsonl")).expect("audit");
        text.lines()
            .map(|l| serde_json::from_str::<Value>(l).expect("audit line"))
            .filter(|l| l["event"] == "call" && l["call"] == call)
            .collect()
    }

    fn standby_instances(&self) -> Vec<String> {
        let state = self.moto.state();
        state["rds"]["us-west-2"]
            .as_object()
            .map(|m| m.keys().cloned().collect())
            .unwrap_or_default()
    }

    fn report(&self) -> String {
        let runs = self.dir.path().join("state/runs");
        let md = std::fs::read_dir(&runs)
            .expect("runs dir")
            .filter_map(|e| e.ok().map(|e| e.path()))
            .find(|p| p.extension().is_some_and(|x| x == "md"))
            .expect("a drill report");
        std::fs::read_to_string(md).expect("report")
    }
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .expect("runtime")
}

#[test]
fn the_standby_reads_as_its_newest_recovery_point_with_its_age() {
    let f = Fixture::new(600);
    let toml = f.toml.clone();
    let (standby, primary) = runtime().block_on(async move {
        let aws = support::backend(&toml).await;
        (
            aws.read_region(Side::Standby).await.expect("standby"),
            aws.read_region(Side::Primary).await.expect("primary"),
        )
    });
    let db = standby.database.clone().expect("database").expect("read");
    assert_eq!(db.id, "orders-db-dr");
    assert_eq!(db.role, DbRole::Backup);
    assert_eq!(db.status, "not restored");
    let Lag::Known(age) = db.lag else {
        panic!("the recovery point's age is the lag: {db:?}")
    };
    assert!((600..660).contains(&age), "age {age}");
    let b = db.backup().expect("vault reading");
    assert_eq!(b.vault, VAULT);
    let point = b.recovery_point.as_ref().expect("a recovery point");
    assert_eq!(Some(&point.arn), f.seeded.recovery_point_arn.as_ref());
    assert!(b.restore_job.is_none());

    // 10 minutes old: above the 5m warning, within the 30m budget.
    let estate = support::estate(&f.toml);
    let r = readiness::evaluate(
        &estate,
        Side::Primary,
        [Some(&primary), Some(&standby)],
        None,
    );
    let by = |label: &str| {
        r.items
            .iter()
            .find(|i| i.label == label)
            .unwrap_or_else(|| panic!("{label} in {:?}", r.items))
            .clone()
    };
    assert_eq!(by("recovery point in vault").check, Check::Pass);
    assert_eq!(by("backup age within budget").check, Check::Warn);
    assert!(r.items.iter().all(|i| i.label != "replica replicating"));
}

#[test]
fn a_recovery_point_older_than_the_budget_fails_readiness_and_an_empty_vault_says_so() {
    let f = Fixture::new(7200);
    let toml = f.toml.clone();
    let standby = runtime().block_on(async move {
        let aws = support::backend(&toml).await;
        aws.read_region(Side::Standby).await.expect("standby")
    });
    let estate = support::estate(&f.toml);
    let r = readiness::evaluate(&estate, Side::Primary, [None, Some(&standby)], None);
    let age = r
        .items
        .iter()
        .find(|i| i.label == "backup age within budget")
        .expect("age item");
    assert_eq!(age.check, Check::Fail, "{age:?}");

    // A vault with no point of the primary: nothing to restore.
    let empty = f.toml.replace(VAULT, "orders-empty-vault");
    let url = f.moto.url.clone();
    let db = runtime().block_on(async move {
        let out = Command::new(support::moto::python())
            .args(["-c", "import sys,boto3;boto3.client('backup',region_name='us-west-2',endpoint_url=sys.argv[1],aws_access_key_id='t',aws_secret_access_key='t').create_backup_vault(BackupVaultName='orders-empty-vault')", &url])
            .output()
            .expect("create vault");
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        let aws = support::backend(&empty).await;
        aws.read_region(Side::Standby).await.expect("standby").database
    });
    let db = db.expect("database").expect("read");
    assert_eq!(db.status, "no recovery point");
    assert_eq!(db.lag, Lag::NoData);
}

#[test]
fn the_default_failover_restores_the_standby_with_one_start_restore_job() {
    let f = Fixture::new(900);
    // The primary region is dark: a run that called it would hang there and fail.
    let dark = support::SilentListener::start();
    let ep = Endpoints {
        primary: dark.url.clone(),
        standby: f.moto.url.clone(),
        call_timeout: "2s",
    };
    std::fs::write(&f.config, backup_toml(&f.seeded, &ep)).expect("write estate");
    let before = moto_control::requests(&f.moto.url);
    assert_eq!(f.failover(), Some(0));
    let after = moto_control::requests(&f.moto.url);
    let made: Vec<(String, u64)> = after
        .iter()
        .map(|(op, n)| (op.clone(), n - before.get(op).copied().unwrap_or(0)))
        .filter(|(_, n)| *n > 0)
        .collect();
    eprintln!(
        "the default backup-restore failover: {} calls: {made:?}",
        made.iter().map(|(_, n)| n).sum::<u64>()
    );
    let starts = f.audit_calls("backup:StartRestoreJob");
    assert_eq!(starts.len(), 1, "{starts:?}");
    let d = starts[0]["describe"].as_str().unwrap_or_default();
    assert!(d.contains("DBInstanceIdentifier=orders-db-dr"), "{d}");
    assert!(d.contains("DBInstanceClass=db.t3.small"), "{d}");
    assert!(d.contains("VpcSecurityGroupIds=sg-0abc"), "{d}");
    assert_eq!(
        moto_control::requests(&f.moto.url).get("StartRestoreJob"),
        Some(&1)
    );
    assert!(f.standby_instances().contains(&"orders-db-dr".to_string()));
    // No promotion: nothing replicates.
    assert!(f.audit_calls("rds:PromoteReadReplica").is_empty());
    // The endpoint is written after the restore, with the restored instance's address.
    let endpoint = f.audit_calls("ssm:PutParameter");
    assert_eq!(endpoint.len(), 1);
    assert!(
        endpoint[0]["describe"]
            .as_str()
            .unwrap_or_default()
            .contains("orders-db-dr"),
        "{endpoint:?}"
    );
    // RPO exposure: the recovery point's age when it was restored.
    let report = f.report();
    let line = report
        .lines()
        .find(|l| l.starts_with("- RPO exposure:"))
        .expect("RPO line");
    assert!(line.contains("recovery point age 15m"), "{line}");
}

#[test]
fn a_lost_reply_of_start_restore_job_still_gives_one_job() {
    let f = Fixture::new(300);
    // The restore outlasts the call timeout, so the resumed run finds it running.
    moto_control::restore_seconds(&f.moto.url, 12);
    moto_control::lose_reply(&f.moto.url, "StartRestoreJob");
    let first = f.failover();
    assert_ne!(
        first,
        Some(0),
        "the call's reply was lost: the step cannot be done"
    );
    let again = f.failover();
    assert_eq!(again, Some(0));
    assert_eq!(
        moto_control::requests(&f.moto.url).get("StartRestoreJob"),
        Some(&1),
        "one StartRestoreJob in all"
    );
    assert_eq!(f.audit_calls("backup:StartRestoreJob").len(), 1);
    assert!(f.standby_instances().contains(&"orders-db-dr".to_string()));
}

//! `backup-restore` on the simulator, through the real binary (`drconsole run failover
//! --simulate`): the default failover restores the standby from the vault's newest copy (one
//! `backup:StartRestoreJob`, which takes the simulated 10-20 minutes), writes the restored
//! endpoint after it, and reports the copy's age as the RPO exposure. `status --json`
//! validates against the schema with the vault in the reading. (Each command starts a fresh
//! simulation: a restore found running or done is covered against moto, tests/aws_backup.rs,
//! and in the simulator's unit tests.)

#[path = "common/status_schema.rs"]
mod status_schema;

use std::path::Path;
use std::process::Command;

use serde_json::Value;

fn estate(dir: &Path) -> std::path::PathBuf {
    let text = include_str!("../assets/simulated-estate.toml").replace(
        "kind = \"rds-replica\"\nprimary = \"orders-db\"\nstandby = \"orders-db-replica\"",
        "kind = \"backup-restore\"\nprimary = \"orders-db\"\nstandby = \"orders-db-dr\"\nbackup_vault = \"orders-dr-vault\"",
    );
    assert!(text.contains("backup-restore"));
    // Hourly copies: a budget of two hours, a warning past 75 minutes.
    let text = text
        .replacen("lag_warning = \"30s\"", "lag_warning = \"75m\"", 1)
        .replacen("rpo_budget = \"5m\"", "rpo_budget = \"2h\"", 1);
    let path = dir.join("estate.toml");
    std::fs::write(&path, text).expect("write");
    path
}

fn drconsole(dir: &Path, args: &[&str]) -> (Option<i32>, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_drconsole"))
        .args(args)
        .arg("--config")
        .arg(estate(dir))
        .env("HOME", dir)
        .env("XDG_STATE_HOME", dir.join("xdg"))
        .env("NO_COLOR", "1")
        .output()
        .expect("run drconsole");
    (
        out.status.code(),
        format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ),
    )
}

fn calls(path: &Path, call: &str) -> usize {
    std::fs::read_to_string(path)
        .unwrap_or_default()
        .lines()
        .filter_map(|l| serde_json::from_str::<Value>(l).ok())
        .filter(|l| l["event"] == "call" && l["call"] == call)
        .count()
}

#[test]
fn the_default_failover_restores_once_and_reports_the_copy_age() {
    let dir = tempfile::tempdir().expect("dir");
    let d = dir.path();
    let audit = d.join("audit.jsonl");
    let audit_s = audit.to_string_lossy().to_string();
    let state = d.join("state").to_string_lossy().to_string();
    let flags = [
        "run",
        "failover",
        "--simulate",
        "--sim-speed",
        "1000",
        "--seed",
        "3",
        "--yes",
        "--allow-irreversible",
        "--allow-data-loss",
        "--audit-log",
        &audit_s,
        "--state-dir",
        &state,
    ];
    let (code, out) = drconsole(d, &flags);
    assert_eq!(code, Some(0), "{out}");
    assert_eq!(calls(&audit, "backup:StartRestoreJob"), 1, "{out}");
    assert_eq!(calls(&audit, "rds:PromoteReadReplica"), 0);
    let report = std::fs::read_dir(d.join("state/runs"))
        .expect("runs")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .find(|p| p.extension().is_some_and(|x| x == "md"))
        .map(|p| std::fs::read_to_string(p).expect("report"))
        .expect("a report");
    assert!(
        report.contains("RPO exposure: recovery point age 25m"),
        "the seeded copy is 25 minutes old:\n{report}"
    );
}

#[test]
fn status_json_carries_the_vault_and_validates() {
    let dir = tempfile::tempdir().expect("dir");
    let (code, out) = drconsole(dir.path(), &["status", "--json", "--simulate"]);
    let json: Value = serde_json::from_str(out.trim_end_matches(|c| c != '}'))
        .unwrap_or_else(|e| panic!("{e}: {out}"));
    status_schema::assert_conforms(&json);
    let db = &json["standby"]["reading"]["database"];
    assert_eq!(db["role"]["kind"], "backup", "{db}");
    assert_eq!(db["detail"]["kind"], "backup", "{db}");
    assert_eq!(db["detail"]["vault"], "orders-dr-vault", "{db}");
    let labels: Vec<&str> = json["readiness"]["items"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|i| i["label"].as_str())
        .collect();
    assert!(labels.contains(&"recovery point in vault"), "{labels:?}");
    assert!(code.is_some());
}

#[test]
fn the_default_failback_promotes_the_reprotected_replica_and_sets_the_restore_aside() {
    let dir = tempfile::tempdir().expect("dir");
    let state = dir.path().join("state").to_string_lossy().to_string();
    let (code, out) = drconsole(
        dir.path(),
        &["run", "failback", "--simulate", "--state-dir", &state],
    );
    // Without --yes the plan is printed and nothing is called.
    assert_eq!(code, Some(2), "{out}");
    assert!(out.contains("promote"), "{out}");
    assert!(
        out.contains("set the restored standby database aside"),
        "{out}"
    );
    assert!(!out.contains("re-protect: a replica"), "{out}");
}

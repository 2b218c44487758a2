//! `drconsole iam-policy` for the two database patterns beyond read replicas: the actions an
//! Aurora global database and a backup-restore standby need, scoped where AWS allows.

use std::process::Command;

use serde_json::Value;

fn policy(database: &str, operate: bool) -> Value {
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("estate.toml");
    let text = format!(
        "name = \"orders\"\n[primary]\nregion = \"us-east-1\"\n[standby]\nregion = \"us-west-2\"\n[database]\n{database}"
    );
    std::fs::write(&path, text).expect("write");
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_drconsole"));
    cmd.arg("iam-policy").arg("--config").arg(&path);
    if operate {
        cmd.arg("--operate");
    }
    let out = cmd.output().expect("run");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("a JSON policy")
}

/// The resources of the statement that grants `action`.
fn resources(p: &Value, action: &str) -> Vec<String> {
    let st = p["Statement"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|s| {
            s["Action"]
                .as_array()
                .into_iter()
                .flatten()
                .any(|a| a == action)
        })
        .unwrap_or_else(|| panic!("{action} granted in {p:#}"));
    match &st["Resource"] {
        Value::Array(a) => a
            .iter()
            .filter_map(|r| r.as_str().map(str::to_string))
            .collect(),
        Value::String(s) => vec![s.clone()],
        other => panic!("resource {other}"),
    }
}

#[test]
fn backup_restore_reads_the_vault_and_restores_only_with_operate() {
    let db = "kind = \"backup-restore\"\nprimary = \"orders-db\"\nstandby = \"orders-db-dr\"\nbackup_vault = \"orders-dr-vault\"\n";
    let read = policy(db, false);
    assert_eq!(
        resources(&read, "backup:ListRecoveryPointsByBackupVault"),
        vec!["arn:aws:backup:us-west-2:*:backup-vault:orders-dr-vault"]
    );
    assert_eq!(resources(&read, "backup:ListRestoreJobs"), vec!["*"]);
    assert!(!read.to_string().contains("backup:StartRestoreJob"));
    let operate = policy(db, true);
    assert_eq!(
        resources(&operate, "backup:StartRestoreJob"),
        vec!["arn:aws:backup:us-west-2:*:recovery-point:*"]
    );
    assert_eq!(
        resources(&operate, "iam:PassRole"),
        vec!["arn:aws:iam::*:role/service-role/AWSBackupDefaultServiceRole"]
    );
    assert!(!operate.to_string().contains("rds:PromoteReadReplica"));
}

#[test]
fn aurora_global_operates_the_global_cluster() {
    let db = "kind = \"aurora-global\"\nprimary = \"orders-cluster\"\nstandby = \"orders-cluster-dr\"\nglobal_cluster = \"orders-global\"\n";
    let operate = policy(db, true);
    for action in ["rds:FailoverGlobalCluster", "rds:SwitchoverGlobalCluster"] {
        let r = resources(&operate, action);
        assert!(
            r.contains(&"arn:aws:rds::*:global-cluster:orders-global".to_string()),
            "{r:?}"
        );
        assert!(
            r.contains(&"arn:aws:rds:us-west-2:*:cluster:orders-cluster-dr".to_string()),
            "{r:?}"
        );
    }
}

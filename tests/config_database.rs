//! The `[database]` keys of each kind, through the real binary: `drconsole check` names the
//! file, line and key of a backup-restore without its vault, and of a backup-restore key on
//! another kind.

use std::process::Command;

fn check(text: &str) -> (Option<i32>, String) {
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("estate.toml");
    std::fs::write(&path, text).expect("write");
    let out = Command::new(env!("CARGO_BIN_EXE_drconsole"))
        .arg("check")
        .arg("--config")
        .arg(&path)
        .env("NO_COLOR", "1")
        .output()
        .expect("run drconsole check");
    (
        out.status.code(),
        format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ),
    )
}

const HEAD: &str =
    "name = \"orders\"\n[primary]\nregion = \"us-east-1\"\n[standby]\nregion = \"us-west-2\"\n";

#[test]
fn backup_restore_without_a_vault_is_refused_at_its_line() {
    let text = format!(
        "{HEAD}[database]\nkind = \"backup-restore\"\nprimary = \"orders-db\"\nstandby = \"orders-db-dr\"\n"
    );
    let (code, out) = check(&text);
    assert_eq!(code, Some(78), "{out}");
    assert!(out.contains("estate.toml:6:"), "{out}");
    assert!(out.contains("database.backup_vault"), "{out}");
}

#[test]
fn a_backup_vault_on_rds_replica_is_refused_at_its_line() {
    let text = format!(
        "{HEAD}[database]\nkind = \"rds-replica\"\nprimary = \"orders-db\"\nstandby = \"orders-db-replica\"\nbackup_vault = \"v\"\n"
    );
    let (code, out) = check(&text);
    assert_eq!(code, Some(78), "{out}");
    assert!(out.contains("estate.toml:10:"), "{out}");
    assert!(
        out.contains("applies only to kind = \"backup-restore\""),
        "{out}"
    );
}

#[test]
fn a_complete_backup_restore_estate_checks() {
    let text = format!(
        "{HEAD}[database]\nkind = \"backup-restore\"\nprimary = \"orders-db\"\nstandby = \"orders-db-dr\"\nbackup_vault = \"orders-dr-vault\"\nsubnet_group = \"orders-dr-db\"\nsecurity_groups = [\"sg-0abc\"]\ninstance_class = \"db.r6g.large\"\n"
    );
    let (code, out) = check(&text);
    assert_eq!(code, Some(0), "{out}");
    assert!(
        out.contains("backup-restore orders-db -> orders-db-dr"),
        "{out}"
    );
    assert!(out.contains("restored from vault orders-dr-vault"), "{out}");
}

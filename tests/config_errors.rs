//! The real binary against broken estate files: every error names file, line, column and key.

use std::process::Command;

const GOOD: &str = r#"name = "orders"
poll_interval = "5s"
lag_warning = "30s"
rpo_budget = "5m"

[primary]
region = "us-east-1"

[standby]
region = "us-west-2"

[database]
kind = "rds-replica"
primary = "orders-db"
standby = "orders-db-replica"
"#;

fn check(text: &str) -> (i32, String, String) {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("estate.toml");
    std::fs::write(&path, text).expect("write");
    let out = Command::new(env!("CARGO_BIN_EXE_drconsole"))
        .args(["check", "--config"])
        .arg(&path)
        .output()
        .expect("run drconsole");
    let stderr = String::from_utf8_lossy(&out.stderr).replace(&path.display().to_string(), "FILE");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr,
    )
}

#[test]
fn a_good_file_passes_with_a_summary() {
    let (code, stdout, stderr) = check(GOOD);
    assert_eq!(code, 0, "{stderr}");
    assert!(stdout.contains(": OK"), "{stdout}");
    assert!(stdout.contains("primary        us-east-1"), "{stdout}");
    assert!(
        stdout.contains("RdsReplica orders-db -> orders-db-replica"),
        "{stdout}"
    );
}

fn assert_error(text: &str, position: &str, words: &[&str]) {
    let (code, _, stderr) = check(text);
    assert_eq!(code, 1, "{stderr}");
    assert!(
        stderr.starts_with(&format!("FILE:{position}:")),
        "expected FILE:{position}: at the start of\n{stderr}"
    );
    for w in words {
        assert!(stderr.contains(w), "expected {w:?} in\n{stderr}");
    }
}

#[test]
fn syntax_error() {
    let text = GOOD.replace("rpo_budget = \"5m\"", "rpo_budget = \"5m");
    assert_error(&text, "4:17", &["invalid basic string"]);
}

#[test]
fn wrong_type() {
    let text = GOOD.replace("poll_interval = \"5s\"", "poll_interval = 5");
    assert_error(&text, "2:17", &["string"]);
}

#[test]
fn unknown_key() {
    let text = GOOD.replace("[standby]\n", "[standby]\nregoin = \"us-west-1\"\n");
    assert_error(&text, "10:1", &["unknown field `regoin`", "region"]);
}

#[test]
fn missing_required_key() {
    let text = GOOD.replace("standby = \"orders-db-replica\"\n", "");
    assert_error(&text, "12:1", &["missing field `standby`"]);
}

#[test]
fn bad_duration() {
    let text = GOOD.replace("lag_warning = \"30s\"", "lag_warning = \"thirty seconds\"");
    assert_error(&text, "3:15", &["expected a duration", "thirty seconds"]);
}

#[test]
fn bad_region() {
    let text = GOOD.replace("region = \"us-west-2\"", "region = \"us-west\"");
    assert_error(&text, "10:10", &["expected an AWS region name", "us-west"]);
}

#[test]
fn bad_enum_value() {
    let text = GOOD.replace("kind = \"rds-replica\"", "kind = \"mysql\"");
    assert_error(&text, "13:8", &["rds-replica", "aurora-global"]);
}

#[test]
fn missing_file_is_reported() {
    let out = Command::new(env!("CARGO_BIN_EXE_drconsole"))
        .args(["check", "--config", "/nonexistent/estate.toml"])
        .output()
        .expect("run drconsole");
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("/nonexistent/estate.toml: cannot read"),
        "{stderr}"
    );
}

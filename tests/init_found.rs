//! `drconsole init --tag` and `--stack`: an estate found in AWS itself (tests/moto/seed_found.py),
//! by tag with no stack, and from a CloudFormation stack per region. Each estate written passes
//! `check`, and `status --json` reads every service, group, target group, the database pair and
//! the DNS record with it. A region with nothing tagged, a stack that does not exist: one line,
//! nothing written.
//!
//! Needs moto (see tests/support/moto.rs).

mod support;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use serde_json::Value;
use support::process::{Finished, run_limited};
use support::{Moto, moto};

const LIMIT: Duration = Duration::from_secs(120);

struct Lab {
    moto: Moto,
    dir: tempfile::TempDir,
    seeded: Value,
}

impl Lab {
    fn new(seed_args: &[&str]) -> Lab {
        let moto = Moto::start();
        let out = Command::new(moto::python())
            .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/moto/seed_found.py"))
            .arg(&moto.url)
            .args(seed_args)
            .env_remove("AWS_PROFILE")
            .env_remove("AWS_ENDPOINT_URL")
            .output()
            .expect("run seed_found.py");
        assert!(
            out.status.success(),
            "seeding failed:\n{}\n{}",
            String::from_utf8_lossy(&out.stderr),
            moto.stderr()
        );
        let seeded = serde_json::from_slice(&out.stdout).expect("seed output is JSON");
        Lab {
            moto,
            dir: tempfile::tempdir().expect("dir"),
            seeded,
        }
    }

    fn cmd(&self) -> Command {
        moto::drconsole_in(self.dir.path())
    }

    fn init(&self, source: &[&str]) -> Finished {
        let mut cmd = self.cmd();
        cmd.args(["init", "--primary", "us-east-1", "--standby", "us-west-2"])
            .args(["--endpoint-url", &self.moto.url, "-o", "estate.toml"])
            .args(source)
            .env("DRCONSOLE_INIT_CALLS", "1");
        run_limited(cmd, LIMIT)
    }

    fn estate(&self) -> PathBuf {
        self.dir.path().join("estate.toml")
    }

    fn with_estate(&self, args: &[&str]) -> Finished {
        let mut cmd = self.cmd();
        cmd.args(args).arg("--config").arg(self.estate());
        run_limited(cmd, LIMIT)
    }

    /// init → check → status --json; returns the estate's text and the status.
    fn init_check_status(&self, source: &[&str]) -> (String, Value) {
        let done = self.init(source);
        assert_eq!(done.code, Some(0), "init failed:\n{}", done.output());
        let text = std::fs::read_to_string(self.estate()).expect("estate written");
        let check = self.with_estate(&["check"]);
        assert_eq!(check.code, Some(0), "check:\n{}\n{text}", check.output());
        let status = self.with_estate(&["status", "--json"]);
        let json = serde_json::from_str(&status.stdout)
            .unwrap_or_else(|e| panic!("status --json ({e}):\n{}\n{text}", status.output()));
        (text, json)
    }
}

fn names(list: &Value) -> Vec<String> {
    list.as_array()
        .unwrap_or_else(|| panic!("not a list: {list}"))
        .iter()
        .map(|x| x["name"].as_str().unwrap_or_default().to_string())
        .collect()
}

/// What status read with the estate: every service, group, target group, the database pair
/// and the record, in both regions.
fn assert_status_reads_everything(status: &Value, services: usize, primary_db: &str, text: &str) {
    let p = &status["primary"]["reading"];
    let s = &status["standby"]["reading"];
    let want: Vec<String> = (1..=services).map(|i| format!("svc-{i:02}")).collect();
    for (side, reading, desired) in [("primary", p, 2), ("standby", s, 0)] {
        let mut got = names(&reading["services"]);
        got.sort();
        assert_eq!(got, want, "{side} services: {status:#}\n{text}");
        for svc in reading["services"].as_array().expect("services") {
            assert_eq!(svc["desired"], desired, "{side}: {svc}");
        }
        assert_eq!(
            reading["asgs"].as_array().map(Vec::len),
            Some(1),
            "{status:#}"
        );
        assert_eq!(
            reading["target_groups"].as_array().map(Vec::len),
            Some(1),
            "{side} target groups: {status:#}"
        );
    }
    assert_eq!(p["asgs"][0]["desired"], 2, "{status:#}");
    assert_eq!(s["asgs"][0]["desired"], 0, "{status:#}");
    assert_eq!(p["database"]["id"], primary_db, "{status:#}");
    assert_eq!(p["database"]["role"]["kind"], "writer", "{status:#}");
    assert_eq!(s["database"]["role"]["kind"], "replica", "{status:#}");
    let g = &status["global"]["reading"];
    assert_eq!(g["dns"]["points_at"], "primary", "{status:#}");
    assert_eq!(status["posture"]["active"], "primary", "{status:#}");
}

#[test]
fn a_tagged_estate_without_a_stack_is_found_checked_and_read() {
    let lab = Lab::new(&["--tags"]);
    let (text, status) = lab.init_check_status(&["--tag", "app=orders"]);
    for want in [
        "# Written by `drconsole init` from tag app=orders in us-east-1 and us-west-2.",
        "# from tag app=orders in us-west-2: arn:aws:rds:us-west-2:123456789012:db:orders-db-replica",
        "# read from AWS: orders-db-replica in us-west-2 replicates from orders-db",
        "kind = \"rds-replica\"\nprimary = \"orders-db\"\nstandby = \"orders-db-replica\"",
        "endpoint_parameter = \"/orders/db/endpoint\"",
        "primary_name = \"orders-web-use1\"\nstandby_name = \"orders-web-usw2\"",
        "production = { min = 2, max = 6, desired = 2 }",
        "standby = { min = 0, max = 6, desired = 0 }",
        "mode = \"failover-routing\"",
        "primary_set_identifier = \"orders-use1\"",
        "standby_set_identifier = \"orders-usw2\"",
        "asg = \"orders-web-use1\"",
        "name = \"orders-5xx\"\nregion = \"primary\"",
    ] {
        assert!(text.contains(want), "{want:?} not in:\n{text}");
    }
    // The untagged look-alikes are not in the estate.
    for absent in ["untagged", "batch-use1", "other-use1", "other.example.com"] {
        assert!(!text.contains(absent), "{absent} in:\n{text}");
    }
    assert_eq!(text.matches("[[ecs.services]]").count(), 3, "{text}");
    assert_eq!(text.matches("[[health_checks]]").count(), 2, "{text}");
    let checks = &lab.seeded["checks"];
    for (side, region) in [("primary", "primary"), ("standby", "standby")] {
        let id = checks[side].as_str().expect("check id");
        assert!(
            text.contains(&format!("id = \"{id}\""))
                && text.contains(&format!("region = \"{region}\"")),
            "{id}: {text}"
        );
    }
    assert_status_reads_everything(&status, 3, "orders-db", &text);
    assert_eq!(
        status["global"]["reading"]["health_checks"]
            .as_array()
            .map(Vec::len),
        Some(2),
        "{status:#}"
    );
}

#[test]
fn a_stack_per_region_is_found_checked_and_read() {
    let lab = Lab::new(&["--stacks"]);
    let (text, status) = lab.init_check_status(&["--stack", "orders"]);
    for want in [
        "# Written by `drconsole init` from stack orders in us-east-1 and us-west-2.",
        "# from stack orders in us-west-2: Replica (AWS::RDS::DBInstance)",
        "# from stack orders in us-east-1: Web (AWS::AutoScaling::AutoScalingGroup)",
        "kind = \"rds-replica\"\nprimary = \"orders-db\"\nstandby = \"orders-db-replica\"",
        "endpoint_parameter = \"/orders/db/endpoint\"",
        "primary_name = \"orders-web-use1\"\nstandby_name = \"orders-web-usw2\"",
        "mode = \"failover-routing\"",
    ] {
        assert!(text.contains(want), "{want:?} not in:\n{text}");
    }
    assert_eq!(text.matches("[[ecs.services]]").count(), 3, "{text}");
    assert_status_reads_everything(&status, 3, "orders-db", &text);
}

#[test]
fn a_stack_missing_in_a_region_is_one_line_and_writes_nothing() {
    let lab = Lab::new(&["--stacks"]);
    let done = lab.init(&["--primary-stack", "orders", "--standby-stack", "orders-dr"]);
    assert_eq!(done.code, Some(78), "{}", done.output());
    assert_eq!(done.stderr.trim().lines().count(), 1, "{}", done.output());
    assert!(
        done.stderr
            .contains("stack orders-dr does not exist in us-west-2"),
        "{}",
        done.output()
    );
    assert!(!lab.estate().exists(), "nothing is written");
}

#[test]
fn a_region_with_nothing_tagged_is_one_line_and_writes_nothing() {
    let lab = Lab::new(&["--tags", "--untagged-standby"]);
    let done = lab.init(&["--tag", "app=orders"]);
    assert_eq!(done.code, Some(78), "{}", done.output());
    assert_eq!(done.stderr.trim().lines().count(), 1, "{}", done.output());
    assert!(
        done.stderr
            .contains("nothing in us-west-2 is tagged app=orders"),
        "{}",
        done.output()
    );
    assert!(!lab.estate().exists(), "nothing is written");
    // A tag that matches nothing anywhere: the primary says so first, the same way.
    let done = lab.init(&["--tag", "app=nothing"]);
    assert_eq!(done.code, Some(78), "{}", done.output());
    assert!(
        done.stderr.contains("is tagged app=nothing"),
        "{}",
        done.output()
    );
    assert!(!lab.estate().exists());
}

/// Flags that contradict each other: usage, before any call.
#[test]
fn bad_source_flags_are_usage_errors() {
    let dir = tempfile::tempdir().expect("dir");
    for (args, words) in [
        (vec!["--tag", "app"], "expected KEY=VALUE"),
        (vec!["--tag", "app=a", "--tag", "app=b"], "given twice"),
        (vec!["--stack", "a", "--primary-stack", "b"], "not both"),
        (vec!["--primary-stack", "a"], "go together"),
    ] {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_drconsole"));
        cmd.current_dir(dir.path())
            .args(["init", "--primary", "us-east-1", "--standby", "us-west-2"])
            .args(["--endpoint-url", "http://127.0.0.1:9", "-o", "out.toml"])
            .args(&args);
        let done = run_limited(cmd, LIMIT);
        assert_eq!(done.code, Some(64), "{args:?}: {}", done.output());
        assert!(done.stderr.contains(words), "{words}: {}", done.output());
        assert!(!dir.path().join("out.toml").exists());
    }
}

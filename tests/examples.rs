//! The example estates in assets/examples/, one per DR pattern the README's table lists:
//! each passes `check` as shipped, and each is seeded into moto (tests/moto/seed_estate.py
//! creates what the file names) and failed over headless, then re-protected and failed back
//! where the pattern allows it. What each run changed is read back through `status --json`.
//!
//! Needs moto (see tests/support/moto.rs); `scripts/test.sh` installs it.

#[path = "common/moto_control.rs"]
mod moto_control;
mod support;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use serde_json::Value;
use support::process::{Finished, run_limited};
use support::{Moto, moto};

const RUN_LIMIT: Duration = Duration::from_secs(90);

fn examples_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/examples")
}

fn example(name: &str) -> PathBuf {
    examples_dir().join(format!("{name}.toml"))
}

/// One example seeded into its own moto, with a directory for its state and audit logs.
struct Lab {
    moto: Moto,
    dir: tempfile::TempDir,
    config: PathBuf,
}

impl Lab {
    fn new(name: &str) -> Lab {
        let moto = Moto::start();
        let seeded = moto.seed_estate(&example(name));
        // A short settle keeps the planned failback's "caught up for a while" wait short.
        let text = format!("failback_settle = \"1s\"\n{}", seeded.estate);
        let dir = tempfile::tempdir().expect("temp dir");
        let config = dir.path().join(format!("{name}.toml"));
        std::fs::write(&config, text).expect("write estate file");
        Lab { moto, dir, config }
    }

    fn command(&self, args: &[&str]) -> Command {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_drconsole"));
        cmd.args(args)
            .arg("--config")
            .arg(&self.config)
            .env("HOME", self.dir.path())
            .env("XDG_STATE_HOME", self.dir.path().join("xdg"))
            .env("NO_COLOR", "1");
        for (k, v) in moto::test_env() {
            cmd.env(k, v);
        }
        for k in moto::UNSET_ENV {
            cmd.env_remove(k);
        }
        cmd
    }

    /// `drconsole run NAME --yes <flags>`, which must finish with exit 0.
    fn run(&self, name: &str, flags: &[&str]) -> Finished {
        let audit = self.dir.path().join(format!("audit-{name}.jsonl"));
        let state = self.dir.path().join("state");
        let mut cmd = self.command(&["run", name, "--yes"]);
        cmd.args(flags)
            .arg("--audit-log")
            .arg(&audit)
            .arg("--state-dir")
            .arg(&state);
        let done = run_limited(cmd, RUN_LIMIT);
        assert_eq!(
            done.code,
            Some(0),
            "drconsole run {name} {flags:?} did not complete:\n{}",
            done.output()
        );
        done
    }

    /// `drconsole status --json`.
    fn status(&self) -> Value {
        let done = run_limited(self.command(&["status", "--json"]), RUN_LIMIT);
        serde_json::from_str(&done.stdout)
            .unwrap_or_else(|e| panic!("status --json is not JSON ({e}):\n{}", done.output()))
    }

    fn assert_posture(&self, state: &str, active: &str, when: &str) {
        let status = self.status();
        assert_eq!(
            (
                status["posture"]["state"].as_str(),
                status["posture"]["active"].as_str()
            ),
            (Some(state), Some(active)),
            "{when}: {}",
            serde_json::to_string_pretty(&status).unwrap_or_default()
        );
    }
}

#[test]
fn every_example_passes_check_as_shipped() {
    let mut names: Vec<PathBuf> = std::fs::read_dir(examples_dir())
        .expect("assets/examples")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .collect();
    names.sort();
    assert!(!names.is_empty(), "no example estates");
    for path in names {
        let done = run_limited(
            {
                let mut c = Command::new(env!("CARGO_BIN_EXE_drconsole"));
                c.arg("check")
                    .arg("--config")
                    .arg(&path)
                    .env("NO_COLOR", "1");
                c
            },
            RUN_LIMIT,
        );
        assert_eq!(
            done.code,
            Some(0),
            "{} does not pass check:\n{}",
            path.display(),
            done.output()
        );
        assert!(done.stdout.contains("OK"), "{}", done.output());
    }
}

/// ECS + MySQL: promote the replica, write the secret, scale and restart the services, move
/// the CNAME; then re-protect and fail back with no data lost.
#[test]
fn ecs_mysql_fails_over_and_back_against_moto() {
    let lab = Lab::new("ecs-mysql");
    lab.assert_posture("normal", "primary", "as seeded");

    lab.run("failover", &["--allow-irreversible", "--allow-data-loss"]);
    let after = lab.status();
    assert_eq!(after["posture"]["active"], "standby", "{after:#}");
    assert_eq!(
        after["global"]["reading"]["dns"]["points_at"], "standby",
        "{after:#}"
    );

    // The new replica in the old primary reports its lag, as AWS would once it replicates.
    lab.moto.put_lag("eu-west-1", "tickets-mysql", 0, 0);
    lab.run("reprotect", &[]);
    lab.assert_posture("reprotected", "standby", "after reprotect");

    lab.moto
        .put_lag("eu-central-1", "tickets-mysql-replica", 0, 0);
    lab.run("failback", &["--allow-irreversible"]);
    lab.assert_posture("normal", "primary", "after failback");
}

impl Lab {
    /// The audit log of `drconsole run NAME`: one JSON object per line.
    fn audit(&self, name: &str) -> Vec<Value> {
        let path = self.dir.path().join(format!("audit-{name}.jsonl"));
        std::fs::read_to_string(&path)
            .unwrap_or_else(|e| panic!("audit log {}: {e}", path.display()))
            .lines()
            .map(|l| serde_json::from_str(l).expect("audit line is JSON"))
            .collect()
    }

    /// The AWS operations the run called, in order (`rds:PromoteReadReplica`, ...).
    fn calls(&self, name: &str) -> Vec<String> {
        self.audit(name)
            .iter()
            .filter(|l| l["event"] == "call")
            .map(|l| l["call"].as_str().unwrap_or("?").to_string())
            .collect()
    }

    /// Replaces `from` with `to` in the estate file the lab runs.
    fn rewrite(&self, from: &str, to: &str) {
        let text = std::fs::read_to_string(&self.config).expect("estate file");
        assert!(text.contains(from), "{from} is not in the estate file");
        std::fs::write(&self.config, text.replace(from, to)).expect("write estate file");
    }
}

/// Pilot light: promote, light the application tier, register it, invoke the team's Lambda,
/// move the alias record.
#[test]
fn pilot_light_fails_over_with_the_teams_lambda_against_moto() {
    let lab = Lab::new("pilot-light");
    lab.assert_posture("normal", "primary", "as seeded");

    lab.run("failover", &["--allow-irreversible", "--allow-data-loss"]);
    let after = lab.status();
    assert_eq!(after["posture"]["active"], "standby", "{after:#}");
    let dns = &after["global"]["reading"]["dns"];
    assert_eq!(dns["points_at"], "standby", "{dns:#}");
    assert_eq!(dns["alias"], true, "{dns:#}");
    let app = after["standby"]["reading"]["asgs"]
        .as_array()
        .and_then(|a| a.iter().find(|g| g["name"] == "storefront-app"))
        .cloned()
        .unwrap_or_default();
    assert_eq!(
        (app["min"].as_u64(), app["desired"].as_u64()),
        (Some(2), Some(2)),
        "{app:#}"
    );

    let calls = lab.calls("failover");
    for op in [
        "ssm:PutParameter",
        "rds:PromoteReadReplica",
        "autoscaling:UpdateAutoScalingGroup",
        "elasticloadbalancing:RegisterTargets",
        "lambda:InvokeFunction",
        "route53:ChangeResourceRecordSets",
    ] {
        assert_eq!(
            calls.iter().filter(|c| *c == op).count(),
            1,
            "{op} once in {calls:?}"
        );
    }
    // The Lambda after the targets, before DNS.
    let at = |op: &str| calls.iter().position(|c| c == op).unwrap_or(usize::MAX);
    assert!(at("elasticloadbalancing:RegisterTargets") < at("lambda:InvokeFunction"));
    assert!(at("lambda:InvokeFunction") < at("route53:ChangeResourceRecordSets"));
}

/// A loopback server answering every request `200 ok` until dropped: the standby the
/// `http_check` step tests.
struct Answering {
    url: String,
    stop: std::sync::Arc<std::sync::atomic::AtomicBool>,
}

impl Answering {
    fn start() -> Answering {
        use std::io::{Read, Write};
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind loopback");
        listener.set_nonblocking(true).expect("nonblocking");
        let url = format!(
            "http://127.0.0.1:{}/health",
            listener.local_addr().expect("addr").port()
        );
        let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        let flag = stop.clone();
        std::thread::spawn(move || {
            while !flag.load(std::sync::atomic::Ordering::Relaxed) {
                match listener.accept() {
                    Ok((mut s, _)) => {
                        let _ = s.set_nonblocking(false);
                        let mut buf = [0u8; 2048];
                        let _ = s.read(&mut buf);
                        let _ = s.write_all(
                            b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\nconnection: close\r\n\r\nok",
                        );
                    }
                    Err(_) => std::thread::sleep(Duration::from_millis(10)),
                }
            }
        });
        Answering { url, stop }
    }
}

impl Drop for Answering {
    fn drop(&mut self) {
        self.stop.store(true, std::sync::atomic::Ordering::Relaxed);
    }
}

/// Microservices: no database; the team's restore script (with an `aws` CLI stand-in that
/// records how it was called), the services scaled, DNS moved by a person (`--yes` confirms
/// the instruction), and the standby tested over HTTP.
#[test]
fn microservices_fail_over_with_the_restore_script_against_moto() {
    use std::os::unix::fs::PermissionsExt;
    let lab = Lab::new("microservices");
    let standby = Answering::start();
    lab.rewrite("https://parts-euw1.example.com/health", &standby.url);
    // The script runs from the example's own directory: the copy beside the lab's file.
    let scripts = lab.dir.path().join("scripts");
    std::fs::create_dir_all(&scripts).expect("scripts dir");
    std::fs::copy(
        examples_dir().join("scripts/restore-state.sh"),
        scripts.join("restore-state.sh"),
    )
    .expect("copy the restore script");
    let bin = lab.dir.path().join("bin");
    std::fs::create_dir_all(&bin).expect("bin dir");
    let log = lab.dir.path().join("aws-calls.log");
    let aws = bin.join("aws");
    std::fs::write(
        &aws,
        format!(
            "#!/bin/sh\necho \"$*\" >> {}\ncase \"$1 $2\" in \"s3 cp\") echo '{{\"parts\":1}}' > \"$4\";; esac\n",
            log.display()
        ),
    )
    .expect("aws stand-in");
    std::fs::set_permissions(&aws, std::fs::Permissions::from_mode(0o755)).expect("chmod");

    // Before: replication and images ready.
    // S3 reports an object PENDING for a few reads before COMPLETED (the harness models it).
    let mut items = Vec::new();
    for _ in 0..8 {
        let before = lab.status();
        items = before["readiness"]["items"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        let pending = items.iter().any(|i| {
            i["label"].as_str().is_some_and(|l| l.starts_with("S3 ")) && i["check"] != "pass"
        });
        if !pending {
            break;
        }
    }
    for label in ["S3 parts-state-euw2", "ECR parts/catalog"] {
        let item = items
            .iter()
            .find(|i| i["label"].as_str().is_some_and(|l| l.starts_with(label)))
            .unwrap_or_else(|| panic!("no readiness item {label}: {items:#?}"));
        assert_eq!(item["check"], "pass", "{item:#}");
    }

    let path = format!(
        "{}:{}",
        bin.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let audit = lab.dir.path().join("audit-failover.jsonl");
    let mut cmd = lab.command(&["run", "failover", "--yes"]);
    cmd.env("PATH", path)
        .arg("--audit-log")
        .arg(&audit)
        .arg("--state-dir")
        .arg(lab.dir.path().join("state"));
    let done = run_limited(cmd, RUN_LIMIT);
    assert_eq!(done.code, Some(0), "{}", done.output());

    let called = std::fs::read_to_string(&log).expect("the script called aws");
    assert!(
        called.contains("s3 cp s3://parts-state-euw1/state/services.json"),
        "{called}"
    );
    assert!(
        called.contains("ssm put-parameter --region eu-west-1"),
        "{called}"
    );
    let lines = std::fs::read_to_string(&audit).expect("audit");
    assert!(lines.contains("restore-state: restored"), "{lines}");

    let after = lab.status();
    let services = after["standby"]["reading"]["services"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let desired: Vec<(String, u64)> = services
        .iter()
        .map(|s| {
            (
                s["name"].as_str().unwrap_or("?").to_string(),
                s["desired"].as_u64().unwrap_or(0),
            )
        })
        .collect();
    assert_eq!(
        desired,
        vec![
            ("catalog".to_string(), 2),
            ("pricing".to_string(), 2),
            ("inventory".to_string(), 3)
        ]
    );
}

/// Warm standby: no replica; the standby database is restored from the newest copy in its
/// vault (one `StartRestoreJob`), the endpoint written once it exists, the services scaled,
/// and the failover pair held on the standby by inverting the primary's check.
#[test]
fn warm_standby_fails_over_by_restoring_the_newest_backup_against_moto() {
    let lab = Lab::new("warm-standby");
    let before = lab.status();
    let standby_db = &before["standby"]["reading"]["database"];
    assert_eq!(standby_db["role"]["kind"], "backup", "{standby_db:#}");
    assert_eq!(before["posture"]["active"], "primary", "{before:#}");

    lab.run("failover", &["--allow-irreversible", "--allow-data-loss"]);
    let calls = lab.calls("failover");
    for op in [
        "backup:StartRestoreJob",
        "ssm:PutParameter",
        "route53:UpdateHealthCheck",
    ] {
        assert_eq!(
            calls.iter().filter(|c| *c == op).count(),
            1,
            "{op} once in {calls:?}"
        );
    }
    let at = |op: &str| calls.iter().position(|c| c == op).unwrap_or(usize::MAX);
    assert!(
        at("backup:StartRestoreJob") < at("ssm:PutParameter"),
        "the endpoint is written once the restored instance exists: {calls:?}"
    );
    let after = lab.status();
    assert_eq!(after["posture"]["active"], "standby", "{after:#}");
    let restored = &after["standby"]["reading"]["database"];
    assert_eq!(restored["id"], "claims-db-dr", "{restored:#}");
    assert_eq!(restored["role"]["kind"], "writer", "{restored:#}");
    let dns = &after["global"]["reading"]["dns"];
    assert_eq!(dns["points_at"], "standby", "{dns:#}");
    assert_eq!(dns["failover"]["check"]["inverted"], true, "{dns:#}");
    let report = std::fs::read_dir(lab.dir.path().join("state/runs"))
        .expect("runs")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .find(|p| {
            p.extension().is_some_and(|e| e == "md") && p.to_string_lossy().contains("failover")
        })
        .map(|p| std::fs::read_to_string(p).expect("report"))
        .expect("a drill report");
    assert!(report.contains("recovery point age"), "{report}");
}

/// Payments: the Aurora global database failed over with its lag accepted, the failover pair
/// held on the standby, the run lock claimed in DynamoDB and every event published to the
/// incident topic; then re-protected (AWS rebuilds the old primary) and failed back by a
/// switchover.
#[test]
fn payments_fails_over_and_back_with_the_lock_and_notifications_against_moto() {
    let lab = Lab::new("payments");
    lab.assert_posture("normal", "primary", "as seeded");

    lab.run("failover", &["--allow-irreversible", "--allow-data-loss"]);
    let calls = lab.calls("failover");
    assert_eq!(
        calls
            .iter()
            .filter(|c| *c == "rds:FailoverGlobalCluster")
            .count(),
        1,
        "{calls:?}"
    );
    let after = lab.status();
    assert_eq!(after["posture"]["active"], "standby", "{after:#}");
    assert_eq!(
        after["global"]["reading"]["dns"]["failover"]["check"]["inverted"],
        true
    );
    let audit = lab.audit("failover");
    let event = |e: &str| audit.iter().filter(|l| l["event"] == e).count();
    // This machine's lock and the shared lease in DynamoDB, each claimed and released once.
    for store in ["local", "dynamodb"] {
        for e in ["lock_claimed", "lock_released"] {
            let n = audit
                .iter()
                .filter(|l| l["event"] == e && l["store"] == store)
                .count();
            assert_eq!(n, 1, "{e} {store}: {audit:#?}");
        }
    }
    assert!(event("notify_sent") >= 2, "started and finished at least");
    assert_eq!(event("notify_failed"), 0, "{audit:#?}");
    let requests = moto_control::requests(&lab.moto.url);
    assert_eq!(requests.get("PutItem"), Some(&1), "{requests:?}");
    assert_eq!(
        requests.get("Publish").copied().unwrap_or(0),
        event("notify_sent") as u64
    );

    lab.moto
        .put_lag_metric("us-east-1", "aurora", "payments-use1", 1000);
    lab.run("reprotect", &[]);
    lab.assert_posture("reprotected", "standby", "after reprotect");

    lab.moto
        .put_lag_metric("us-east-1", "aurora", "payments-use1", 0);
    lab.run("failback", &["--allow-irreversible"]);
    lab.assert_posture("normal", "primary", "after failback");
    let back = lab.calls("failback");
    assert!(
        back.iter().any(|c| c == "rds:SwitchoverGlobalCluster"),
        "{back:?}"
    );
    assert!(
        back.iter().any(|c| c == "route53:UpdateHealthCheck"),
        "{back:?}"
    );
}

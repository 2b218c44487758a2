//! Throttling against moto: the harness (tests/moto/server.py) answers a share of the requests
//! with the protocol's throttling error, spread evenly, as AWS does under load.
//!
//! - `status` on a healthy estate stays "ready" (exit 0) with 30 % of requests throttled:
//!   reads are retried by the SDK (five attempts, short backoff, within the call timeout).
//!   With the former two attempts, about one read in eleven failed and the status flapped.
//! - A headless failover under the same throttling completes, and moto applies each change
//!   exactly once: a throttled change was refused, so the engine may send it again, and the
//!   SDK itself never repeats a change. The promotion is irreversible: when it is throttled,
//!   nothing sends it again automatically; the run stops unfinished and the same command,
//!   run again, resumes it (reading AWS first).
//! - While every read of the standby's Region is throttled, `status` shows that region
//!   `throttled` (busy: AWS answers but refuses), never `unreachable`, and fresh once it ends.

mod support;

#[path = "common/moto_control.rs"]
mod control;
#[path = "common/status_schema.rs"]
mod status_schema;

use std::process::Command;
use std::time::{Duration, Instant};

use support::{Endpoints, Moto, moto};

fn drconsole(args: &[&str], dir: &std::path::Path) -> std::process::Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_drconsole"));
    cmd.args(args)
        .env("HOME", dir)
        .env("XDG_STATE_HOME", dir.join("xdg"))
        .env("NO_COLOR", "1");
    for (k, v) in moto::test_env() {
        cmd.env(k, v);
    }
    for k in moto::UNSET_ENV {
        cmd.env_remove(k);
    }
    cmd.output().expect("run drconsole")
}

fn seeded() -> (Moto, tempfile::TempDir, std::path::PathBuf) {
    let (server, dir, path, _) = seeded_in();
    (server, dir, path)
}

fn seeded_in() -> (Moto, tempfile::TempDir, std::path::PathBuf, String) {
    let server = Moto::start();
    let seeded = server.seed(0);
    let standby_region = seeded.standby_region.clone();
    let toml = seeded.estate_toml(&Endpoints::both(&server.url));
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("orders.toml");
    std::fs::write(&path, &toml).expect("write estate file");
    (server, dir, path, standby_region)
}

#[test]
fn status_stays_ready_with_thirty_percent_of_requests_throttled() {
    let (server, dir, path) = seeded();
    let before_throttled: u64 = control::throttled(&server.url).values().sum();
    let before_answered: u64 = control::requests(&server.url).values().sum();
    control::throttle(&server.url, 30);
    let config = path.to_str().expect("utf-8 path");
    for round in 0..3 {
        let began = Instant::now();
        let out = drconsole(&["status", "--config", config], dir.path());
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert_eq!(
            out.status.code(),
            Some(0),
            "round {round}: status under throttling\nstdout:\n{stdout}\nstderr:\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
        eprintln!("status round {round}: exit 0 in {:.1?}", began.elapsed());
    }
    let throttled: u64 = control::throttled(&server.url).values().sum::<u64>() - before_throttled;
    let answered: u64 = control::requests(&server.url).values().sum::<u64>() - before_answered;
    eprintln!("throttled {throttled} of {} requests", throttled + answered);
    assert!(
        throttled * 100 >= (throttled + answered) * 20,
        "the harness throttled {throttled} of {} requests",
        throttled + answered
    );
}

#[test]
fn a_failover_under_throttling_applies_each_change_once() {
    let (server, dir, path) = seeded();
    let seeding = control::changes(&server.url);
    control::throttle(&server.url, 30);
    let state = dir.path().join("state");
    let audit = dir.path().join("audit.jsonl");
    let args = [
        "run",
        "failover",
        "--yes",
        "--allow-irreversible",
        "--allow-data-loss",
        "--config",
        path.to_str().expect("utf-8 path"),
        "--state-dir",
        state.to_str().expect("utf-8 path"),
        "--audit-log",
        audit.to_str().expect("utf-8 path"),
    ];
    let mut runs = Vec::new();
    loop {
        let out = drconsole(&args, dir.path());
        let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
        let code = out.status.code();
        runs.push(stdout.clone());
        if code == Some(0) {
            break;
        }
        assert_eq!(
            code,
            Some(1),
            "run {}: stopped otherwise than on a failure\n{stdout}\nstderr:\n{}",
            runs.len(),
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(
            runs.len() < 8,
            "the failover did not complete in {} runs:\n{}",
            runs.len(),
            runs.join("\n----\n")
        );
    }
    for (i, r) in runs.iter().enumerate().skip(1) {
        assert!(r.contains("resuming run "), "run {i} did not resume:\n{r}");
    }
    eprintln!(
        "failover under throttling completed in {} run(s)",
        runs.len()
    );
    let stdout = runs.join("\n----\n");
    let changes: std::collections::BTreeMap<String, u64> = control::changes(&server.url)
        .into_iter()
        .map(|(op, n)| {
            let seeded = seeding.get(&op).copied().unwrap_or(0);
            (op, n - seeded)
        })
        .filter(|(_, n)| *n > 0)
        .collect();
    let throttled = control::throttled(&server.url);
    eprintln!("changes applied: {changes:?}\nthrottled: {throttled:?}");
    // Each change moto applied is one call the audit log shows answered: none twice.
    let text = std::fs::read_to_string(&audit).expect("audit log");
    let results: Vec<serde_json::Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).expect("audit line"))
        .filter(|l: &serde_json::Value| l["event"] == "result")
        .collect();
    let applied: u64 = changes.values().sum();
    assert_eq!(
        applied,
        results.len() as u64,
        "moto applied {changes:?}; the audit log has {} answered calls\n{stdout}",
        results.len()
    );
    assert_eq!(changes.get("PromoteReadReplica"), Some(&1), "{changes:?}");
}

/// Throttling that outlasts every retry (a Region-wide event): for 60 seconds from the start
/// of a failover, the harness answers every request, whatever its attempt, with the
/// protocol's throttling error. The reads back off while it lasts (the run's log says the
/// region is throttling, not unreachable); no change is sent before a fresh read succeeds; the
/// one run completes, and moto applies each change exactly once.
#[test]
fn a_failover_through_sixty_seconds_of_throttling_completes_with_each_change_sent_once() {
    let (server, dir, path) = seeded();
    let seeding = control::changes(&server.url);
    let state = dir.path().join("state");
    let audit = dir.path().join("audit.jsonl");
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_drconsole"));
    cmd.args([
        "run",
        "failover",
        "--yes",
        "--allow-irreversible",
        "--allow-data-loss",
        "--config",
        path.to_str().expect("utf-8 path"),
        "--state-dir",
        state.to_str().expect("utf-8 path"),
        "--audit-log",
        audit.to_str().expect("utf-8 path"),
    ])
    .env("HOME", dir.path())
    .env("XDG_STATE_HOME", dir.path().join("xdg"))
    .env("NO_COLOR", "1")
    .stdout(std::process::Stdio::piped())
    .stderr(std::process::Stdio::piped());
    for (k, v) in moto::test_env() {
        cmd.env(k, v);
    }
    for k in moto::UNSET_ENV {
        cmd.env_remove(k);
    }
    let began = Instant::now();
    let child = cmd.spawn().expect("start drconsole");
    // The storm begins once the run has started: from its first step on, every call is
    // throttled for 60 seconds.
    while !std::fs::read_to_string(&audit).is_ok_and(|t| t.contains("\"run_started\"")) {
        assert!(began.elapsed().as_secs() < 60, "the run did not start");
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    control::throttle_for(&server.url, 60, None, None);
    let out = child.wait_with_output().expect("run drconsole");
    let stdout = String::from_utf8_lossy(&out.stdout);
    eprintln!(
        "failover through 60 s of throttling: exit {:?} after {:.1?}",
        out.status.code(),
        began.elapsed()
    );
    assert_eq!(
        out.status.code(),
        Some(0),
        "one run, completed\nstdout:\n{stdout}\nstderr:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let throttled: u64 = control::throttled(&server.url).values().sum();
    assert!(throttled > 0, "the harness throttled nothing");
    let text = std::fs::read_to_string(&audit).expect("audit log");
    let lines: Vec<serde_json::Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).expect("audit line"))
        .collect();
    let said = |event: &str, word: &str| {
        lines
            .iter()
            .any(|l| l["event"] == event && l["text"].as_str().is_some_and(|t| t.contains(word)))
    };
    assert!(
        said("throttled", "busy, not unreachable"),
        "the log says the region throttles:\n{stdout}"
    );
    assert!(said("throttling_ended", "answers again"), "{stdout}");
    // Each change moto applied is one answered call of the run, by operation: none twice.
    let changes: std::collections::BTreeMap<String, u64> = control::changes(&server.url)
        .into_iter()
        .map(|(op, n)| (op.clone(), n - seeding.get(&op).copied().unwrap_or(0)))
        .filter(|(_, n)| *n > 0)
        .collect();
    let mut answered: std::collections::BTreeMap<String, u64> = Default::default();
    for l in lines.iter().filter(|l| l["event"] == "result") {
        let call = l["call"].as_str().unwrap_or_default();
        let op = call.rsplit(':').next().unwrap_or(call).to_string();
        *answered.entry(op).or_default() += 1;
    }
    eprintln!("changes applied: {changes:?}; answered: {answered:?}");
    assert!(!changes.is_empty());
    for (op, n) in &changes {
        assert_eq!(
            answered.get(op),
            Some(n),
            "{op}: moto applied {n}; {answered:?}"
        );
    }
    assert_eq!(changes.get("PromoteReadReplica"), Some(&1), "{changes:?}");
    // A figure, not a check: changes the storm refused (each resent after a fresh read).
    let refused: u64 = control::CHANGES
        .iter()
        .filter_map(|op| control::throttled(&server.url).get(*op).copied())
        .sum();
    eprintln!("changes refused as throttled (and sent again after a fresh read): {refused}");
}

fn status_json(config: &str, dir: &std::path::Path) -> serde_json::Value {
    let out = drconsole(&["status", "--json", "--config", config], dir);
    let stdout = String::from_utf8_lossy(&out.stdout);
    let status: serde_json::Value = serde_json::from_str(&stdout).unwrap_or_else(|e| {
        panic!(
            "status --json is not JSON ({e}):\n{stdout}\nstderr:\n{}",
            String::from_utf8_lossy(&out.stderr)
        )
    });
    status_schema::assert_conforms(&status);
    status
}

#[test]
fn a_region_throttled_throughout_is_shown_throttled_not_unreachable_then_fresh() {
    let (server, dir, path, standby_region) = seeded_in();
    let config = path.to_str().expect("utf-8 path");
    let before = status_json(config, dir.path());
    assert_eq!(before["standby"]["state"], "fresh", "{before:#}");

    const STORM: u64 = 30;
    let began = Instant::now();
    control::throttle_for(&server.url, STORM as u32, None, Some(&standby_region));
    let during = status_json(config, dir.path());
    assert!(
        began.elapsed().as_secs() < STORM,
        "the status outlasted the throttling; it proves nothing"
    );
    assert_eq!(during["standby"]["state"], "throttled", "{during:#}");
    assert_eq!(during["standby"]["region"], standby_region.as_str());
    // Only the standby's Region is throttled: the primary reads as before.
    assert_eq!(during["primary"]["state"], "fresh", "{during:#}");
    // Throttled whole, the error says so; throttled in a part, that part's kind does.
    let standby = &during["standby"];
    let whole = standby["error"]
        .as_str()
        .is_some_and(|e| e.contains("Throttl") || e.contains("throttl"));
    let part = ["database", "services", "asgs", "target_groups", "alarms"]
        .iter()
        .any(|s| standby["reading"][s]["error"]["kind"] == "throttled");
    assert!(whole || part, "nothing says throttled: {standby:#}");

    let out = drconsole(&["status", "--config", config], dir.path());
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        began.elapsed().as_secs() < STORM,
        "the storm ended too soon"
    );
    let standby_line = text
        .lines()
        .find(|l| l.starts_with("STANDBY "))
        .unwrap_or_else(|| panic!("no standby line:\n{text}"));
    assert!(standby_line.contains("THROTTLED"), "{text}");
    assert!(!standby_line.contains("UNREACHABLE"), "{text}");

    // Once AWS answers again, the region is fresh.
    let left = Duration::from_secs(STORM).saturating_sub(began.elapsed());
    std::thread::sleep(left + Duration::from_secs(1));
    let after = status_json(config, dir.path());
    assert_eq!(after["standby"]["state"], "fresh", "{after:#}");
    assert!(
        control::throttled(&server.url).values().sum::<u64>() > 0,
        "the harness throttled nothing"
    );
}

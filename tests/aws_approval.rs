//! A second operator's approval through the coordination table, against moto: the real
//! binary as operator A (`drconsole run failover`, USER=alice) and as operator B
//! (`drconsole approve`, USER=bob), separate processes with separate audit logs and state.
//! Operators are told apart by user@host (moto answers every caller with the same principal,
//! so the principal never makes a second operator here). The table is created by
//! tests/moto/coordination.py, as an operator would create it once.

mod support;

#[path = "common/moto_control.rs"]
mod moto_control;

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::Value;
use support::{Endpoints, Moto, moto};

const STANDBY: &str = "us-west-2";
const TABLE: &str = "drconsole-runs";

struct Fixture {
    moto: Moto,
    config: PathBuf,
    dir: tempfile::TempDir,
}

impl Fixture {
    fn new(coordination_extra: &str) -> Fixture {
        let moto = Moto::start();
        let seeded = moto.seed(0);
        let out = Command::new(moto::python())
            .arg(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/moto/coordination.py"))
            .args([&moto.url, "setup", STANDBY, TABLE])
            .env_remove("AWS_PROFILE")
            .env_remove("AWS_ENDPOINT_URL")
            .output()
            .expect("coordination.py");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let toml = format!(
            "{}\n[coordination]\ntable = \"{TABLE}\"\napproval = \"irreversible\"\n{coordination_extra}",
            seeded.estate_toml(&Endpoints::both(&moto.url)),
        );
        let dir = tempfile::tempdir().unwrap();
        let config = dir.path().join("orders.toml");
        std::fs::write(&config, toml).unwrap();
        moto.put_lag(STANDBY, "orders-db-replica", 1, 0);
        Fixture { moto, config, dir }
    }

    fn command(&self, user: &str, args: &[&str]) -> Command {
        moto::operator_command(user, self.dir.path(), &self.config, args)
    }

    /// `drconsole approve RUN STEP ARGS…` as `user`: exit code and output.
    fn approve(&self, user: &str, run: &str, step: &str, extra: &[&str]) -> (Option<i32>, String) {
        let mut args = vec!["approve", run, step];
        args.extend_from_slice(extra);
        let out = self
            .command(user, &args)
            .output()
            .expect("drconsole approve");
        let text = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        eprintln!(
            "approve as {user} {extra:?}: {:?}\n{text}",
            out.status.code()
        );
        (out.status.code(), text)
    }

    fn audit_path(&self, user: &str) -> PathBuf {
        moto::operator_audit_path(self.dir.path(), user)
    }

    fn audit(&self, user: &str) -> Vec<Value> {
        std::fs::read_to_string(self.audit_path(user))
            .unwrap_or_default()
            .lines()
            .map(|l| serde_json::from_str(l).expect("audit line is JSON"))
            .collect()
    }

    fn promotions(&self) -> u64 {
        moto_control::requests(&self.moto.url)
            .get("PromoteReadReplica")
            .copied()
            .unwrap_or(0)
    }
}

/// Operator A's headless failover, its output collected as it comes.
struct Run {
    child: Child,
    out: Arc<Mutex<String>>,
}

impl Run {
    fn start(fx: &Fixture, user: &str) -> Run {
        let mut child = fx
            .command(
                user,
                &[
                    "run",
                    "failover",
                    "--yes",
                    "--allow-irreversible",
                    "--allow-data-loss",
                ],
            )
            .spawn()
            .expect("start drconsole run");
        let out = Arc::new(Mutex::new(String::new()));
        for pipe in [
            Box::new(child.stdout.take().unwrap()) as Box<dyn std::io::Read + Send>,
            Box::new(child.stderr.take().unwrap()),
        ] {
            let sink = out.clone();
            std::thread::spawn(move || {
                for line in BufReader::new(pipe).lines().map_while(Result::ok) {
                    let mut s = sink.lock().unwrap();
                    s.push_str(&line);
                    s.push('\n');
                }
            });
        }
        Run { child, out }
    }

    fn text(&self) -> String {
        self.out.lock().unwrap().clone()
    }

    /// Waits for the approval request: (run id, step, plan sha256).
    fn waiting(&self) -> (String, String, String) {
        let began = Instant::now();
        loop {
            let text = self.text();
            let cmd = text
                .lines()
                .find_map(|l| l.split("approves with: drconsole approve ").nth(1));
            let hash = text
                .lines()
                .find_map(|l| l.trim().strip_prefix("plan sha256 "));
            if let (Some(cmd), Some(hash)) = (cmd, hash) {
                let mut words = cmd.split_whitespace();
                return (
                    words.next().unwrap().to_string(),
                    words.next().unwrap().to_string(),
                    hash.trim().to_string(),
                );
            }
            assert!(
                began.elapsed() < Duration::from_secs(90),
                "no approval request:\n{text}"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    fn wait(mut self) -> (Option<i32>, String) {
        let began = Instant::now();
        let status = loop {
            if let Some(s) = self.child.try_wait().unwrap() {
                break s;
            }
            if began.elapsed() > Duration::from_secs(120) {
                let _ = self.child.kill();
                panic!("drconsole run did not finish:\n{}", self.text());
            }
            std::thread::sleep(Duration::from_millis(50));
        };
        std::thread::sleep(Duration::from_millis(200));
        (status.code(), self.text())
    }
}

fn events<'a>(audit: &'a [Value], event: &str) -> Vec<&'a Value> {
    audit.iter().filter(|l| l["event"] == event).collect()
}

fn host() -> String {
    drconsole::runbook::lock::hostname()
}

fn report(fx: &Fixture, user: &str, run: &str, ext: &str) -> String {
    let path = fx
        .dir
        .path()
        .join(format!("state-{user}"))
        .join("runs")
        .join(format!("{run}.{ext}"));
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

#[test]
fn a_waits_for_b_a_cannot_approve_itself_another_plan_is_refused_and_b_promotes_once() {
    let fx = Fixture::new("");
    let a = Run::start(&fx, "alice");
    let (run, step, hash) = a.waiting();
    assert_eq!(hash.len(), 64, "{hash}");
    std::thread::sleep(Duration::from_secs(3));
    assert_eq!(fx.promotions(), 0, "nothing promoted before the approval");

    // A cannot approve A's own step, even naming the plan.
    let (code, out) = fx.approve("alice", &run, &step, &["--plan", &hash]);
    assert_eq!(code, Some(3), "{out}");
    assert!(
        out.contains(&format!(
            "refused: alice@{} asked for this approval",
            host()
        )),
        "{out}"
    );
    // B is shown the plan and approves nothing without naming it (no terminal).
    let (code, out) = fx.approve("bob", &run, &step, &[]);
    assert_eq!(code, Some(2), "{out}");
    assert!(
        out.contains("PromoteReadReplica") || out.contains("promote"),
        "{out}"
    );
    assert!(out.contains(&format!("plan sha256 {hash}")), "{out}");
    assert!(
        out.contains("DATA LOSS"),
        "the loss is shown to the approver: {out}"
    );
    // Another plan's hash is refused.
    let other = "0".repeat(64);
    let (code, out) = fx.approve("bob", &run, &step, &["--plan", &other]);
    assert_eq!(code, Some(3), "{out}");
    assert!(out.contains("not ") && out.contains(&other), "{out}");
    // An unknown step has nothing pending.
    let (code, out) = fx.approve("bob", &run, "99", &["--plan", &hash]);
    assert_eq!(code, Some(1), "{out}");
    assert_eq!(fx.promotions(), 0, "refusals change nothing");

    let (code, out) = fx.approve("bob", &run, &step, &["--plan", &hash]);
    assert_eq!(code, Some(0), "{out}");
    assert!(
        out.contains(&format!("approved by bob@{}", host())),
        "{out}"
    );
    let (code, text) = a.wait();
    assert_eq!(code, Some(0), "{text}");
    assert!(
        text.contains(&format!("approved by bob@{}", host())),
        "{text}"
    );
    assert_eq!(fx.promotions(), 1, "exactly one PromoteReadReplica");
    // A second approval of the same request: nothing pending any more.
    let (code, out) = fx.approve("carol", &run, &step, &["--plan", &hash]);
    assert_eq!(code, Some(1), "{out}");
    assert!(out.contains("already approved by bob@"), "{out}");

    // Audited on both sides; the requester's chain holds the request and the approval.
    let la = fx.audit("alice");
    let asked = events(&la, "approval_requested");
    assert_eq!(asked.len(), 1, "{la:?}");
    assert_eq!(asked[0]["plan_sha256"], hash.as_str());
    assert_eq!(asked[0]["user"], "alice");
    let granted = events(&la, "approval_granted");
    assert_eq!(granted.len(), 1, "{la:?}");
    assert_eq!(granted[0]["user"], "bob");
    assert_eq!(granted[0]["host"], host().as_str());
    let seq = |e: &Value| e["seq"].as_u64().unwrap();
    let confirm = events(&la, "confirm")
        .into_iter()
        .find(|c| c["step"] == step.as_str())
        .expect("A's own confirmation of the step");
    let call = events(&la, "call")
        .into_iter()
        .find(|c| {
            c["call"]
                .as_str()
                .is_some_and(|c| c.contains("PromoteReadReplica"))
        })
        .expect("the promotion's call line");
    assert!(seq(confirm) < seq(asked[0]) && seq(asked[0]) < seq(granted[0]));
    assert!(
        seq(granted[0]) < seq(call),
        "the call comes after the approval"
    );
    let lb = fx.audit("bob");
    assert_eq!(events(&lb, "approval_given").len(), 1, "{lb:?}");
    // The other plan and the unknown step; showing the plan is no refusal.
    assert_eq!(events(&lb, "approval_refused").len(), 2, "{lb:?}");
    // A's own attempt is in A's log (the same file), and so in A's report.
    let own = events(&la, "approval_refused");
    assert_eq!(own.len(), 1, "{la:?}");
    assert!(
        own[0]["reason"]
            .as_str()
            .unwrap()
            .contains("asked for this approval")
    );
    let verify = fx
        .command("alice", &["audit", "verify"])
        .output()
        .expect("audit verify");
    assert_eq!(verify.status.code(), Some(0), "the chain holds");

    // Both reports state the request and the approval.
    let md = report(&fx, "alice", &run, "md");
    assert!(md.contains("## Second operator's approvals"), "{md}");
    assert!(md.contains("| granted | bob@"), "{md}");
    assert!(md.contains("| refused | alice@"), "{md}");
    let html = report(&fx, "alice", &run, "html");
    assert!(html.contains("<table id=\"approvals\">"), "{html}");
    assert!(html.contains("<td class=\"what\">granted</td><td class=\"user\">bob</td>"));
}

#[test]
fn an_approval_after_the_timeout_is_refused_and_the_step_is_stopped_not_skipped() {
    let fx = Fixture::new("approval_timeout = \"10s\"\n");
    let a = Run::start(&fx, "alice");
    let (run, step, hash) = a.waiting();
    let (code, text) = a.wait();
    assert_eq!(code, Some(1), "stopped, resumable: {text}");
    assert!(text.contains("was not approved in time"), "{text}");
    assert!(!text.contains("[skipped]"), "never skipped: {text}");
    let (code, out) = fx.approve("bob", &run, &step, &["--plan", &hash]);
    assert_eq!(code, Some(1), "{out}");
    assert!(out.contains("timed out"), "{out}");
    assert_eq!(fx.promotions(), 0, "nothing promoted");
    let la = fx.audit("alice");
    assert_eq!(events(&la, "approval_timed_out").len(), 1, "{la:?}");
    assert_eq!(events(&la, "approval_granted").len(), 0);
    assert!(events(&la, "run_suspended").len() == 1, "resumable: {la:?}");
    let journal = fx
        .dir
        .path()
        .join("state-alice")
        .join("runs")
        .join(format!("{run}.json"));
    let j: Value = serde_json::from_slice(&std::fs::read(&journal).unwrap()).unwrap();
    assert!(j["outcome"].is_null(), "the journal stays unfinished: {j}");
}

#[test]
fn check_refuses_approval_without_coordination() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("orders.toml");
    let regions = "[primary]\nregion = \"us-east-1\"\n[standby]\nregion = \"us-west-2\"\n";
    let top = "name = \"orders\"\napproval = \"irreversible\"\n";
    let plain = "name = \"orders\"\n";
    for (text, code, words) in [
        (format!("{top}{regions}"), 78, "needs [coordination]"),
        (
            format!("{top}{regions}[coordination]\ntable = \"drconsole-runs\"\n"),
            78,
            "write it under [coordination]",
        ),
        (
            format!(
                "{plain}{regions}[coordination]\ntable = \"drconsole-runs\"\napproval = \"always\"\n"
            ),
            78,
            "irreversible",
        ),
        (
            format!(
                "{plain}{regions}[coordination]\ntable = \"drconsole-runs\"\napproval = \"irreversible\"\n\
                 approval_timeout = \"1s\"\n"
            ),
            78,
            "between 10s and 24h",
        ),
        (
            format!(
                "{plain}{regions}[coordination]\ntable = \"drconsole-runs\"\napproval = \"irreversible\"\n"
            ),
            0,
            "OK",
        ),
    ] {
        std::fs::write(&path, &text).unwrap();
        let out = Command::new(env!("CARGO_BIN_EXE_drconsole"))
            .args(["check", "--config"])
            .arg(&path)
            .env("NO_COLOR", "1")
            .output()
            .unwrap();
        let said = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        assert_eq!(out.status.code(), Some(code), "{text}\n{said}");
        assert!(said.contains(words), "{text}\n{said}");
    }
}

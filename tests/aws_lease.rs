//! The run lock's lease under faults, against moto, through the real binary: a renewal whose
//! answer is lost (applied by DynamoDB, the reply withheld by the harness) keeps the lease; a
//! table that stops answering past the lease stops the run before its next change (a local
//! `command` included), and another operator can then take the lease over.
//!
//! The table stops answering through a small proxy on loopback in front of the standby's
//! endpoint: it forwards every request to moto, and, once told to, holds DynamoDB's requests
//! without an answer (what a client sees when the table's region is unreachable). Every
//! other service still answers.

mod support;

#[path = "common/moto_control.rs"]
mod moto_control;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use serde_json::Value;
use support::{Endpoints, Moto, moto};

const STANDBY: &str = "us-west-2";
const TABLE: &str = "drconsole-runs";

fn coordination(url: &str, args: &[&str]) -> String {
    let out = Command::new(moto::python())
        .arg(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/moto/coordination.py"))
        .arg(url)
        .args(args)
        .env_remove("AWS_PROFILE")
        .env_remove("AWS_ENDPOINT_URL")
        .output()
        .expect("run tests/moto/coordination.py");
    assert!(
        out.status.success(),
        "coordination.py {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// A forwarding proxy on loopback; `hang` holds DynamoDB's requests unanswered.
struct Proxy {
    url: String,
    hang: Arc<AtomicBool>,
    held: Arc<AtomicUsize>,
}

fn read_request(r: &mut BufReader<TcpStream>) -> Option<(String, Vec<u8>)> {
    let mut head = String::new();
    let mut length = 0usize;
    loop {
        let mut line = String::new();
        if r.read_line(&mut line).ok()? == 0 {
            return None;
        }
        if let Some((k, v)) = line.split_once(':')
            && k.eq_ignore_ascii_case("content-length")
        {
            length = v.trim().parse().ok()?;
        }
        let end = line == "\r\n";
        if !line.to_ascii_lowercase().starts_with("connection:") || end {
            if end {
                head.push_str("Connection: close\r\n");
            }
            head.push_str(&line);
        }
        if end {
            break;
        }
    }
    let mut body = vec![0; length];
    r.read_exact(&mut body).ok()?;
    Some((head, body))
}

impl Proxy {
    fn start(upstream: &str) -> Proxy {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        let url = format!("http://{}", listener.local_addr().unwrap());
        let upstream = upstream.trim_start_matches("http://").to_string();
        let hang = Arc::new(AtomicBool::new(false));
        let held = Arc::new(AtomicUsize::new(0));
        let (h, n) = (hang.clone(), held.clone());
        std::thread::spawn(move || {
            for conn in listener.incoming() {
                let Ok(client) = conn else { continue };
                let (hang, held, upstream) = (h.clone(), n.clone(), upstream.clone());
                std::thread::spawn(move || {
                    let mut reader = BufReader::new(client.try_clone().unwrap());
                    let mut client = client;
                    let Some((head, body)) = read_request(&mut reader) else {
                        return;
                    };
                    let dynamo = head
                        .to_ascii_lowercase()
                        .contains("x-amz-target: dynamodb_");
                    if dynamo && hang.load(Ordering::SeqCst) {
                        // The region does not answer: the connection stays open, silent.
                        held.fetch_add(1, Ordering::SeqCst);
                        std::thread::sleep(Duration::from_secs(120));
                        return;
                    }
                    let Ok(mut up) = TcpStream::connect(&upstream) else {
                        return;
                    };
                    if up.write_all(head.as_bytes()).is_err() || up.write_all(&body).is_err() {
                        return;
                    }
                    let mut answer = Vec::new();
                    let _ = up.read_to_end(&mut answer);
                    let _ = client.write_all(&answer);
                });
            }
        });
        Proxy { url, hang, held }
    }
}

struct Fixture {
    moto: Moto,
    dir: tempfile::TempDir,
}

/// The seeded estate with the coordination table, a lease of `lease`, and `runbooks`.
fn estate_text(seeded: &support::Seeded, standby: &str, moto: &str, runbooks: &str) -> String {
    let ep = Endpoints {
        primary: moto.to_string(),
        standby: standby.to_string(),
        call_timeout: "5s",
    };
    format!(
        "{}\n[coordination]\ntable = \"{TABLE}\"\nlease = \"12s\"\n{runbooks}",
        seeded.estate_toml(&ep)
    )
}

impl Fixture {
    fn new() -> (Fixture, support::Seeded) {
        let moto = Moto::start();
        let seeded = moto.seed(0);
        coordination(&moto.url, &["setup", STANDBY, TABLE]);
        let dir = tempfile::tempdir().unwrap();
        (Fixture { moto, dir }, seeded)
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    fn write_config(&self, name: &str, text: &str) -> PathBuf {
        let p = self.path(name);
        std::fs::write(&p, text).unwrap();
        p
    }

    /// `drconsole run RUNBOOK` as `user`, with a state directory of its own.
    fn spawn(&self, user: &str, config: &Path, runbook: &str, extra: &[&str]) -> Child {
        let args: Vec<&str> = ["run", runbook, "--yes"]
            .into_iter()
            .chain(extra.iter().copied())
            .collect();
        moto::operator_command(user, self.dir.path(), config, &args)
            .spawn()
            .expect("start drconsole")
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

    fn item(&self) -> Value {
        serde_json::from_str(&coordination(
            &self.moto.url,
            &["item", STANDBY, TABLE, "orders"],
        ))
        .unwrap()
    }
}

fn events<'a>(audit: &'a [Value], event: &str) -> Vec<&'a Value> {
    audit.iter().filter(|l| l["event"] == event).collect()
}

struct Done {
    code: Option<i32>,
    stdout: String,
    stderr: String,
}

fn wait(mut child: Child, within: Duration) -> Done {
    let began = Instant::now();
    let status = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break Some(s);
        }
        if began.elapsed() > within {
            let _ = child.kill();
            break None;
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let mut stdout = String::new();
    let mut stderr = String::new();
    child
        .stdout
        .take()
        .unwrap()
        .read_to_string(&mut stdout)
        .ok();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut stderr)
        .ok();
    assert!(
        status.is_some(),
        "drconsole did not finish:\n{stdout}\n{stderr}"
    );
    Done {
        code: status.and_then(|s| s.code()),
        stdout,
        stderr,
    }
}

fn command_step(id: &str, script: &str, timeout: &str) -> String {
    format!(
        "\n[[runbooks.drill.steps]]\nid = \"{id}\"\nkind = \"command\"\nprogram = \"sh\"\n\
         args = [\"-c\", {script:?}]\ntimeout = \"{timeout}\"\n"
    )
}

#[test]
fn a_renewal_whose_answer_is_lost_keeps_the_lease() {
    let (fx, seeded) = Fixture::new();
    let after = fx.path("after");
    // Long enough for several renewals (every 2 s with a 12 s lease).
    let runbooks = command_step("first", "sleep 7", "20s")
        + &command_step("second", &format!("touch {}", after.display()), "5s");
    let config = fx.write_config(
        "orders.toml",
        &estate_text(&seeded, &fx.moto.url, &fx.moto.url, &runbooks),
    );
    // The first renewal is applied by DynamoDB and its answer withheld.
    moto_control::lose_reply(&fx.moto.url, "UpdateItem");
    let ran = wait(
        fx.spawn("alice", &config, "drill", &[]),
        Duration::from_secs(90),
    );
    assert_eq!(ran.code, Some(0), "{}\n{}", ran.stdout, ran.stderr);
    assert!(after.exists(), "the step after the lost answer ran");
    let audit = fx.audit("alice");
    assert!(events(&audit, "lock_lost").is_empty(), "{audit:#?}");
    let resolved = events(&audit, "lock_renew_resolved");
    assert_eq!(resolved.len(), 1, "{audit:#?}");
    assert_eq!(resolved[0]["applied"], true);
    let updates = moto_control::requests(&fx.moto.url)
        .get("UpdateItem")
        .copied()
        .unwrap_or(0);
    assert!(
        updates >= 3,
        "renewed again after the lost answer: {updates}"
    );
    assert!(
        events(&audit, "lock_released")
            .iter()
            .any(|l| l["store"] == "dynamodb" && l["error"].is_null()),
        "released at the version the lost answer wrote: {audit:#?}"
    );
    assert_eq!(fx.item(), Value::Null, "the item is deleted");
}

#[test]
fn a_lease_lost_mid_run_stops_the_run_before_its_next_change_and_can_be_taken_over() {
    let (fx, seeded) = Fixture::new();
    let proxy = Proxy::start(&fx.moto.url);
    let (first, second, taken) = (fx.path("first"), fx.path("second"), fx.path("taken"));
    // A change, a pause much longer than the lease (reads only), another change.
    let mut runbooks = command_step("first", &format!("touch {}", first.display()), "5s");
    runbooks.push_str(
        "\n[[runbooks.drill.steps]]\nid = \"pause\"\nkind = \"wait\"\n\
         until = { region_reachable = \"standby\" }\nhold = \"30s\"\n",
    );
    runbooks.push_str(&command_step(
        "second",
        &format!("touch {}", second.display()),
        "5s",
    ));
    runbooks.push_str(&format!(
        "\n[[runbooks.after.steps]]\nid = \"taken\"\nkind = \"command\"\nprogram = \"touch\"\n\
         args = [{:?}]\n",
        taken.display().to_string()
    ));
    // Alice reaches the standby (and the table) through the proxy; Bob, on another network,
    // reaches them directly.
    let alice_config = fx.write_config(
        "alice.toml",
        &estate_text(&seeded, &proxy.url, &fx.moto.url, &runbooks),
    );
    let bob_config = fx.write_config(
        "bob.toml",
        &estate_text(&seeded, &fx.moto.url, &fx.moto.url, &runbooks),
    );
    let alice = fx.spawn("alice", &alice_config, "drill", &[]);
    let began = Instant::now();
    while !first.exists() {
        assert!(began.elapsed() < Duration::from_secs(60), "first never ran");
        std::thread::sleep(Duration::from_millis(50));
    }
    // The table stops answering alice, mid-run.
    proxy.hang.store(true, Ordering::SeqCst);
    let lost_at = Instant::now();

    // Bob, on another network, reaches the table. While alice's run still runs (its pause),
    // her lease expires in the table: refused until he types who he takes over from, then his
    // run makes its change.
    let me = format!("alice@{}", drconsole::runbook::lock::hostname());
    let item = fx.item();
    let expires: i64 = item["expires_at"].as_str().unwrap().parse().unwrap();
    let now = chrono::Utc::now().timestamp_millis();
    if expires > now {
        std::thread::sleep(Duration::from_millis((expires - now) as u64 + 200));
    }
    let refused = wait(
        fx.spawn("bob", &bob_config, "after", &[]),
        Duration::from_secs(60),
    );
    assert_eq!(refused.code, Some(4), "{}", refused.stdout);
    assert!(
        refused.stdout.contains("expired lease")
            && refused.stdout.contains(&format!("--take-over {me}")),
        "{}",
        refused.stdout
    );
    assert!(!taken.exists());
    let took = wait(
        fx.spawn("bob", &bob_config, "after", &["--take-over", &me]),
        Duration::from_secs(60),
    );
    assert_eq!(took.code, Some(0), "{}\n{}", took.stdout, took.stderr);
    assert!(taken.exists(), "bob's run made its change");
    let bob = fx.audit("bob");
    let over = events(&bob, "lock_taken_over");
    assert_eq!(over.len(), 1, "{bob:#?}");
    assert_eq!(over[0]["from"]["user"], "alice");

    // Alice's run was still in its pause: it stops before its next change.
    let done = wait(alice, Duration::from_secs(90));
    assert_eq!(done.code, Some(1), "{}\n{}", done.stdout, done.stderr);
    assert!(
        !second.exists(),
        "the command after the lease ran out never ran"
    );
    assert!(
        done.stdout.contains("lease ran out"),
        "says why it stopped:\n{}",
        done.stdout
    );
    assert!(
        proxy.held.load(Ordering::SeqCst) > 0,
        "DynamoDB was asked, and did not answer"
    );
    let audit = fx.audit("alice");
    let lost = events(&audit, "lock_lost");
    assert_eq!(lost.len(), 1, "{audit:#?}");
    assert_eq!(lost[0]["reason"], "ran_out");
    let fenced = events(&audit, "fenced");
    assert_eq!(fenced.len(), 1, "{audit:#?}");
    assert_eq!(fenced[0]["step"], "second");
    assert!(
        !audit
            .iter()
            .any(|l| l["event"] == "call" && l["step"] == "second"),
        "no intent, no call for the fenced step: {audit:#?}"
    );
    assert!(
        lost_at.elapsed() >= Duration::from_secs(10),
        "not stopped before the lease could run out"
    );
    assert_eq!(
        fx.item(),
        Value::Null,
        "bob released the lock; alice never wrote it again"
    );
}

//! The run lock shared through DynamoDB and the notifications, against moto: the real binary
//! (`drconsole run failover`) and, for following a run, the engine in this process.
//!
//! The table (partition key `estate`), the SNS topic and an SQS queue subscribed to it (to
//! read back what was published) are created by tests/moto/coordination.py, as an operator
//! would create them once; drconsole never creates them. Webhooks go to a server on loopback
//! run by the test.

mod support;

#[path = "common/moto_control.rs"]
mod moto_control;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use drconsole::runbook::lock::dynamo::Table;
use drconsole::runbook::{RunCommand, RunContext, RunEvent, RunMode};
use serde_json::Value;
use support::{Endpoints, Moto, moto};

const STANDBY: &str = "us-west-2";
const TABLE: &str = "drconsole-runs";
const FLAGS: &[&str] = &["--yes", "--allow-irreversible", "--allow-data-loss"];

fn python_helper(url: &str, args: &[&str]) -> String {
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

/// Every webhook body received, in order.
struct Hook {
    url: String,
    bodies: Arc<Mutex<Vec<Value>>>,
}

impl Hook {
    fn start() -> Hook {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        let url = format!("http://{}/hook", listener.local_addr().unwrap());
        let bodies = Arc::new(Mutex::new(Vec::new()));
        let sink = bodies.clone();
        std::thread::spawn(move || {
            for conn in listener.incoming() {
                let Ok(mut conn) = conn else { continue };
                let mut reader = BufReader::new(conn.try_clone().unwrap());
                let mut length = 0usize;
                let mut line = String::new();
                while reader.read_line(&mut line).unwrap_or(0) > 0 {
                    if line == "\r\n" {
                        break;
                    }
                    if let Some((k, v)) = line.split_once(':')
                        && k.eq_ignore_ascii_case("content-length")
                    {
                        length = v.trim().parse().unwrap_or(0);
                    }
                    line.clear();
                }
                let mut body = vec![0; length];
                let _ = reader.read_exact(&mut body);
                if let Ok(v) = serde_json::from_slice(&body) {
                    sink.lock().unwrap().push(v);
                }
                let _ = conn.write_all(
                    b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\nconnection: close\r\n\r\nok",
                );
            }
        });
        Hook { url, bodies }
    }
    fn bodies(&self) -> Vec<Value> {
        self.bodies.lock().unwrap().clone()
    }
}

struct Fixture {
    moto: Moto,
    toml: String,
    config: PathBuf,
    dir: tempfile::TempDir,
    queue_url: String,
    hook: Hook,
}

impl Fixture {
    fn new() -> Fixture {
        let moto = Moto::start();
        let seeded = moto.seed(0);
        let setup: Value =
            serde_json::from_str(&python_helper(&moto.url, &["setup", STANDBY, TABLE])).unwrap();
        let hook = Hook::start();
        let toml = format!(
            "{}\n[coordination]\ntable = \"{TABLE}\"\n\n[notify]\nsns_topic_arn = \"{}\"\nwebhook_url = \"{}\"\n",
            seeded.estate_toml(&Endpoints::both(&moto.url)),
            setup["topic_arn"].as_str().unwrap(),
            hook.url
        );
        let dir = tempfile::tempdir().unwrap();
        let config = dir.path().join("orders.toml");
        std::fs::write(&config, &toml).unwrap();
        Fixture {
            queue_url: setup["queue_url"].as_str().unwrap().to_string(),
            moto,
            toml,
            config,
            dir,
            hook,
        }
    }

    /// `drconsole run failover` as `user`, with a state directory of its own.
    fn spawn(&self, user: &str, extra: &[&str]) -> Child {
        let args: Vec<&str> = ["run", "failover"]
            .into_iter()
            .chain(FLAGS.iter().copied())
            .chain(extra.iter().copied())
            .collect();
        moto::operator_command(user, self.dir.path(), &self.config, &args)
            .spawn()
            .expect("start drconsole")
    }

    fn audit_path(&self, user: &str) -> PathBuf {
        moto::operator_audit_path(self.dir.path(), user)
    }

    fn audit(&self, user: &str) -> Vec<Value> {
        audit_lines(&self.audit_path(user))
    }

    fn item(&self) -> Value {
        serde_json::from_str(&python_helper(
            &self.moto.url,
            &["item", STANDBY, TABLE, "orders"],
        ))
        .unwrap()
    }

    fn put_item(&self, item: Value) {
        python_helper(&self.moto.url, &["put", STANDBY, TABLE, &item.to_string()]);
    }

    fn sns_messages(&self) -> Vec<String> {
        serde_json::from_str(&python_helper(
            &self.moto.url,
            &["messages", STANDBY, &self.queue_url],
        ))
        .unwrap()
    }

    fn promotions(&self) -> u64 {
        moto_control::requests(&self.moto.url)
            .get("PromoteReadReplica")
            .copied()
            .unwrap_or(0)
    }
}

fn audit_lines(path: &Path) -> Vec<Value> {
    std::fs::read_to_string(path)
        .unwrap_or_default()
        .lines()
        .map(|l| serde_json::from_str(l).expect("audit line is JSON"))
        .collect()
}

fn events<'a>(audit: &'a [Value], event: &str) -> Vec<&'a Value> {
    audit.iter().filter(|l| l["event"] == event).collect()
}

struct Done {
    code: Option<i32>,
    stdout: String,
    stderr: String,
}

fn wait(mut child: Child) -> Done {
    let began = Instant::now();
    let status = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break Some(s);
        }
        if began.elapsed() > Duration::from_secs(90) {
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

fn host() -> String {
    drconsole::runbook::lock::hostname()
}

/// A holder item as another machine's drconsole would have written it.
fn foreign_item(user: &str, machine: &str, expires_in_ms: i64) -> Value {
    let now = chrono::Utc::now();
    serde_json::json!({
        "estate": "orders", "user": user, "host": machine, "pid": 4242,
        "runbook": "failover", "run_id": format!("run-of-{user}"),
        "since": (now - chrono::Duration::minutes(7)).to_rfc3339(),
        "lease_version": 17,
        "expires_at": now.timestamp_millis() + expires_in_ms,
        "progress": "{\"steps\":[],\"prompt\":null,\"log\":[],\"outcome\":null}"
    })
}

#[test]
fn two_failovers_at_once_promote_once_and_the_second_names_the_holder() {
    let fx = Fixture::new();
    fx.moto.put_lag(STANDBY, "orders-db-replica", 1, 0);
    let a = fx.spawn("alice", &[]);
    let b = fx.spawn("bob", &[]);
    let (a, b) = (wait(a), wait(b));
    let mut codes = [a.code, b.code];
    codes.sort();
    assert_eq!(
        codes,
        [Some(0), Some(4)],
        "one completes, one is refused with the lock's code\nalice:\n{}\n{}\nbob:\n{}\n{}",
        a.stdout,
        a.stderr,
        b.stdout,
        b.stderr
    );
    let (winner, loser, won, lost) = if a.code == Some(0) {
        ("alice", "bob", &a, &b)
    } else {
        ("bob", "alice", &b, &a)
    };
    assert_eq!(fx.promotions(), 1, "exactly one PromoteReadReplica");
    assert!(
        lost.stdout.contains(&format!(
            "refused: the run lock is held: failover running by {winner}@{}",
            host()
        )),
        "the refused run names the holder:\n{}",
        lost.stdout
    );
    assert!(won.stdout.contains("run completed"), "{}", won.stdout);

    // The audit logs: claimed, released; refused naming the holder.
    let wa = fx.audit(winner);
    let claimed = events(&wa, "lock_claimed");
    assert!(
        claimed
            .iter()
            .any(|l| l["store"] == "dynamodb" && l["lease_version"] == 1),
        "{claimed:?}"
    );
    assert!(
        events(&wa, "lock_released")
            .iter()
            .any(|l| l["store"] == "dynamodb" && l["error"].is_null()),
        "{wa:?}"
    );
    let la = fx.audit(loser);
    let refused = events(&la, "lock_refused");
    assert_eq!(refused.len(), 1, "{la:?}");
    assert_eq!(refused[0]["holder"]["user"], winner);
    assert_eq!(fx.item(), Value::Null, "released: the item is deleted");

    // Notifications of the winner's run only: SNS (read back from the subscribed queue) and
    // the webhook carry the same messages, in order.
    let sns = fx.sns_messages();
    let hooks: Vec<String> = fx
        .hook
        .bodies()
        .iter()
        .map(|b| b["text"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(sns, hooks, "the same messages to both destinations");
    assert!(
        sns.first()
            .is_some_and(|m| m.starts_with("[orders] failover started by")
                && m.contains(&format!("{winner}@"))),
        "{sns:#?}"
    );
    let last = sns.last().unwrap();
    assert!(
        last.contains("failover completed: RTO ") && last.contains("data loss:"),
        "{sns:#?}"
    );
    for kind in ["step_confirmed", "step_done"] {
        assert!(
            fx.hook.bodies().iter().any(|b| b["event"] == kind),
            "{kind} sent"
        );
    }
    let sent = events(&wa, "notify_sent");
    assert_eq!(
        sent.len(),
        2 * sns.len(),
        "every message's result audited: {:?}",
        wa.iter()
            .map(|l| l["event"].as_str().unwrap_or(""))
            .collect::<Vec<_>>()
    );
    assert!(sent.iter().any(|l| {
        l["sink"]
            .as_str()
            .unwrap()
            .starts_with("sns arn:aws:sns:us-west-2")
    }));
    assert!(
        events(&la, "notify_sent").is_empty(),
        "the refused run said nothing"
    );
}

#[test]
fn an_expired_lease_is_taken_over_only_when_typed_and_a_live_one_never() {
    let fx = Fixture::new();
    fx.moto.put_lag(STANDBY, "orders-db-replica", 1, 0);
    fx.put_item(foreign_item("carol", "laptop", -120_000));

    let refused = wait(fx.spawn("dave", &[]));
    assert_eq!(refused.code, Some(4), "{}", refused.stdout);
    assert!(
        refused.stdout.contains("expired lease")
            && refused.stdout.contains("--take-over carol@laptop"),
        "{}",
        refused.stdout
    );
    let wrong = wait(fx.spawn("dave", &["--take-over", "carol@desk"]));
    assert_eq!(wrong.code, Some(4), "a take-over names the holder exactly");
    assert_eq!(fx.promotions(), 0, "nothing was called");

    let took = wait(fx.spawn("dave", &["--take-over", "carol@laptop"]));
    assert_eq!(took.code, Some(0), "{}\n{}", took.stdout, took.stderr);
    assert_eq!(fx.promotions(), 1);
    let audit = fx.audit("dave");
    let over = events(&audit, "lock_taken_over");
    assert_eq!(over.len(), 1, "{audit:?}");
    assert_eq!(over[0]["typed"], "carol@laptop");
    assert_eq!(over[0]["by"], "dave");
    assert_eq!(over[0]["from"]["user"], "carol");
    assert_eq!(over[0]["lease_version"], 18, "the seen version, plus one");

    // A live lease is never taken, typed or not.
    fx.put_item(foreign_item("erin", "desk", 600_000));
    let live = wait(fx.spawn("dave", &["--new", "--take-over", "erin@desk"]));
    assert_eq!(live.code, Some(4), "{}", live.stdout);
    assert!(
        live.stdout
            .contains("the run lock is held: failover running by erin@desk")
    );
    assert_eq!(fx.item()["user"], "erin", "untouched");
}

#[test]
fn an_unreachable_table_refuses_the_run_unless_no_lock() {
    let fx = Fixture::new();
    fx.moto.put_lag(STANDBY, "orders-db-replica", 1, 0);
    // Point the table at a name moto does not have: every call fails, as if unreachable.
    let broken = fx
        .toml
        .replace(&format!("table = \"{TABLE}\""), "table = \"no-such-table\"");
    std::fs::write(&fx.config, broken).unwrap();
    let refused = wait(fx.spawn("frank", &[]));
    assert_eq!(refused.code, Some(69), "{}", refused.stdout);
    assert!(refused.stdout.contains("--no-lock"), "{}", refused.stdout);
    assert_eq!(fx.promotions(), 0);
    let ran = wait(fx.spawn("frank", &["--no-lock"]));
    assert_eq!(ran.code, Some(0), "{}\n{}", ran.stdout, ran.stderr);
    assert!(
        ran.stdout
            .contains("--no-lock: running without the shared run lock")
    );
    let audit = fx.audit("frank");
    assert_eq!(events(&audit, "lock_unreachable").len(), 1);
    let skipped = events(&audit, "lock_skipped");
    assert_eq!(skipped.len(), 1);
    assert_eq!(skipped[0]["flag"], "--no-lock");
}

#[test]
fn another_operator_follows_the_holders_progress() {
    let fx = Fixture::new();
    fx.moto.put_lag(STANDBY, "orders-db-replica", 1, 0);
    let estate = support::estate(&fx.toml);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let backend = Arc::new(support::backend(&fx.toml).await);
        let estate = Arc::new(estate);
        let mut ctx = RunContext::new(estate.clone(), backend, RunMode::Live);
        ctx.state_dir = fx.dir.path().join("state-holder");
        ctx.audit_path = fx.dir.path().join("audit-holder.jsonl");
        ctx.user = "alice".into();
        let mut run = drconsole::runbook::start(ctx, "failover").expect("starts");
        // Confirm the first step, then stop at the second question.
        let mut asked = 0;
        while let Some(ev) = run.events.recv().await {
            if let RunEvent::AwaitingConfirmation(_) = ev {
                asked += 1;
                if asked == 2 {
                    break;
                }
                run.commands
                    .send(RunCommand::Confirm { typed_region: None })
                    .unwrap();
            }
        }
        assert_eq!(asked, 2, "the run asks twice");
        let table = Table::connect(&estate, estate.coordination.as_ref().unwrap()).await;
        // Progress is written within a second or two of the question.
        let mut seen = None;
        for _ in 0..50 {
            let h = table.read().await.unwrap().expect("held");
            if h.progress.prompt.is_some() {
                seen = Some(h);
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let h = seen.expect("the holder's question reaches the table");
        assert_eq!(h.user, "alice");
        let (at, of) = h.progress.position().unwrap();
        assert!(at >= 2 && of > at, "step {at}/{of}");
        let prompt = h.progress.prompt.clone().unwrap();
        assert!(prompt.ends_with("awaiting confirmation"), "{prompt}");
        assert!(!h.progress.log.is_empty());

        // What another operator's `run` says, from another machine's point of view.
        let other = wait(fx.spawn("bob", &[]));
        assert_eq!(other.code, Some(4));
        assert!(
            other.stdout.contains(&format!("step {at}/{of}")) && other.stdout.contains(&prompt),
            "{}",
            other.stdout
        );
        // The follower's view, built from the item as the console builds it.
        let view = drconsole::app::runview::RunView::following(&h);
        assert_eq!(view.steps, h.progress.steps);
        assert!(
            view.follow
                .as_deref()
                .unwrap()
                .contains("failover running by alice@")
        );

        run.commands.send(RunCommand::Abort).unwrap();
        while run.events.recv().await.is_some() {}
        let _ = run.task.await;
        assert_eq!(table.read().await.unwrap(), None, "released");
    });
    assert_eq!(fx.promotions(), 0, "stopped before the promotion");
}

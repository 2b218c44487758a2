//! Secrets stay secret and intact, through the real binary against moto:
//!
//! - a headless failover edits a JSON credentials secret (only `host` changes; the password,
//!   the username, the port as a number, the engine and the database name stay), keeps a
//!   SecureString parameter a SecureString under its KMS key, and writes neither the password
//!   nor the webhook's path anywhere: no file of the run (audit log, journal, report, lock
//!   holder file), not stdout or stderr, not `status`, not the shared DynamoDB item, not the
//!   SNS notifications;
//! - a secret that cannot take the endpoint without damage (JSON without the key; not JSON
//!   while `endpoint_secret_key` is set) is refused at preflight, with zero changes;
//! - `check` names a bad webhook URL's key and never prints the URL; `webhook_url_env` reads
//!   the URL from the environment, and a missing variable is a clear error naming it.
//!
//! The secret, the parameter and the table are seeded (and read back) through boto3, not
//! through the console's own backend. The webhook points at a loopback port nothing listens
//! on, so that every delivery fails and its error is what could leak.

mod support;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use serde_json::Value;
use support::process::{Finished, run_limited};
use support::{Endpoints, Moto, Seeded, moto};

const RUN_LIMIT: Duration = Duration::from_secs(120);
const STANDBY: &str = "us-west-2";
const SECRET: &str = "orders/db";
const PARAMETER: &str = "/orders/db/endpoint";
const KMS_KEY: &str = "alias/orders-dr";
const PASSWORD: &str = "Pw-7f3c9e1d-NEVER-PRINTED";
const HOOK_PATH: &str = "/services/T0DRC/B0DRC/HOOKPATH7e2a";
const TABLE: &str = "drconsole-runs";

/// A Python snippet run against moto through boto3 in the standby's region.
fn boto(moto: &Moto, code: &str) -> String {
    moto.boto3(STANDBY, code)
}

fn credentials(host: &str) -> String {
    serde_json::json!({
        "username": "orders_app",
        "password": PASSWORD,
        "engine": "postgres",
        "host": host,
        "port": 5432,
        "dbname": "orders",
    })
    .to_string()
}

fn set_secret(moto: &Moto, value: &str) {
    boto(
        moto,
        &format!(
            "c('secretsmanager').put_secret_value(SecretId={SECRET:?}, SecretString={})",
            serde_json::to_string(value).expect("json")
        ),
    );
}

fn secret(moto: &Moto) -> String {
    let out = boto(
        moto,
        &format!(
            "print(c('secretsmanager').get_secret_value(SecretId={SECRET:?})['SecretString'])"
        ),
    );
    out.trim_end_matches('\n').to_string()
}

/// Every file under `dir`, recursively, as (path, bytes as text).
fn files(dir: &Path) -> Vec<(PathBuf, String)> {
    let mut out = Vec::new();
    let mut todo = vec![dir.to_path_buf()];
    while let Some(d) = todo.pop() {
        // A file may go while it is listed (a lock released): what is there is read.
        let Ok(entries) = std::fs::read_dir(&d) else {
            continue;
        };
        for e in entries.flatten() {
            let p = e.path();
            if p.is_dir() {
                todo.push(p);
            } else if let Ok(bytes) = std::fs::read(&p) {
                out.push((p, String::from_utf8_lossy(&bytes).into_owned()));
            }
        }
    }
    out
}

struct Fixture {
    moto: Moto,
    seeded: Seeded,
    /// Where the run writes: audit logs, the state directory, HOME.
    dir: tempfile::TempDir,
    /// The estate file, apart (it holds the webhook URL by design).
    _config_dir: tempfile::TempDir,
    config: PathBuf,
}

impl Fixture {
    /// The standard estate, with `database_extra` added to `[database]` and the sections
    /// `sections` writes (given the started moto) at the end.
    fn new(database_extra: &str, sections: impl FnOnce(&Moto) -> String) -> Fixture {
        let moto = Moto::start();
        let notify = sections(&moto);
        let seeded = moto.seed(0);
        let toml = seeded.estate_toml(&Endpoints::both(&moto.url)).replacen(
            "endpoint_secret = \"orders/db\"\n",
            &format!("endpoint_secret = \"orders/db\"\n{database_extra}"),
            1,
        );
        let toml = format!("{toml}\n{notify}");
        let dir = tempfile::tempdir().expect("temp dir");
        let config_dir = tempfile::tempdir().expect("temp dir");
        let config = config_dir.path().join("orders.toml");
        std::fs::write(&config, toml).expect("write estate file");
        Fixture {
            moto,
            seeded,
            dir,
            _config_dir: config_dir,
            config,
        }
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

    fn run(&self, flags: &[&str], label: &str) -> Finished {
        let mut cmd = self.command(&["run", "failover"]);
        cmd.args(flags)
            .arg("--audit-log")
            .arg(self.dir.path().join(format!("audit-{label}.jsonl")))
            .arg("--state-dir")
            .arg(self.dir.path().join("state"));
        let done = run_limited(cmd, RUN_LIMIT);
        eprintln!(
            "run failover {flags:?}: exit {:?} in {:.1?}",
            done.code, done.took
        );
        done
    }

    fn audit(&self, label: &str) -> Vec<Value> {
        std::fs::read_to_string(self.dir.path().join(format!("audit-{label}.jsonl")))
            .expect("audit log")
            .lines()
            .map(|l| serde_json::from_str(l).expect("audit line is JSON"))
            .collect()
    }
}

/// A runbook that writes the endpoint, then holds the lock past a renewal of its lease.
const HOLD: &str = r#"
[[runbooks.hold.steps]]
kind = "write_endpoint"

[[runbooks.hold.steps]]
kind = "command"
program = "/bin/sleep"
args = ["12"]
"#;

/// The lock items read, and the files seen.
type Seen = (Vec<String>, Vec<(PathBuf, String)>);

/// What a run leaves while it runs: the shared lock item and the files of the state
/// directory (the holder file is removed when the lock is released), read every 200 ms.
struct Watch {
    done: std::sync::Arc<std::sync::atomic::AtomicBool>,
    thread: std::thread::JoinHandle<Seen>,
}

impl Watch {
    fn start(fx: &Fixture) -> Watch {
        let done = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        let (url, stop, dir) = (
            fx.moto.url.clone(),
            done.clone(),
            fx.dir.path().to_path_buf(),
        );
        let thread = std::thread::spawn(move || {
            let (mut items, mut seen) = (Vec::new(), Vec::new());
            while !stop.load(std::sync::atomic::Ordering::SeqCst) {
                let item = coordination_at(&url, &["item", STANDBY, TABLE, "orders"]);
                if item.trim() != "null" {
                    items.push(item);
                }
                seen.extend(files(&dir));
                std::thread::sleep(Duration::from_millis(200));
            }
            (items, seen)
        });
        Watch { done, thread }
    }

    fn stop(self) -> Seen {
        self.done.store(true, std::sync::atomic::Ordering::SeqCst);
        self.thread.join().expect("watcher")
    }
}

fn events<'a>(audit: &'a [Value], event: &str) -> Vec<&'a Value> {
    audit.iter().filter(|l| l["event"] == event).collect()
}

fn closed_port() -> u16 {
    let l = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    l.local_addr().expect("addr").port()
}

fn coordination(moto: &Moto, what: &[&str]) -> String {
    coordination_at(&moto.url, what)
}

fn coordination_at(url: &str, what: &[&str]) -> String {
    let out = Command::new(moto::python())
        .arg(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/moto/coordination.py"))
        .arg(url)
        .args(what)
        .env_remove("AWS_PROFILE")
        .env_remove("AWS_ENDPOINT_URL")
        .output()
        .expect("run tests/moto/coordination.py");
    assert!(
        out.status.success(),
        "coordination.py {what:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn a_failover_edits_the_json_secret_keeps_the_secure_string_and_writes_no_secret_anywhere() {
    let port = closed_port();
    let hook = format!("http://127.0.0.1:{port}{HOOK_PATH}");
    // The lock table, and the SNS topic with a queue to read what was published.
    let mut queue = String::new();
    let fx = Fixture::new("", |moto| {
        let setup: Value =
            serde_json::from_str(&coordination(moto, &["setup", STANDBY, TABLE])).expect("JSON");
        queue = setup["queue_url"].as_str().expect("queue").to_string();
        format!(
            "[coordination]\ntable = \"{TABLE}\"\n\n[notify]\nsns_topic_arn = \"{}\"\nwebhook_url = \"{hook}\"\n{HOLD}",
            setup["topic_arn"].as_str().expect("topic")
        )
    });
    set_secret(&fx.moto, &credentials("primary.db.internal"));
    boto(
        &fx.moto,
        &format!(
            "c('ssm').put_parameter(Name={PARAMETER:?}, Value='primary.db.internal', \
             Type='SecureString', KeyId={KMS_KEY:?}, Overwrite=True)"
        ),
    );

    let watch = Watch::start(&fx);
    let run = fx.run(
        &["--yes", "--allow-irreversible", "--allow-data-loss"],
        "failover",
    );
    let (mut items, mut during) = watch.stop();
    assert_eq!(run.code, Some(0), "{}", run.output());
    // A drill that rewrites the endpoint and then holds the lock a while: the shared item
    // and the holder file carry its progress (renewed while it runs).
    let watch = Watch::start(&fx);
    let mut cmd = fx.command(&["run", "hold"]);
    cmd.args(["--yes", "--audit-log"])
        .arg(fx.dir.path().join("audit-hold.jsonl"))
        .arg("--state-dir")
        .arg(fx.dir.path().join("state"));
    let hold = run_limited(cmd, RUN_LIMIT);
    let (more_items, more_files) = watch.stop();
    assert_eq!(hold.code, Some(0), "{}", hold.output());
    items.extend(more_items);
    during.extend(more_files);
    assert!(
        items.iter().any(|i| i.contains("host="))
            && during.iter().any(|(_, t)| t.contains("host=")),
        "the lock item and the holder file were read while a run held them, with the \
         endpoint step's progress in them:\n{items:?}\n{during:?}"
    );
    let audit = fx.audit("failover");
    // The webhook was tried, and failed: what could have leaked was produced.
    let failed = events(&audit, "notify_failed");
    assert!(
        failed
            .iter()
            .any(|l| l["sink"] == format!("webhook http://127.0.0.1:{port}")),
        "no failed webhook delivery audited:\n{failed:#?}"
    );

    // The secret: host moved to the promoted instance's endpoint, everything else intact.
    let endpoint = fx.seeded.standby_db_endpoint.clone();
    let after: Value = serde_json::from_str(&secret(&fx.moto)).expect("still JSON");
    assert_eq!(after["host"], endpoint.as_str());
    assert_eq!(after["password"], PASSWORD);
    assert_eq!(after["username"], "orders_app");
    assert_eq!(after["engine"], "postgres");
    assert_eq!(after["dbname"], "orders");
    assert!(after["port"].is_u64(), "port is still a number: {after}");
    assert_eq!(after["port"], 5432);
    assert_eq!(after.as_object().map(|o| o.len()), Some(6), "{after}");

    // The parameter: still a SecureString under the same key, holding the endpoint.
    let param: Value = serde_json::from_str(&boto(
        &fx.moto,
        &format!(
            "m = [p for p in c('ssm').describe_parameters()['Parameters'] if p['Name'] == {PARAMETER:?}][0]\n\
             v = c('ssm').get_parameter(Name={PARAMETER:?}, WithDecryption=True)['Parameter']['Value']\n\
             print(json.dumps({{'type': m['Type'], 'key': m.get('KeyId'), 'value': v}}))"
        ),
    ))
    .expect("json");
    assert_eq!(param["type"], "SecureString", "{param}");
    assert_eq!(param["key"], KMS_KEY, "{param}");
    assert_eq!(param["value"], endpoint.as_str(), "{param}");

    // Nothing of either secret anywhere.
    let (_, status_json) = {
        let done = run_limited(fx.command(&["status", "--json"]), RUN_LIMIT);
        (done.code, done.output())
    };
    let status_text = run_limited(fx.command(&["status"]), RUN_LIMIT).output();
    let published = coordination(&fx.moto, &["messages", STANDBY, &queue]);
    assert!(
        published.contains("failover"),
        "notifications published: {published}"
    );
    let mut texts = vec![
        ("run output".to_string(), run.output()),
        ("hold output".to_string(), hold.output()),
        ("status --json".to_string(), status_json),
        ("status".to_string(), status_text),
        ("lock items".to_string(), items.join("\n")),
        ("SNS messages".to_string(), published),
    ];
    let mut written = files(fx.dir.path());
    written.extend(during);
    assert!(
        written
            .iter()
            .any(|(p, _)| p.to_string_lossy().contains("state")),
        "the run kept its state under the directory searched: {written:?}"
    );
    texts.extend(
        written
            .into_iter()
            .map(|(p, t)| (p.display().to_string(), t)),
    );
    for (what, text) in &texts {
        for secret in [PASSWORD, HOOK_PATH, "HOOKPATH7e2a"] {
            assert!(
                !text.contains(secret),
                "{what} holds a secret ({secret}):\n{text}"
            );
        }
    }
    // What is shown instead: the key and the endpoint.
    assert!(
        run.stdout.contains(&format!("host={endpoint}")),
        "{}",
        run.output()
    );
}

/// A run refused at its preflight: the reason, no change in moto, no call.
fn assert_refused(fx: &Fixture, label: &str, reason: &str) {
    let before = fx.moto.state();
    let run = fx.run(
        &["--yes", "--allow-irreversible", "--allow-data-loss"],
        label,
    );
    assert_ne!(run.code, Some(0), "{}", run.output());
    assert!(run.output().contains(reason), "{}", run.output());
    // Refused by the runbook's first step, which changes nothing.
    assert!(
        run.output()
            .contains("preflight failed: check failed: standby endpoint stores writable"),
        "{}",
        run.output()
    );
    let audit = fx.audit(label);
    assert!(
        events(&audit, "call").is_empty(),
        "calls were made: {:#?}",
        events(&audit, "call")
    );
    assert_eq!(fx.moto.state(), before, "moto changed");
    let all = format!("{}\n{:?}", run.output(), files(fx.dir.path()));
    assert!(!all.contains(PASSWORD), "the password was written:\n{all}");
}

#[test]
fn a_json_secret_without_the_key_is_refused_at_preflight_with_no_change() {
    let fx = Fixture::new("", |_| String::new());
    set_secret(
        &fx.moto,
        &serde_json::json!({"username": "orders_app", "password": PASSWORD, "port": 5432})
            .to_string(),
    );
    assert_refused(
        &fx,
        "no-key",
        "the secret is a JSON object without the key \"host\" (its keys: password, port, username)",
    );
}

#[test]
fn a_plain_secret_is_refused_when_a_key_is_named() {
    let fx = Fixture::new("endpoint_secret_key = \"host\"\n", |_| String::new());
    set_secret(&fx.moto, &format!("primary.db.internal {PASSWORD}"));
    assert_refused(
        &fx,
        "not-json",
        "endpoint_secret_key = \"host\" is set but the secret's value is not JSON",
    );
}

fn check(toml: &str, env: &[(&str, &str)]) -> (Option<i32>, String) {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("orders.toml");
    std::fs::write(&path, toml).expect("write");
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_drconsole"));
    cmd.args(["check", "--config"])
        .arg(&path)
        .env_remove("DRC_TEST_HOOK")
        .env("NO_COLOR", "1");
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = cmd.output().expect("run drconsole check");
    (
        out.status.code(),
        format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ),
    )
}

const ESTATE: &str =
    "name = \"orders\"\n\n[primary]\nregion = \"us-east-1\"\n\n[standby]\nregion = \"us-west-2\"\n";

#[test]
fn check_names_a_bad_webhook_key_and_never_prints_the_url() {
    for bad in [
        "hooks.example.com/services/T0DRC/B0DRC/HOOKPATH7e2a",
        "https://user:HOOKPATH7e2a@hooks.example.com/x",
        "https://hooks.example.com/services/ HOOKPATH7e2a",
    ] {
        let (code, out) = check(
            &format!("{ESTATE}\n[notify]\nwebhook_url = \"{bad}\"\n"),
            &[],
        );
        assert_eq!(code, Some(drconsole::exit::CONFIG), "{out}");
        assert!(out.contains("notify.webhook_url"), "{out}");
        assert!(!out.contains("HOOKPATH7e2a"), "{out}");
    }
    // A syntax error on the line shows the line without its value.
    let (code, out) = check(
        &format!("{ESTATE}\n[notify]\nwebhook_url = \"https://hooks.example.com{HOOK_PATH}\n"),
        &[],
    );
    assert_eq!(code, Some(drconsole::exit::CONFIG), "{out}");
    assert!(!out.contains("HOOKPATH7e2a"), "{out}");
}

#[test]
fn webhook_url_env_reads_the_url_from_the_environment() {
    let file = format!("{ESTATE}\n[notify]\nwebhook_url_env = \"DRC_TEST_HOOK\"\n");
    let url = format!("https://hooks.example.com{HOOK_PATH}");
    let (code, out) = check(&file, &[("DRC_TEST_HOOK", &url)]);
    assert_eq!(code, Some(0), "{out}");
    assert!(!out.contains("HOOKPATH7e2a"), "{out}");

    let (code, out) = check(&file, &[]);
    assert_eq!(code, Some(drconsole::exit::CONFIG), "{out}");
    assert!(out.contains("notify.webhook_url_env"), "{out}");
    assert!(
        out.contains("the environment variable DRC_TEST_HOOK is not set"),
        "{out}"
    );

    let (code, out) = check(&file, &[("DRC_TEST_HOOK", "")]);
    assert_eq!(code, Some(drconsole::exit::CONFIG), "{out}");
    assert!(out.contains("DRC_TEST_HOOK is empty"), "{out}");

    let (code, out) = check(
        &file,
        &[("DRC_TEST_HOOK", "hooks.example.com/services/HOOKPATH7e2a")],
    );
    assert_eq!(code, Some(drconsole::exit::CONFIG), "{out}");
    assert!(out.contains("DRC_TEST_HOOK"), "{out}");
    assert!(!out.contains("HOOKPATH7e2a"), "{out}");

    let (code, out) = check(
        &format!(
            "{ESTATE}\n[notify]\nwebhook_url_env = \"DRC_TEST_HOOK\"\nwebhook_url = \"{url}\"\n"
        ),
        &[("DRC_TEST_HOOK", &url)],
    );
    assert_eq!(code, Some(drconsole::exit::CONFIG), "{out}");
    assert!(out.contains("not both"), "{out}");
    assert!(!out.contains("HOOKPATH7e2a"), "{out}");
}

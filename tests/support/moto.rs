//! The local AWS emulator for tests and benches: moto in server mode (tests/moto/server.py),
//! one server per test on a free loopback port, seeded with a two-region estate
//! (tests/moto/seed.py) and read back through boto3 (tests/moto/state.py), and a listener
//! that accepts connections and never answers.
//!
//! Python comes from `$DRCONSOLE_MOTO_PYTHON`, else `.venv/bin/python` at the crate root:
//!
//! ```text
//! python3 -m venv .venv && .venv/bin/pip install 'moto[server]' cbor2 flask
//! ```
#![allow(dead_code)]

use std::io::{BufRead, BufReader, Read};
use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, Once};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use serde::Deserialize;

pub const INSTALL: &str =
    "python3 -m venv .venv && .venv/bin/pip install 'moto[server]' cbor2 flask";

fn crate_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The interpreter that has moto: `$DRCONSOLE_MOTO_PYTHON`, else the crate's `.venv`.
pub fn python() -> PathBuf {
    match std::env::var_os("DRCONSOLE_MOTO_PYTHON").filter(|v| !v.is_empty()) {
        Some(p) => PathBuf::from(p),
        None => crate_root().join(".venv/bin/python"),
    }
}

fn missing(why: &str) -> ! {
    panic!(
        "the moto emulator is needed for this test and {why}.\n\
         Install it at the crate root with:\n    {INSTALL}\n\
         or point DRCONSOLE_MOTO_PYTHON at a Python that has moto[server] 5.x and cbor2."
    )
}

/// Test credentials for the SDK's default chain (moto accepts any). Set once, before any
/// backend is built, and never changed afterwards.
pub fn use_test_credentials() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        // SAFETY: runs once, before any AWS configuration is loaded in this process; every
        // test that loads one calls this first and blocks here until it has finished.
        unsafe {
            std::env::set_var("AWS_ACCESS_KEY_ID", "testing");
            std::env::set_var("AWS_SECRET_ACCESS_KEY", "testing");
            std::env::remove_var("AWS_SESSION_TOKEN");
            std::env::remove_var("AWS_PROFILE");
            std::env::remove_var("AWS_ENDPOINT_URL");
            std::env::set_var("AWS_EC2_METADATA_DISABLED", "true");
        }
    });
}

/// Environment for a child process (the `drconsole` binary) that talks to moto.
pub fn test_env() -> Vec<(&'static str, &'static str)> {
    vec![
        ("AWS_ACCESS_KEY_ID", "testing"),
        ("AWS_SECRET_ACCESS_KEY", "testing"),
        ("AWS_EC2_METADATA_DISABLED", "true"),
    ]
}

pub const UNSET_ENV: &[&str] = &["AWS_SESSION_TOKEN", "AWS_PROFILE", "AWS_ENDPOINT_URL"];

/// drconsole as a user of `dir` (its home, state and configuration directories) would run it
/// against the emulator: the emulator's keys, no profile or session of the machine's own.
pub fn drconsole_in(dir: &std::path::Path) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_drconsole"));
    cmd.current_dir(dir)
        .env("HOME", dir)
        .env("XDG_STATE_HOME", dir.join("xdg"))
        .env("XDG_CONFIG_HOME", dir.join("xdg-config"))
        .env("NO_COLOR", "1");
    for (k, v) in test_env() {
        cmd.env(k, v);
    }
    for k in UNSET_ENV {
        cmd.env_remove(k);
    }
    cmd
}

/// Runs `drconsole run RUNBOOK FLAGS…` headless against the emulator with the estate file
/// `config`, its audit log at `DIR/audit-LABEL.jsonl` and its state in `DIR/state`: the exit
/// code and stdout and stderr together (also printed, for a failing test's output).
pub fn run_headless(
    config: &std::path::Path,
    dir: &std::path::Path,
    runbook: &str,
    label: &str,
    flags: &[&str],
) -> (Option<i32>, String) {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_drconsole"));
    cmd.arg("run")
        .arg(runbook)
        .args(flags)
        .arg("--config")
        .arg(config)
        .arg("--audit-log")
        .arg(dir.join(format!("audit-{label}.jsonl")))
        .arg("--state-dir")
        .arg(dir.join("state"))
        .env("HOME", dir)
        .env("NO_COLOR", "1");
    for (k, v) in test_env() {
        cmd.env(k, v);
    }
    for k in UNSET_ENV {
        cmd.env_remove(k);
    }
    let out = cmd.output().expect("run drconsole");
    let text = format!(
        "{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    eprintln!("run {runbook} ({label}): {:?}\n{text}", out.status.code());
    (out.status.code(), text)
}

/// The audit log of the operator `user` in a test directory: `DIR/audit-USER.jsonl`.
pub fn operator_audit_path(dir: &std::path::Path, user: &str) -> PathBuf {
    dir.join(format!("audit-{user}.jsonl"))
}

/// `drconsole ARGS…` as the operator `user` (`$USER`) against the emulator, with the estate
/// file `config`: its audit log at [`operator_audit_path`], its state in `DIR/state-USER`,
/// HOME in DIR, stdin closed and its output piped.
pub fn operator_command(
    user: &str,
    dir: &std::path::Path,
    config: &std::path::Path,
    args: &[&str],
) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_drconsole"));
    cmd.args(args)
        .arg("--config")
        .arg(config)
        .arg("--audit-log")
        .arg(operator_audit_path(dir, user))
        .arg("--state-dir")
        .arg(dir.join(format!("state-{user}")))
        .env("HOME", dir)
        .env("USER", user)
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for (k, v) in test_env() {
        cmd.env(k, v);
    }
    for k in UNSET_ENV {
        cmd.env_remove(k);
    }
    cmd
}

/// A moto server on 127.0.0.1; stopped when dropped (and when this process dies, since it exits
/// when its stdin closes).
pub struct Moto {
    child: Child,
    stdin: Option<ChildStdin>,
    pub url: String,
    pub port: u16,
    stderr: Arc<Mutex<String>>,
}

impl Moto {
    pub fn start() -> Moto {
        use_test_credentials();
        let python = python();
        if !python.exists() {
            missing(&format!("{} does not exist", python.display()));
        }
        let script = crate_root().join("tests/moto/server.py");
        let mut child = Command::new(&python)
            .arg(&script)
            .arg("--port")
            .arg("0")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap_or_else(|e| {
                missing(&format!("{} could not be started: {e}", python.display()))
            });
        let stderr = Arc::new(Mutex::new(String::new()));
        if let Some(mut err) = child.stderr.take() {
            let sink = stderr.clone();
            std::thread::spawn(move || {
                let mut buf = [0u8; 4096];
                while let Ok(n) = err.read(&mut buf) {
                    if n == 0 {
                        break;
                    }
                    let mut s = sink.lock().expect("stderr buffer");
                    s.push_str(&String::from_utf8_lossy(&buf[..n]));
                    if s.len() > 64_000 {
                        let cut = s.len() - 32_000;
                        let cut = (cut..s.len()).find(|i| s.is_char_boundary(*i)).unwrap_or(0);
                        s.drain(..cut);
                    }
                }
            });
        }
        let stdout = child.stdout.take().expect("piped stdout");
        let mut line = String::new();
        let read = BufReader::new(stdout).read_line(&mut line);
        let port = line
            .strip_prefix("PORT ")
            .and_then(|p| p.trim().parse::<u16>().ok());
        let Some(port) = port else {
            let _ = child.kill();
            let _ = child.wait();
            std::thread::sleep(Duration::from_millis(100));
            let err = stderr.lock().map(|s| s.clone()).unwrap_or_default();
            let why = if err.contains("ModuleNotFoundError") {
                format!("{} lacks a module:\n{err}", python.display())
            } else {
                format!("the server did not start ({read:?}, {line:?}):\n{err}")
            };
            missing(&why);
        };
        let moto = Moto {
            stdin: child.stdin.take(),
            child,
            url: format!("http://127.0.0.1:{port}"),
            port,
            stderr,
        };
        moto.wait_until_answering();
        moto
    }

    fn wait_until_answering(&self) {
        let deadline = Instant::now() + Duration::from_secs(20);
        while Instant::now() < deadline {
            if TcpStream::connect(("127.0.0.1", self.port)).is_ok() {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        panic!(
            "moto did not accept connections on port {}: {}",
            self.port,
            self.stderr()
        );
    }

    /// What the server wrote to stderr (tracebacks of failed requests).
    pub fn stderr(&self) -> String {
        self.stderr.lock().map(|s| s.clone()).unwrap_or_default()
    }

    /// Runs a Python snippet against this server through boto3: `URL` and `REGION` are
    /// defined for it, and `c(service)` is a client of `region` on the server. Its stdout.
    pub fn boto3(&self, region: &str, code: &str) -> String {
        let script = format!(
            "import boto3, json, sys\nURL = sys.argv[1]\nREGION = sys.argv[2]\n\
             def c(s):\n    return boto3.client(s, region_name=REGION, endpoint_url=URL, \
             aws_access_key_id='testing', aws_secret_access_key='testing')\n{code}\n"
        );
        let out = Command::new(python())
            .arg("-c")
            .arg(script)
            .arg(&self.url)
            .arg(region)
            .env_remove("AWS_PROFILE")
            .env_remove("AWS_ENDPOINT_URL")
            .output()
            .expect("run python");
        assert!(
            out.status.success(),
            "boto3 snippet failed:\n{code}\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// Seeds the standard estate (see tests/moto/seed.py); `services` > 0 seeds that many
    /// ECS services instead of `web` and `worker`.
    pub fn seed(&self, services: usize) -> Seeded {
        self.seed_with(&["--services", &services.to_string()])
    }

    /// Seeds with seed.py's options (`--aurora`, `--backup-vault NAME`, ...).
    pub fn seed_with(&self, args: &[&str]) -> Seeded {
        let out = Command::new(python())
            .arg(crate_root().join("tests/moto/seed.py"))
            .arg(&self.url)
            .args(args)
            .env_remove("AWS_PROFILE")
            .env_remove("AWS_ENDPOINT_URL")
            .output()
            .expect("run tests/moto/seed.py");
        assert!(
            out.status.success(),
            "seeding failed:\n{}\nserver said:\n{}",
            String::from_utf8_lossy(&out.stderr),
            self.stderr()
        );
        serde_json::from_slice(&out.stdout).expect("seed.py prints one JSON object")
    }

    /// Creates in moto every resource the estate file at `path` names (see
    /// tests/moto/seed_estate.py), and returns the file rewritten to run against it.
    pub fn seed_estate(&self, path: &std::path::Path) -> SeededEstate {
        let out = Command::new(python())
            .arg(crate_root().join("tests/moto/seed_estate.py"))
            .arg(&self.url)
            .arg(path)
            .env_remove("AWS_PROFILE")
            .env_remove("AWS_ENDPOINT_URL")
            .output()
            .expect("run tests/moto/seed_estate.py");
        assert!(
            out.status.success(),
            "seeding {} failed:\n{}\nserver said:\n{}",
            path.display(),
            String::from_utf8_lossy(&out.stderr),
            self.stderr()
        );
        serde_json::from_slice(&out.stdout).expect("seed_estate.py prints one JSON object")
    }

    /// Seeds `estates` estates of `services` ECS services each into one account (see
    /// tests/moto/fleet_seed.py); `no_replica` names estates seeded without a replica.
    /// Returns each estate's name and estate file.
    pub fn seed_fleet(
        &self,
        estates: usize,
        services: usize,
        no_replica: &[&str],
    ) -> Vec<(String, String)> {
        let mut cmd = Command::new(python());
        cmd.arg(crate_root().join("tests/moto/fleet_seed.py"))
            .arg(&self.url)
            .arg("--estates")
            .arg(estates.to_string())
            .arg("--services")
            .arg(services.to_string())
            .env_remove("AWS_PROFILE")
            .env_remove("AWS_ENDPOINT_URL");
        for n in no_replica {
            cmd.arg("--no-replica").arg(n);
        }
        let out = cmd.output().expect("run tests/moto/fleet_seed.py");
        assert!(
            out.status.success(),
            "seeding the fleet failed:\n{}\nserver said:\n{}",
            String::from_utf8_lossy(&out.stderr),
            self.stderr()
        );
        let v: serde_json::Value =
            serde_json::from_slice(&out.stdout).expect("fleet_seed.py prints one JSON object");
        v["estates"]
            .as_array()
            .expect("estates")
            .iter()
            .map(|e| {
                (
                    e["name"].as_str().expect("name").to_string(),
                    e["toml"].as_str().expect("toml").to_string(),
                )
            })
            .collect()
    }

    /// Publishes a `ReplicaLag` datapoint `ago` seconds old for `instance` in `region`, as AWS
    /// would.
    pub fn put_lag(&self, region: &str, instance: &str, seconds: u64, ago: u64) {
        let out = Command::new(python())
            .arg(crate_root().join("tests/moto/lag.py"))
            .arg(&self.url)
            .arg(region)
            .arg(instance)
            .arg(seconds.to_string())
            .arg(ago.to_string())
            .env_remove("AWS_PROFILE")
            .env_remove("AWS_ENDPOINT_URL")
            .output()
            .expect("run tests/moto/lag.py");
        assert!(
            out.status.success(),
            "publishing lag failed:\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }

    /// Publishes a lag datapoint now: `kind` "aurora" is `AuroraGlobalDBReplicationLag` of a
    /// cluster (`value` in milliseconds), anything else `ReplicaLag` of an instance (seconds).
    pub fn put_lag_metric(&self, region: &str, kind: &str, id: &str, value: u64) {
        let out = Command::new(python())
            .arg(crate_root().join("tests/moto/lag.py"))
            .arg(&self.url)
            .arg(region)
            .arg(id)
            .arg(value.to_string())
            .arg("0")
            .arg(kind)
            .env_remove("AWS_PROFILE")
            .env_remove("AWS_ENDPOINT_URL")
            .output()
            .expect("run tests/moto/lag.py");
        assert!(
            out.status.success(),
            "publishing lag failed:\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }

    /// Reads the estate back through boto3, independently of the console's backend (see
    /// tests/moto/state.py for the shape). Every list is sorted: equal states compare equal.
    pub fn state(&self) -> serde_json::Value {
        let out = Command::new(python())
            .arg(crate_root().join("tests/moto/state.py"))
            .arg(&self.url)
            .env_remove("AWS_PROFILE")
            .env_remove("AWS_ENDPOINT_URL")
            .output()
            .expect("run tests/moto/state.py");
        assert!(
            out.status.success(),
            "reading moto's state failed:\n{}\nserver said:\n{}",
            String::from_utf8_lossy(&out.stderr),
            self.stderr()
        );
        serde_json::from_slice(&out.stdout).expect("state.py prints one JSON object")
    }
}

impl Drop for Moto {
    fn drop(&mut self) {
        drop(self.stdin.take());
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[derive(Debug, Clone, Deserialize)]
pub struct SeededService {
    pub name: String,
    pub production: u32,
    pub standby: u32,
}

/// An estate file seeded into moto: its text against moto, and each identifier the file
/// wrote with the one moto chose.
#[derive(Debug, Clone, Deserialize)]
pub struct SeededEstate {
    pub estate: String,
    pub ids: std::collections::BTreeMap<String, String>,
}

/// What seeding created, with the identifiers AWS chose.
#[derive(Debug, Clone, Deserialize)]
pub struct Seeded {
    pub primary_region: String,
    pub standby_region: String,
    pub primary_db_arn: String,
    pub primary_db_endpoint: String,
    pub standby_db_arn: String,
    pub standby_db_endpoint: String,
    pub standby_lag: f64,
    pub services: Vec<SeededService>,
    pub primary_instances: Vec<String>,
    pub standby_instances: Vec<String>,
    pub primary_tg_arn: String,
    pub standby_tg_arn: String,
    pub zone_id: String,
    pub health_checks: Vec<String>,
    /// With `--aurora`: the global database's clusters.
    #[serde(default)]
    pub primary_cluster_arn: Option<String>,
    #[serde(default)]
    pub standby_cluster_arn: Option<String>,
    /// With `--backup-vault`: the recovery point seeded in it.
    #[serde(default)]
    pub recovery_point_arn: Option<String>,
}

/// Where each region's calls go, and how long one call may take.
#[derive(Debug, Clone)]
pub struct Endpoints {
    pub primary: String,
    pub standby: String,
    pub call_timeout: &'static str,
}

impl Endpoints {
    pub fn both(url: &str) -> Endpoints {
        Endpoints {
            primary: url.to_string(),
            standby: url.to_string(),
            call_timeout: "5s",
        }
    }
}

impl Seeded {
    /// The estate file describing what was seeded.
    pub fn estate_toml(&self, ep: &Endpoints) -> String {
        let mut t = format!(
            r#"name = "orders"
poll_interval = "5s"
call_timeout = "{timeout}"

[primary]
region = "{pr}"
endpoint_url = "{pu}"

[standby]
region = "{sr}"
endpoint_url = "{su}"

[database]
kind = "rds-replica"
primary = "orders-db"
standby = "orders-db-replica"
endpoint_parameter = "/orders/db/endpoint"
endpoint_secret = "orders/db"

[ecs]
primary_cluster = "orders"
standby_cluster = "orders"
"#,
            timeout = ep.call_timeout,
            pr = self.primary_region,
            pu = ep.primary,
            sr = self.standby_region,
            su = ep.standby,
        );
        for s in &self.services {
            t.push_str(&format!(
                "\n[[ecs.services]]\nname = \"{}\"\nproduction = {}\nstandby = {}\n",
                s.name, s.production, s.standby
            ));
        }
        t.push_str(&format!(
            r#"
[[asgs]]
name = "orders-web"
production = {{ min = 2, max = 10, desired = 4 }}
standby = {{ min = 0, max = 10, desired = 1 }}

[[target_groups]]
name = "web"
asg = "orders-web"
primary_arn = "{ptg}"
standby_arn = "{stg}"

[dns]
zone_id = "{zone}"
record = "www.example.com"
type = "CNAME"
ttl = 60
primary_value = "lb-use1.example.com"
standby_value = "lb-usw2.example.com"

[[health_checks]]
id = "{hc0}"
label = "primary ALB"
region = "primary"

[[health_checks]]
id = "{hc1}"
label = "standby ALB"
region = "standby"

[[alarms]]
name = "orders-5xx"
region = "primary"

[[alarms]]
name = "orders-replica-lag"
region = "standby"
"#,
            ptg = self.primary_tg_arn,
            stg = self.standby_tg_arn,
            zone = self.zone_id,
            hc0 = self.health_checks[0],
            hc1 = self.health_checks[1],
        ));
        t
    }
}

/// A TCP listener on 127.0.0.1 that accepts connections and never answers: a region whose
/// endpoint hangs.
pub struct SilentListener {
    pub url: String,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl SilentListener {
    pub fn start() -> SilentListener {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1:0");
        let port = listener.local_addr().expect("local addr").port();
        listener
            .set_nonblocking(true)
            .expect("nonblocking listener");
        let stop = Arc::new(AtomicBool::new(false));
        let flag = stop.clone();
        let thread = std::thread::spawn(move || {
            let mut held = Vec::new();
            while !flag.load(Ordering::Relaxed) {
                match listener.accept() {
                    Ok((stream, _)) => held.push(stream),
                    Err(_) => std::thread::sleep(Duration::from_millis(10)),
                }
            }
        });
        SilentListener {
            url: format!("http://127.0.0.1:{port}"),
            stop,
            thread: Some(thread),
        }
    }
}

impl Drop for SilentListener {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

//! The default `failover` and `failback` runbooks, run headless by the real binary
//! (`drconsole run NAME --yes --allow-irreversible`) against moto, then checked twice: in moto's
//! state, read back through boto3 (tests/moto/state.py, not the console's own backend), and in
//! the audit log, which must hold a confirmation, a `call` and a `result` for every change.
//!
//! Between the two runs the primary is drained (ASG and services to zero, as an outage or a
//! scale-in during it would leave it), so that the failback has capacity to restore and new
//! instances to register, not only DNS, the standby and the database to move back.
//!
//! What moto does differently from AWS, and why the runs still end quickly:
//! - A forced ECS deployment replaces the deployment id and stays a single deployment with
//!   running == desired, which the backend reads as steady at once (AWS shows two deployments
//!   until the old one drains). The test checks that the id the run logged is the new one.
//! - Route 53 health checks always report healthy, so the health-check waits pass at once.
//! - The new replica reuses the configured identifier, so the "lag known" wait is met by the
//!   `ReplicaLag` datapoints seed.py published for that identifier a minute before the runs
//!   (the query looks five minutes back). In AWS the replica takes 8-15 minutes to create and
//!   its own datapoints take over; here nothing needs to be published while the run waits.
//! - PromoteReadReplica leaving the source set is patched in tests/moto/server.py.
//!
//! Those waits, which moto cannot make last, are covered on the simulator in
//! tests/runbook_sim.rs (`force_deployment_waits_for_steady`,
//! `recreate_replica_renames_the_promoted_instance_and_waits_for_lag`, the health-check waits).

mod support;

use std::collections::BTreeMap;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use drconsole::backend::{Action, Backend};
use drconsole::config::Capacity;
use drconsole::model::Side;
use serde_json::Value;
use support::{Endpoints, Moto, Seeded, moto};

/// Longest a single run may take before the test gives up on it (each takes about a second).
const RUN_LIMIT: Duration = Duration::from_secs(60);

const PRIMARY: &str = "us-east-1";
const STANDBY: &str = "us-west-2";
const RECORD: &str = "www.example.com.";
const PRIMARY_VALUE: &str = "lb-use1.example.com";
const STANDBY_VALUE: &str = "lb-usw2.example.com";
const PARAMETER: &str = "/orders/db/endpoint";
const SECRET: &str = "orders/db";

/// A seeded moto, the estate file pointing at it, and a directory for audit logs and journals.
struct Fixture {
    moto: Moto,
    seeded: Seeded,
    toml: String,
    dir: tempfile::TempDir,
    config: PathBuf,
}

impl Fixture {
    fn new() -> Fixture {
        let moto = Moto::start();
        let seeded = moto.seed(0);
        let toml = seeded.estate_toml(&Endpoints::both(&moto.url));
        let dir = tempfile::tempdir().expect("temp dir");
        let config = dir.path().join("orders.toml");
        std::fs::write(&config, &toml).expect("write estate file");
        Fixture {
            moto,
            seeded,
            toml,
            dir,
            config,
        }
    }

    fn audit_path(&self, name: &str) -> PathBuf {
        self.dir.path().join(format!("audit-{name}.jsonl"))
    }

    /// `drconsole run NAME <flags> --config <estate> --audit-log audit-<label>.jsonl --state-dir`.
    fn run(&self, name: &str, flags: &[&str], label: &str) -> Finished {
        let state_dir = self.dir.path().join("state");
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_drconsole"));
        cmd.arg("run")
            .arg(name)
            .args(flags)
            .arg("--config")
            .arg(&self.config)
            .arg("--audit-log")
            .arg(self.audit_path(label))
            .arg("--state-dir")
            .arg(&state_dir)
            .env("HOME", self.dir.path())
            .env("XDG_STATE_HOME", self.dir.path().join("xdg"))
            .env("NO_COLOR", "1");
        for (k, v) in moto::test_env() {
            cmd.env(k, v);
        }
        for k in moto::UNSET_ENV {
            cmd.env_remove(k);
        }
        let finished = run_limited(cmd, RUN_LIMIT);
        eprintln!(
            "drconsole run {name} {flags:?}: exit {:?} in {:.1?}",
            finished.code, finished.took
        );
        finished
    }

    fn audit(&self, label: &str) -> Audit {
        Audit::read(&self.audit_path(label))
    }

    /// Scales the primary to zero through the backend, as an outage would leave it.
    fn drain_primary(&self) {
        let toml = self.toml.clone();
        let services: Vec<String> = self
            .seeded
            .services
            .iter()
            .map(|s| s.name.clone())
            .collect();
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .expect("tokio runtime");
        runtime.block_on(async move {
            let aws = support::backend(&toml).await;
            aws.act(&Action::SetAsgCapacity {
                side: Side::Primary,
                asg: "orders-web".into(),
                capacity: Capacity {
                    min: 0,
                    max: 10,
                    desired: 0,
                },
            })
            .await
            .expect("drain the primary ASG");
            for service in services {
                aws.act(&Action::ScaleService {
                    side: Side::Primary,
                    cluster: "orders".into(),
                    service,
                    desired: 0,
                })
                .await
                .expect("drain a primary service");
            }
        });
    }
}

struct Finished {
    code: Option<i32>,
    stdout: String,
    stderr: String,
    took: Duration,
}

impl Finished {
    fn output(&self) -> String {
        format!("stdout:\n{}\nstderr:\n{}", self.stdout, self.stderr)
    }
}

/// Runs `cmd` to its end, killing it (and failing the test) after `limit`.
fn run_limited(mut cmd: Command, limit: Duration) -> Finished {
    let began = Instant::now();
    let mut child = cmd
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start drconsole");
    let collect = |mut pipe: Box<dyn Read + Send>| {
        std::thread::spawn(move || {
            let mut bytes = Vec::new();
            let _ = pipe.read_to_end(&mut bytes);
            String::from_utf8_lossy(&bytes).into_owned()
        })
    };
    let out = collect(Box::new(child.stdout.take().expect("piped stdout")));
    let err = collect(Box::new(child.stderr.take().expect("piped stderr")));
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait for drconsole") {
            break Some(status);
        }
        if began.elapsed() > limit {
            let _ = child.kill();
            let _ = child.wait();
            break None;
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let finished = Finished {
        code: status.and_then(|s| s.code()),
        stdout: out.join().unwrap_or_default(),
        stderr: err.join().unwrap_or_default(),
        took: began.elapsed(),
    };
    assert!(
        status.is_some(),
        "drconsole did not finish within {limit:?}; a step waits on something moto never shows\n{}",
        finished.output()
    );
    finished
}

/// The lines of one run's audit log.
struct Audit {
    lines: Vec<Value>,
    text: String,
}

impl Audit {
    fn read(path: &Path) -> Audit {
        let text = std::fs::read_to_string(path)
            .unwrap_or_else(|e| panic!("audit log {}: {e}", path.display()));
        let lines = text
            .lines()
            .map(|l| {
                serde_json::from_str(l)
                    .unwrap_or_else(|e| panic!("audit line is not JSON: {e}: {l}"))
            })
            .collect();
        Audit { lines, text }
    }

    fn events(&self, event: &str) -> Vec<&Value> {
        self.lines.iter().filter(|l| l["event"] == event).collect()
    }

    /// (step, call, describe) of every `call` line, in order.
    fn calls(&self) -> Vec<(String, String, String)> {
        self.events("call")
            .iter()
            .map(|l| (text(&l["step"]), text(&l["call"]), text(&l["describe"])))
            .collect()
    }

    /// The `describe` of the single call of `step` whose description starts with `prefix`.
    fn call(&self, step: &str, prefix: &str) -> String {
        let found: Vec<String> = self
            .calls()
            .into_iter()
            .filter(|(s, _, d)| s == step && d.starts_with(prefix))
            .map(|(_, _, d)| d)
            .collect();
        assert_eq!(
            found.len(),
            1,
            "one call of {step} starting {prefix:?}, found {found:?}\n{}",
            self.text
        );
        found.into_iter().next().unwrap_or_default()
    }

    /// The steps whose confirmation was recorded, in order, with what was typed.
    fn confirmations(&self) -> Vec<(String, Value)> {
        self.events("confirm")
            .iter()
            .map(|l| (text(&l["step"]), l["typed"].clone()))
            .collect()
    }

    /// Every call: confirmed before it was made (the confirmation lists it), answered by a
    /// `result` of the same step and API call, and never by a `call_error`.
    fn assert_each_call_confirmed_and_answered(&self) {
        assert!(
            self.events("call_error").is_empty(),
            "a call failed:\n{}",
            self.text
        );
        let mut confirmed: Vec<String> = Vec::new();
        let mut open: BTreeMap<(String, String), i64> = BTreeMap::new();
        for l in &self.lines {
            match l["event"].as_str() {
                Some("confirm") => {
                    confirmed.extend(l["calls"].as_array().into_iter().flatten().map(text))
                }
                Some("call") => {
                    let describe = text(&l["describe"]);
                    assert!(
                        confirmed.contains(&describe),
                        "{describe} was called before a confirmation listed it:\n{}",
                        self.text
                    );
                    *open
                        .entry((text(&l["step"]), text(&l["call"])))
                        .or_default() += 1;
                }
                Some("result") => {
                    let n = open
                        .entry((text(&l["step"]), text(&l["call"])))
                        .or_default();
                    *n -= 1;
                    assert!(*n >= 0, "a result without its call: {l}\n{}", self.text);
                }
                _ => {}
            }
        }
        for ((step, call), n) in open {
            assert_eq!(n, 0, "{step}: {call} has no result\n{}", self.text);
        }
    }

    /// Each step's last state.
    fn final_states(&self) -> BTreeMap<String, String> {
        self.events("state")
            .iter()
            .map(|l| (text(&l["step"]), text(&l["state"])))
            .collect()
    }

    fn assert_completed(&self, steps: &[&str]) {
        let finished = self.events("run_finished");
        assert_eq!(finished.len(), 1, "{}", self.text);
        assert_eq!(
            finished[0]["outcome"]["outcome"], "completed",
            "{}",
            self.text
        );
        let states = self.final_states();
        let ids: Vec<&str> = states.keys().map(String::as_str).collect();
        let mut want = steps.to_vec();
        want.sort_unstable();
        assert_eq!(ids, want, "the run's steps");
        for (step, state) in &states {
            assert_eq!(state, "done", "{step} ended {state}\n{}", self.text);
        }
    }
}

fn text(v: &Value) -> String {
    v.as_str().unwrap_or_default().to_string()
}

fn strings(v: &Value) -> Vec<String> {
    v.as_array()
        .into_iter()
        .flatten()
        .map(text)
        .collect::<Vec<_>>()
}

/// `(step, API call)` of every call, sorted.
fn call_kinds(audit: &Audit) -> Vec<(String, String)> {
    let mut v: Vec<(String, String)> = audit.calls().into_iter().map(|(s, c, _)| (s, c)).collect();
    v.sort();
    v
}

/// Service name → deployment id, from the `result` lines of a step's `UpdateService` calls
/// (their summary starts with `cluster/service`).
fn deployment_ids(audit: &Audit, step: &str) -> BTreeMap<String, String> {
    audit
        .events("result")
        .into_iter()
        .filter(|l| l["step"] == step && l["call"] == "ecs:UpdateService")
        .map(|l| {
            let summary = text(&l["summary"]);
            let service = summary
                .split_whitespace()
                .next()
                .and_then(|r| r.split('/').nth(1))
                .unwrap_or_default()
                .to_string();
            (service, text(&l["change_id"]))
        })
        .collect()
}

fn pairs(v: &[(&str, &str)]) -> Vec<(String, String)> {
    let mut v: Vec<(String, String)> = v
        .iter()
        .map(|(s, c)| (s.to_string(), c.to_string()))
        .collect();
    v.sort();
    v
}

fn capacity(state: &Value, region: &str) -> (u64, u64, u64, usize) {
    let g = &state["asgs"][region]["orders-web"];
    (
        g["min"].as_u64().unwrap_or(u64::MAX),
        g["max"].as_u64().unwrap_or(u64::MAX),
        g["desired"].as_u64().unwrap_or(u64::MAX),
        g["instances"].as_array().map_or(usize::MAX, Vec::len),
    )
}

/// (desired, running) of each service in a region.
fn counts(state: &Value, region: &str) -> BTreeMap<String, (u64, u64)> {
    state["services"][region]
        .as_object()
        .into_iter()
        .flatten()
        .map(|(name, s)| {
            (
                name.clone(),
                (
                    s["desired"].as_u64().unwrap_or(u64::MAX),
                    s["running"].as_u64().unwrap_or(u64::MAX),
                ),
            )
        })
        .collect()
}

fn service_counts(
    seeded: &Seeded,
    pick: fn(&support::moto::SeededService) -> u32,
) -> BTreeMap<String, (u64, u64)> {
    seeded
        .services
        .iter()
        .map(|s| (s.name.clone(), (pick(s) as u64, pick(s) as u64)))
        .collect()
}

#[test]
fn default_failover_then_failback_against_moto() {
    let began = Instant::now();
    let fx = Fixture::new();
    let seeded = fx.seeded.clone();
    let before = fx.moto.state();
    assert_eq!(
        before["rds"][STANDBY]["orders-db-replica"]["source"], seeded.primary_db_arn,
        "seeded replica: {before:#}"
    );
    assert_eq!(capacity(&before, STANDBY), (0, 10, 1, 1));

    // --- failover ---
    let run = fx.run("failover", &["--yes", "--allow-irreversible"], "failover");
    assert_eq!(
        run.code,
        Some(0),
        "failover did not complete\n{}",
        run.output()
    );
    assert!(run.stdout.contains("run completed"), "{}", run.output());

    let after = fx.moto.state();
    // The replica is promoted: no source, out of the primary's replica list, available.
    let standby_db = &after["rds"][STANDBY]["orders-db-replica"];
    assert_eq!(standby_db["source"], Value::Null, "{after:#}");
    assert_eq!(standby_db["status"], "available");
    assert!(
        !strings(&after["rds"][PRIMARY]["orders-db"]["replicas"]).contains(&seeded.standby_db_arn),
        "the primary still lists the promoted replica: {after:#}"
    );
    // The standby at production capacity, its new instances registered.
    assert_eq!(capacity(&after, STANDBY), (2, 10, 4, 4), "{after:#}");
    assert_eq!(
        counts(&after, STANDBY),
        service_counts(&seeded, |s| s.production),
        "{after:#}"
    );
    assert_eq!(
        after["targets"][STANDBY]["web"], after["asgs"][STANDBY]["orders-web"]["instances"],
        "standby target group = the ASG's InService instances"
    );
    // DNS on the standby, the endpoint parameter and secret naming the promoted database.
    assert_eq!(
        after["dns"][RECORD]["values"],
        serde_json::json!([STANDBY_VALUE])
    );
    assert_eq!(after["dns"][RECORD]["ttl"], 60);
    assert_eq!(
        after["parameters"][STANDBY][PARAMETER],
        seeded.standby_db_endpoint
    );
    assert_eq!(
        after["secrets"][STANDBY][SECRET],
        seeded.standby_db_endpoint
    );
    // The primary is untouched: nothing in a failover needs it.
    for part in ["asgs", "services", "targets"] {
        assert_eq!(
            after[part][PRIMARY], before[part][PRIMARY],
            "primary {part}"
        );
    }
    assert_eq!(
        after["rds"][PRIMARY]["orders-db"]["status"],
        before["rds"][PRIMARY]["orders-db"]["status"]
    );

    let audit = fx.audit("failover");
    assert_eq!(
        call_kinds(&audit),
        pairs(&[
            ("database", "rds:PromoteReadReplica"),
            ("asgs", "autoscaling:UpdateAutoScalingGroup"),
            ("services", "ecs:UpdateService"),
            ("services", "ecs:UpdateService"),
            ("targets", "elasticloadbalancing:RegisterTargets"),
            ("endpoint", "ssm:PutParameter"),
            ("endpoint", "secretsmanager:PutSecretValue"),
            ("redeploy", "ecs:UpdateService"),
            ("redeploy", "ecs:UpdateService"),
            ("dns", "route53:ChangeResourceRecordSets"),
        ]),
        "failover calls\n{}",
        audit.text
    );
    audit.call(
        "database",
        "rds:PromoteReadReplica orders-db-replica (standby)",
    );
    audit.call(
        "asgs",
        "autoscaling:UpdateAutoScalingGroup orders-web (standby) min=2 max=10 desired=4",
    );
    for s in &seeded.services {
        audit.call(
            "services",
            &format!(
                "ecs:UpdateService orders/{} (standby) desiredCount={}",
                s.name, s.production
            ),
        );
        audit.call(
            "redeploy",
            &format!(
                "ecs:UpdateService orders/{} (standby) forceNewDeployment=true",
                s.name
            ),
        );
    }
    let register = audit.call(
        "targets",
        &format!(
            "elasticloadbalancing:RegisterTargets {} (standby) targets=",
            seeded.standby_tg_arn
        ),
    );
    for id in strings(&after["asgs"][STANDBY]["orders-web"]["instances"]) {
        assert!(register.contains(&id), "{id} not in {register}");
    }
    audit.call(
        "endpoint",
        &format!(
            "ssm:PutParameter {PARAMETER} (standby) = {}",
            seeded.standby_db_endpoint
        ),
    );
    audit.call(
        "dns",
        &format!(
            "route53:ChangeResourceRecordSets {} UPSERT www.example.com CNAME ttl=60 -> {STANDBY_VALUE}",
            seeded.zone_id
        ),
    );
    audit.assert_each_call_confirmed_and_answered();
    // One confirmation per unit that calls; the promotion's group typed the standby region.
    let confirmations = audit.confirmations();
    let confirmed: Vec<&str> = confirmations.iter().map(|(s, _)| s.as_str()).collect();
    assert_eq!(
        confirmed,
        ["scale-up", "targets", "endpoint", "redeploy", "dns"],
        "{}",
        audit.text
    );
    assert_eq!(confirmations[0].1, STANDBY, "the irreversible group");
    assert!(confirmations[1..].iter().all(|(_, typed)| typed.is_null()));
    // The forced deployments: each logged a new deployment id (not the one the scaling
    // started), and that deployment is the service's primary one in moto now.
    let scaled = deployment_ids(&audit, "services");
    let forced = deployment_ids(&audit, "redeploy");
    assert_eq!(forced.len(), seeded.services.len(), "{}", audit.text);
    for (name, id) in &forced {
        assert_ne!(scaled.get(name), Some(id), "{name}: no new deployment");
        let deployments = after["services"][STANDBY][name]["deployments"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        assert!(
            deployments
                .iter()
                .any(|d| d["id"] == id.as_str() && d["status"] == "PRIMARY"),
            "{name}: the new deployment {id} is not the primary one: {deployments:?}"
        );
    }
    audit.assert_completed(&[
        "preflight",
        "scale-up",
        "database",
        "asgs",
        "services",
        "targets",
        "endpoint",
        "redeploy",
        "dns",
        "standby-healthy",
    ]);

    // --- the primary, drained during the outage ---
    fx.drain_primary();
    let drained = fx.moto.state();
    assert_eq!(capacity(&drained, PRIMARY), (0, 10, 0, 0), "{drained:#}");
    assert_eq!(
        counts(&drained, PRIMARY),
        service_counts(&seeded, |_| 0),
        "{drained:#}"
    );

    // --- failback ---
    let run = fx.run("failback", &["--yes", "--allow-irreversible"], "failback");
    assert_eq!(
        run.code,
        Some(0),
        "failback did not complete\n{}",
        run.output()
    );
    assert!(run.stdout.contains("run completed"), "{}", run.output());

    let back = fx.moto.state();
    assert_eq!(
        back["dns"][RECORD]["values"],
        serde_json::json!([PRIMARY_VALUE])
    );
    // The primary at production, its new instances registered.
    assert_eq!(capacity(&back, PRIMARY), (2, 10, 4, 4), "{back:#}");
    assert_eq!(
        counts(&back, PRIMARY),
        service_counts(&seeded, |s| s.production),
        "{back:#}"
    );
    let primary_instances = strings(&back["asgs"][PRIMARY]["orders-web"]["instances"]);
    let registered = strings(&back["targets"][PRIMARY]["web"]);
    for id in &primary_instances {
        assert!(registered.contains(id), "{id} not registered: {back:#}");
    }
    // The standby back at standby capacity.
    assert_eq!(capacity(&back, STANDBY), (0, 10, 1, 1), "{back:#}");
    assert_eq!(
        counts(&back, STANDBY),
        service_counts(&seeded, |s| s.standby),
        "{back:#}"
    );
    // The endpoint names the primary database again.
    assert_eq!(
        back["parameters"][STANDBY][PARAMETER],
        seeded.primary_db_endpoint
    );
    assert_eq!(back["secrets"][STANDBY][SECRET], seeded.primary_db_endpoint);
    // A replica under the configured name replicates from the primary; the promoted instance
    // is kept under a new name, standalone.
    let standby_dbs = back["rds"][STANDBY]
        .as_object()
        .cloned()
        .unwrap_or_default();
    let replica = &standby_dbs["orders-db-replica"];
    assert_eq!(replica["source"], seeded.primary_db_arn, "{back:#}");
    assert_eq!(replica["status"], "available");
    assert!(
        strings(&back["rds"][PRIMARY]["orders-db"]["replicas"]).contains(&text(&replica["arn"])),
        "the primary lists the new replica: {back:#}"
    );
    let renamed: Vec<(&String, &Value)> = standby_dbs
        .iter()
        .filter(|(id, _)| id.as_str() != "orders-db-replica")
        .collect();
    assert_eq!(renamed.len(), 1, "{back:#}");
    let (renamed_id, renamed_db) = renamed[0];
    assert!(
        renamed_id.starts_with("orders-db-replica-promoted-"),
        "{renamed_id}"
    );
    assert_eq!(renamed_db["source"], Value::Null);
    assert_eq!(standby_dbs.len(), 2);

    let audit = fx.audit("failback");
    assert_eq!(
        call_kinds(&audit),
        pairs(&[
            ("primary-asgs", "autoscaling:UpdateAutoScalingGroup"),
            ("primary-services", "ecs:UpdateService"),
            ("primary-services", "ecs:UpdateService"),
            ("primary-targets", "elasticloadbalancing:RegisterTargets"),
            ("dns", "route53:ChangeResourceRecordSets"),
            ("standby-asgs", "autoscaling:UpdateAutoScalingGroup"),
            ("standby-services", "ecs:UpdateService"),
            ("standby-services", "ecs:UpdateService"),
            ("endpoint", "ssm:PutParameter"),
            ("endpoint", "secretsmanager:PutSecretValue"),
            ("replica", "rds:ModifyDBInstance"),
            ("replica", "rds:CreateDBInstanceReadReplica"),
        ]),
        "failback calls\n{}",
        audit.text
    );
    audit.call(
        "primary-asgs",
        "autoscaling:UpdateAutoScalingGroup orders-web (primary) min=2 max=10 desired=4",
    );
    audit.call(
        "standby-asgs",
        "autoscaling:UpdateAutoScalingGroup orders-web (standby) min=0 max=10 desired=1",
    );
    for s in &seeded.services {
        audit.call(
            "primary-services",
            &format!(
                "ecs:UpdateService orders/{} (primary) desiredCount={}",
                s.name, s.production
            ),
        );
        audit.call(
            "standby-services",
            &format!(
                "ecs:UpdateService orders/{} (standby) desiredCount={}",
                s.name, s.standby
            ),
        );
    }
    let register = audit.call(
        "primary-targets",
        &format!(
            "elasticloadbalancing:RegisterTargets {} (primary) targets=",
            seeded.primary_tg_arn
        ),
    );
    for id in &primary_instances {
        assert!(register.contains(id.as_str()), "{id} not in {register}");
    }
    audit.call(
        "dns",
        &format!(
            "route53:ChangeResourceRecordSets {} UPSERT www.example.com CNAME ttl=60 -> {PRIMARY_VALUE}",
            seeded.zone_id
        ),
    );
    audit.call(
        "endpoint",
        &format!(
            "ssm:PutParameter {PARAMETER} (standby) = {}",
            seeded.primary_db_endpoint
        ),
    );
    audit.call(
        "replica",
        &format!(
            "rds:ModifyDBInstance orders-db-replica (standby) NewDBInstanceIdentifier={renamed_id}"
        ),
    );
    audit.call(
        "replica",
        &format!(
            "rds:CreateDBInstanceReadReplica orders-db-replica (standby) from {}",
            seeded.primary_db_arn
        ),
    );
    audit.assert_each_call_confirmed_and_answered();
    let confirmed: Vec<String> = audit.confirmations().into_iter().map(|(s, _)| s).collect();
    assert_eq!(
        confirmed,
        [
            "primary-up",
            "primary-targets",
            "dns",
            "standby-down",
            "endpoint",
            "replica"
        ],
        "{}",
        audit.text
    );
    audit.assert_completed(&[
        "preflight",
        "primary-up",
        "primary-asgs",
        "primary-services",
        "primary-targets",
        "primary-healthy",
        "dns",
        "standby-down",
        "standby-asgs",
        "standby-services",
        "endpoint",
        "replica",
        "replicating",
    ]);
    // The lag the new replica reports (the seeded datapoints under its name, see above).
    let lag = format!("replica lag {}s", seeded.standby_lag as u64);
    assert!(
        audit
            .events("state")
            .iter()
            .any(|l| l["step"] == "replicating" && text(&l["note"]).contains(&lag)),
        "{}",
        audit.text
    );
    eprintln!(
        "failover and failback against moto in {:.1?}",
        began.elapsed()
    );
}

#[test]
fn unconfirmed_and_irreversible_runs_make_no_call() {
    let fx = Fixture::new();
    let before = fx.moto.state();

    // Without --yes: the plan is shown, nothing is called, exit 2.
    let run = fx.run("failover", &[], "plan-only");
    assert_eq!(run.code, Some(2), "{}", run.output());
    assert!(run.stdout.contains("not confirmed"), "{}", run.output());
    assert!(
        run.stdout
            .contains("dry-run: would call rds:PromoteReadReplica orders-db-replica (standby)"),
        "the plan names the promotion\n{}",
        run.output()
    );
    let audit = fx.audit("plan-only");
    for event in ["call", "result", "call_error", "confirm"] {
        assert!(audit.events(event).is_empty(), "{event}:\n{}", audit.text);
    }
    assert_eq!(audit.events("run_started")[0]["mode"], "dry-run");
    assert_eq!(fx.moto.state(), before, "moto changed without --yes");

    // With --yes but without --allow-irreversible: refused at the group with the promotion,
    // before any of its calls (nor the ASG and service calls it holds), exit 3.
    let run = fx.run("failover", &["--yes"], "no-irreversible");
    assert_eq!(run.code, Some(3), "{}", run.output());
    assert!(
        run.stdout
            .contains("refused: scale-up makes an irreversible call"),
        "{}",
        run.output()
    );
    let audit = fx.audit("no-irreversible");
    for event in ["call", "result", "call_error", "confirm"] {
        assert!(audit.events(event).is_empty(), "{event}:\n{}", audit.text);
    }
    let aborts = audit.events("abort");
    assert_eq!(aborts.len(), 1, "{}", audit.text);
    assert_eq!(aborts[0]["step"], "scale-up");
    assert_eq!(audit.events("run_started")[0]["mode"], "live");
    let states = audit.final_states();
    assert_eq!(states["preflight"], "done", "the preflight only reads");
    for step in ["database", "asgs", "services", "targets", "dns"] {
        assert_ne!(
            states.get(step).map(String::as_str),
            Some("done"),
            "{step}\n{}",
            audit.text
        );
    }
    assert_eq!(
        fx.moto.state(),
        before,
        "moto changed without --allow-irreversible"
    );
}

#[path = "common/moto_control.rs"]
mod control;

impl Fixture {
    /// The command `run` starts, not yet started.
    fn command(&self, name: &str, flags: &[&str], label: &str) -> Command {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_drconsole"));
        cmd.arg("run")
            .arg(name)
            .args(flags)
            .arg("--config")
            .arg(&self.config)
            .arg("--audit-log")
            .arg(self.audit_path(label))
            .arg("--state-dir")
            .arg(self.dir.path().join("state"))
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

    /// Every journal in the state directory.
    fn journals(&self) -> Vec<Value> {
        let dir = self.dir.path().join("state").join("runs");
        std::fs::read_dir(&dir)
            .into_iter()
            .flatten()
            .flatten()
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|e| e == "json"))
            .filter_map(|p| serde_json::from_slice(&std::fs::read(p).ok()?).ok())
            .collect()
    }
}

/// `(step, describe)` of every call the audit logs show sent.
fn sent(audits: &[&Audit]) -> Vec<(String, String)> {
    audits
        .iter()
        .flat_map(|a| a.calls())
        .map(|(s, _, d)| (s, d))
        .collect()
}

/// A headless failover killed (SIGKILL) while its promotion is in flight (moto applied it
/// and withholds the answer), then run again with the same command: it resumes the same run,
/// checks AWS, finds the promotion made, and completes; moto's request log shows no change
/// twice. A third run finds the failover completed and makes no call.
#[test]
fn a_killed_headless_failover_resumes_and_sends_no_change_twice() {
    let fx = Fixture::new();
    let flags = ["--yes", "--allow-irreversible", "--allow-data-loss"];
    let seeding = control::changes(&fx.moto.url);
    control::lose_reply(&fx.moto.url, "PromoteReadReplica");

    // --- first run: killed inside the promotion ---
    let mut child = fx
        .command("failover", &flags, "first")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start drconsole");
    let began = Instant::now();
    loop {
        let promoted = control::requests(&fx.moto.url)
            .get("PromoteReadReplica")
            .copied()
            .unwrap_or(0);
        if promoted > 0 {
            break;
        }
        assert!(
            child.try_wait().expect("wait").is_none(),
            "the first run ended before its promotion"
        );
        assert!(
            began.elapsed() < RUN_LIMIT,
            "the promotion never reached moto"
        );
        std::thread::sleep(Duration::from_millis(10));
    }
    child.kill().expect("SIGKILL drconsole");
    let _ = child.wait();
    let mut first = String::new();
    child
        .stdout
        .take()
        .expect("stdout")
        .read_to_string(&mut first)
        .expect("read stdout");
    let run_id = first
        .lines()
        .find_map(|l| l.strip_prefix("run ")?.split(':').next())
        .expect("the first run printed its id")
        .to_string();
    let journals = fx.journals();
    assert_eq!(journals.len(), 1, "{journals:#?}");
    let database = journals[0]["steps"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|s| s["id"] == "database")
        .cloned()
        .unwrap_or_default();
    assert_eq!(
        database["memo"]["in_flight"]["action"]["action"], "promote_replica",
        "the promotion's intent is in the journal: {database:#}"
    );
    assert!(journals[0]["outcome"].is_null());

    // --- second run: the same command resumes it ---
    let second = fx.run("failover", &flags, "second");
    assert_eq!(second.code, Some(0), "{}", second.output());
    assert!(
        second
            .stdout
            .contains(&format!("resuming run {run_id} from ")),
        "{}",
        second.output()
    );
    assert!(
        second.stdout.contains(
            "a call was in flight at the crash: checking AWS before acting (rds:PromoteReadReplica"
        ),
        "{}",
        second.output()
    );
    assert!(
        second
            .stdout
            .contains("AWS shows rds:PromoteReadReplica orders-db-replica (standby) applied"),
        "{}",
        second.output()
    );
    assert!(
        second.stdout.contains("run completed"),
        "{}",
        second.output()
    );
    let (a1, a2) = (fx.audit("first"), fx.audit("second"));
    assert!(!a2.events("in_flight_check").is_empty(), "{}", a2.text);
    assert!(
        a2.events("run_resumed")
            .iter()
            .all(|l| l["run_id"] == run_id.as_str()),
        "{}",
        a2.text
    );
    // The audit log's `call` line is the intent, written before the call leaves: a call
    // whose intent the kill caught before the journal held it shows twice there, and reached
    // AWS once. What AWS received is moto's request log.
    let calls = sent(&[&a1, &a2]);
    let mut distinct = calls.clone();
    distinct.sort();
    distinct.dedup();

    // moto saw each change once: as many as the audit logs show sent, the promotion once.
    let changes: BTreeMap<String, u64> = control::changes(&fx.moto.url)
        .into_iter()
        .map(|(op, n)| {
            let seeded = seeding.get(&op).copied().unwrap_or(0);
            (op, n - seeded)
        })
        .filter(|(_, n)| *n > 0)
        .collect();
    let mut by_op: BTreeMap<String, u64> = BTreeMap::new();
    for (_, d) in &distinct {
        let op = d
            .split_whitespace()
            .next()
            .and_then(|c| c.split(':').nth(1))
            .unwrap_or_default();
        *by_op.entry(op.to_string()).or_default() += 1;
    }
    assert_eq!(
        changes, by_op,
        "moto's changes against the distinct calls sent:\n{}\n{}",
        a1.text, a2.text
    );
    assert_eq!(changes.get("PromoteReadReplica"), Some(&1));
    eprintln!("changes across the killed and the resumed run: {changes:?}");

    // --- third run: the failover is complete, nothing is called ---
    let third = fx.run("failover", &flags, "third");
    assert_eq!(third.code, Some(0), "{}", third.output());
    assert!(
        third
            .stdout
            .contains(&format!("run {run_id} of failover completed at"))
            && third.stdout.contains("nothing to do"),
        "{}",
        third.output()
    );
    let after: BTreeMap<String, u64> = control::changes(&fx.moto.url)
        .into_iter()
        .map(|(op, n)| {
            let seeded = seeding.get(&op).copied().unwrap_or(0);
            (op, n - seeded)
        })
        .filter(|(_, n)| *n > 0)
        .collect();
    assert_eq!(after, changes, "the third run changed something");
}

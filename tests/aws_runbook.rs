//! The default `failover`, `reprotect` and `failback` runbooks, run headless by the real
//! binary (`drconsole run NAME --yes ...`) against moto, then checked three ways: in moto's
//! state, read back through boto3 (tests/moto/state.py, not the console's own backend); in the
//! posture `drconsole status --json` reads; and in the audit log, which must hold a
//! confirmation, a `call` and a `result` for every change.
//!
//! The cycle: failover → failback refused (no replica of the new writer) → reprotect (the
//! stale primary renamed aside, a replica of the standby's writer under the primary's name) →
//! failback (writes stopped, the reverse replica caught up, promoted, then a replica of it in
//! the standby) → normal again, with every instance name the estate's own.
//!
//! What moto does differently from AWS, and why the runs still end quickly:
//! - A forced ECS deployment replaces the deployment id and stays a single deployment with
//!   running == desired, which the backend reads as steady at once (AWS shows two deployments
//!   until the old one drains). The test checks that the id the run logged is the new one.
//! - Route 53 health checks always report healthy, so the health-check waits pass at once.
//! - Nothing in moto produces `ReplicaLag`: the test publishes what AWS would
//!   (tests/moto/lag.py) before a run waits for a replica's lag, and 0 before the failback
//!   waits for the reverse replica to catch up. In AWS the replica takes 8-15 minutes to
//!   create and reports its own lag.
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
use drconsole::model::Side;
use serde_json::Value;
use support::process::{Finished, run_limited};
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
        Fixture::with_services(0)
    }

    /// A fixture whose estate has `services` ECS services (0: `web` and `worker`).
    fn with_services(services: usize) -> Fixture {
        let moto = Moto::start();
        let seeded = moto.seed(services);
        // A short settle keeps the failback's "caught up for a while" wait to a second.
        let toml = seeded.estate_toml(&Endpoints::both(&moto.url)).replacen(
            "poll_interval",
            "failback_settle = \"1s\"\npoll_interval",
            1,
        );
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

    /// Makes changes through the console's backend, as someone acting outside a run would.
    fn act(&self, actions: Vec<Action>) {
        let toml = self.toml.clone();
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .expect("tokio runtime");
        runtime.block_on(async move {
            let aws = support::backend(&toml).await;
            for a in actions {
                aws.act(&a).await.expect("change outside a run");
            }
        });
    }

    /// `drconsole status --json`: its exit code and the snapshot.
    fn status(&self) -> (Option<i32>, Value) {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_drconsole"));
        cmd.arg("status")
            .arg("--json")
            .arg("--config")
            .arg(&self.config)
            .env("HOME", self.dir.path())
            .env("NO_COLOR", "1");
        for (k, v) in moto::test_env() {
            cmd.env(k, v);
        }
        for k in moto::UNSET_ENV {
            cmd.env_remove(k);
        }
        let done = run_limited(cmd, RUN_LIMIT);
        let snap = serde_json::from_str(&done.stdout)
            .unwrap_or_else(|e| panic!("status --json is not JSON ({e}):\n{}", done.output()));
        (done.code, snap)
    }
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
    /// Each confirmation's step and the flags that gave it (an unattended run types nothing:
    /// its confirmations say `how: flags`, and name the flags).
    fn confirmations(&self) -> Vec<(String, String)> {
        self.events("confirm")
            .iter()
            .map(|l| {
                assert_eq!(l["how"], "flags", "{l}");
                assert!(l.get("typed").is_none(), "nothing was typed: {l}");
                (text(&l["step"]), strings(&l["flags"]).join(" "))
            })
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
fn default_failover_reprotect_failback_against_moto() {
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
    // The primary is up and ahead of the replica (moto's lag reads 12 s): the promotion
    // abandons its last writes, which this drill accepts.
    let run = fx.run(
        "failover",
        &["--yes", "--allow-irreversible", "--allow-data-loss"],
        "failover",
    );
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
            ("endpoint", "ssm:PutParameter"),
            ("endpoint", "secretsmanager:PutSecretValue"),
            ("database", "rds:PromoteReadReplica"),
            ("asgs", "autoscaling:UpdateAutoScalingGroup"),
            ("services", "ecs:UpdateService"),
            ("services", "ecs:UpdateService"),
            ("targets", "elasticloadbalancing:RegisterTargets"),
            // Only the worker ran in the standby before: the web tasks started after the
            // endpoint was written.
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
        if s.standby > 0 {
            audit.call(
                "redeploy",
                &format!(
                    "ecs:UpdateService orders/{} (standby) forceNewDeployment=true",
                    s.name
                ),
            );
        }
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
        ["endpoint", "scale-up", "targets", "redeploy", "dns"],
        "{}",
        audit.text
    );
    assert_eq!(
        confirmations[1].1, "--yes --allow-irreversible --allow-data-loss",
        "the irreversible group, its loss accepted by its own flag"
    );
    assert!(
        confirmations
            .iter()
            .all(|(_, flags)| flags == "--yes --allow-irreversible --allow-data-loss"),
        "every confirmation records the flags as they were given"
    );
    // The forced deployments: each logged a new deployment id (not the one the scaling
    // started), and that deployment is the service's primary one in moto now.
    let scaled = deployment_ids(&audit, "services");
    let forced = deployment_ids(&audit, "redeploy");
    assert_eq!(
        forced.keys().cloned().collect::<Vec<_>>(),
        ["worker"],
        "{}",
        audit.text
    );
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

    // --- the posture, read from AWS: failed over, the old primary a stale writer ---
    let (_, snap) = fx.status();
    assert_eq!(snap["posture"]["state"], "failed-over", "{snap:#}");
    assert_eq!(snap["posture"]["active"], "standby", "{snap:#}");
    assert_eq!(snap["readiness"]["side"], "primary", "failback readiness");

    // --- failback is refused before any call: nothing replicates the standby's writer ---
    let unchanged = fx.moto.state();
    let run = fx.run(
        "failback",
        &["--yes", "--allow-irreversible"],
        "failback-refused",
    );
    assert_eq!(run.code, Some(1), "{}", run.output());
    assert!(
        run.stdout.contains("run `reprotect` first"),
        "{}",
        run.output()
    );
    let audit = fx.audit("failback-refused");
    assert!(audit.events("call").is_empty(), "{}", audit.text);
    assert_eq!(
        fx.moto.state(),
        unchanged,
        "a refused failback changed moto"
    );

    // --- re-protect: the stale primary renamed aside, a replica of the standby's writer ---
    fx.moto.put_lag(PRIMARY, "orders-db", 2, 150);
    let run = fx.run("reprotect", &["--yes"], "reprotect");
    assert_eq!(
        run.code,
        Some(0),
        "reprotect did not complete\n{}",
        run.output()
    );
    let (_, snap) = fx.status();
    assert_eq!(snap["posture"]["state"], "reprotected", "{snap:#}");
    let protected = fx.moto.state();
    let primary_dbs = protected["rds"][PRIMARY]
        .as_object()
        .cloned()
        .unwrap_or_default();
    assert_eq!(
        primary_dbs["orders-db"]["source"], seeded.standby_db_arn,
        "the primary's instance under the estate's name replicates from the standby: {protected:#}"
    );
    let stale: Vec<&String> = primary_dbs.keys().filter(|k| *k != "orders-db").collect();
    assert_eq!(stale.len(), 1, "{protected:#}");
    assert!(stale[0].starts_with("orders-db-stale-"), "{stale:?}");
    assert_eq!(
        primary_dbs[stale[0]]["source"],
        Value::Null,
        "kept, standalone"
    );
    let reverse_arn = text(&primary_dbs["orders-db"]["arn"]);
    assert_eq!(
        capacity(&protected, PRIMARY),
        (0, 10, 1, 1),
        "{protected:#}"
    );
    assert_eq!(
        counts(&protected, PRIMARY),
        service_counts(&seeded, |s| s.standby),
        "{protected:#}"
    );
    let audit = fx.audit("reprotect");
    audit.assert_each_call_confirmed_and_answered();
    for (_, _, describe) in audit.calls() {
        assert!(
            describe.contains("(primary)"),
            "re-protect acts on the primary only: {describe}"
        );
    }
    audit.call(
        "replica",
        &format!(
            "rds:ModifyDBInstance orders-db (primary) NewDBInstanceIdentifier={}",
            stale[0]
        ),
    );
    audit.call(
        "replica",
        &format!(
            "rds:CreateDBInstanceReadReplica orders-db (primary) from {}",
            seeded.standby_db_arn
        ),
    );

    // --- fail back: writes stop, the replica catches up, then it is promoted ---
    fx.moto.put_lag(PRIMARY, "orders-db", 0, 0);
    fx.moto.put_lag(STANDBY, "orders-db-replica", 1, 0);
    let run = fx.run("failback", &["--yes", "--allow-irreversible"], "failback");
    assert_eq!(
        run.code,
        Some(0),
        "failback did not complete\n{}",
        run.output()
    );
    assert!(run.stdout.contains("run completed"), "{}", run.output());

    let back = fx.moto.state();
    let (code, snap) = fx.status();
    assert_eq!(snap["posture"]["state"], "normal", "{snap:#}");
    assert_eq!(snap["posture"]["active"], "primary", "{snap:#}");
    assert_eq!(code, Some(0), "{snap:#}");
    assert_eq!(
        back["dns"][RECORD]["values"],
        serde_json::json!([PRIMARY_VALUE])
    );
    // The primary-region writer is the former reverse replica, not the original instance,
    // which stays aside under its stale name.
    let primary_dbs = back["rds"][PRIMARY]
        .as_object()
        .cloned()
        .unwrap_or_default();
    assert_eq!(primary_dbs["orders-db"]["source"], Value::Null, "{back:#}");
    assert_eq!(text(&primary_dbs["orders-db"]["arn"]), reverse_arn);
    assert!(primary_dbs.contains_key(stale[0].as_str()), "{back:#}");
    // The standby holds a replica of it under its estate name; its stale writer aside.
    let standby_dbs = back["rds"][STANDBY]
        .as_object()
        .cloned()
        .unwrap_or_default();
    assert_eq!(
        standby_dbs["orders-db-replica"]["source"], reverse_arn,
        "{back:#}"
    );
    let standby_stale: Vec<&String> = standby_dbs
        .keys()
        .filter(|k| *k != "orders-db-replica")
        .collect();
    assert_eq!(standby_stale.len(), 1, "{back:#}");
    assert!(
        standby_stale[0].starts_with("orders-db-replica-stale-"),
        "{standby_stale:?}"
    );
    // Endpoint back on the primary's writer; capacity where it belongs.
    let endpoint = text(&primary_dbs["orders-db"]["endpoint"]);
    assert_eq!(text(&back["parameters"][STANDBY][PARAMETER]), endpoint);
    assert_eq!(text(&back["secrets"][STANDBY][SECRET]), endpoint);
    assert_eq!(capacity(&back, PRIMARY), (2, 10, 4, 4), "{back:#}");
    assert_eq!(
        counts(&back, PRIMARY),
        service_counts(&seeded, |s| s.production),
        "{back:#}"
    );
    for id in strings(&back["asgs"][PRIMARY]["orders-web"]["instances"]) {
        assert!(
            strings(&back["targets"][PRIMARY]["web"]).contains(&id),
            "{id} not registered: {back:#}"
        );
    }
    assert_eq!(capacity(&back, STANDBY), (0, 10, 1, 1), "{back:#}");
    assert_eq!(
        counts(&back, STANDBY),
        service_counts(&seeded, |s| s.standby),
        "{back:#}"
    );

    let audit = fx.audit("failback");
    audit.assert_each_call_confirmed_and_answered();
    audit.call("database", "rds:PromoteReadReplica orders-db (primary)");
    for s in &seeded.services {
        audit.call(
            "stop-services",
            &format!(
                "ecs:UpdateService orders/{} (standby) desiredCount=0",
                s.name
            ),
        );
    }
    // The app tier's ASG in the active (standby) region stops too, min/max/desired to 0,
    // before the lag gate; the plan names the writers drconsole cannot stop.
    audit.call(
        "stop-asgs",
        "autoscaling:UpdateAutoScalingGroup orders-web (standby) min=0 max=0 desired=0",
    );
    let confirmed_other = audit
        .events("acknowledged")
        .iter()
        .any(|l| l["step"] == "stop-other-writers");
    assert!(
        confirmed_other,
        "the manual checkpoint acknowledged\n{}",
        audit.text
    );
    assert!(
        run.stdout
            .contains("manual: stop every other writer to orders-db-replica in us-west-2")
            && run.stdout.contains("Lambda functions, scheduled jobs"),
        "the plan names what it cannot stop:\n{}",
        run.stdout
    );
    // Nothing discarded: the promotion is confirmed without --allow-data-loss.
    let confirmations = audit.confirmations();
    let promote = confirmations
        .iter()
        .find(|(s, _)| s == "database")
        .expect("the promotion confirmed");
    assert_eq!(promote.1, "--yes --allow-irreversible");
    // Writes stopped, then the replica caught up, then the promotion.
    let done: Vec<String> = audit
        .events("state")
        .iter()
        .filter(|l| l["state"] == "done")
        .map(|l| text(&l["step"]))
        .collect();
    let at = |id: &str| {
        done.iter()
            .position(|s| s == id)
            .unwrap_or_else(|| panic!("{id}: {done:?}"))
    };
    assert!(
        at("stop-writes") < at("caught-up") && at("caught-up") < at("database"),
        "{done:?}"
    );
    // Each writer stopped, and the checkpoint acknowledged, before the lag gate was waited on.
    for id in ["stop-services", "stop-asgs", "stop-other-writers"] {
        assert!(at(id) < at("caught-up"), "{id}: {done:?}");
    }
    let waited: Vec<String> = audit
        .events("state")
        .iter()
        .map(|l| format!("{}:{}", text(&l["step"]), text(&l["state"])))
        .collect();
    let first = |what: &str| {
        waited
            .iter()
            .position(|s| s == what)
            .unwrap_or_else(|| panic!("{what}: {waited:?}"))
    };
    assert!(
        first("stop-asgs:done") < first("caught-up:preflight"),
        "the ASGs are at 0 before the lag gate is read: {waited:?}"
    );
    eprintln!(
        "failover, reprotect and failback against moto in {:.1?}",
        began.elapsed()
    );
}

#[test]
fn a_replica_promoted_outside_drconsole_is_split_brain() {
    let fx = Fixture::new();
    let (code, snap) = fx.status();
    assert_eq!(snap["posture"]["state"], "normal", "{snap:#}");
    assert_eq!(code, Some(0), "{snap:#}");
    // Someone promotes the standby replica by hand; DNS still sends traffic to the primary.
    fx.act(vec![Action::PromoteReplica {
        side: Side::Standby,
        db: "orders-db-replica".into(),
    }]);
    // The promotion is `modifying` for a few describes (the harness, as AWS): the replica is
    // a writer once it has finished.
    let mut seen = fx.status();
    for _ in 0..4 {
        if seen.1["posture"]["state"] == "split-brain" {
            break;
        }
        seen = fx.status();
    }
    let (code, snap) = seen;
    assert_eq!(snap["posture"]["state"], "split-brain", "{snap:#}");
    assert!(
        text(&snap["posture"]["detail"]).contains("writers in both regions"),
        "{snap:#}"
    );
    assert_eq!(code, Some(1), "split-brain is not ready: {snap:#}");
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

    // With --yes but without --allow-irreversible: refused before the first change (the whole
    // runbook planned first), the missing flag named, exit 3; moto unchanged.
    let run = fx.run("failover", &["--yes"], "no-irreversible");
    assert_eq!(run.code, Some(3), "{}", run.output());
    assert!(
        run.stdout.contains("refused before any change"),
        "{}",
        run.output()
    );
    assert!(
        run.stdout.contains("database needs --allow-irreversible"),
        "{}",
        run.output()
    );
    let audit = fx.audit("no-irreversible");
    for event in ["call", "result", "call_error", "confirm", "run_started"] {
        assert!(audit.events(event).is_empty(), "{event}:\n{}", audit.text);
    }
    let refused = audit.events("run_refused");
    assert_eq!(refused.len(), 1, "{}", audit.text);
    assert_eq!(refused[0]["flags"], serde_json::json!(["--yes"]));
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

/// Calls of the default failover of a 12-service estate, counted in moto's request log: at
/// most 45 in all. Each verification reads only what its step needs, and one read serves every
/// step waiting in the same tick; a hand-written script makes about 15 and verifies almost
/// nothing.
#[test]
fn the_default_failover_of_twelve_services_makes_at_most_48_calls() {
    let fx = Fixture::with_services(12);
    let before = control::requests(&fx.moto.url);
    let run = fx.run(
        "failover",
        &["--yes", "--allow-irreversible", "--allow-data-loss"],
        "calls",
    );
    assert_eq!(run.code, Some(0), "{}", run.output());
    let after = control::requests(&fx.moto.url);
    let made: BTreeMap<String, u64> = after
        .iter()
        .map(|(op, n)| (op.clone(), n - before.get(op).copied().unwrap_or(0)))
        .filter(|(_, n)| *n > 0)
        .collect();
    // The accounts are read once before a run (checked against the estate's pins): counted
    // apart, one identity per side at most.
    let identity: u64 = ["GetCallerIdentity", "ListAccountAliases"]
        .iter()
        .filter_map(|op| made.get(*op))
        .sum();
    assert!(identity <= 4, "{made:?}");
    let total: u64 = made.values().sum::<u64>() - identity;
    eprintln!(
        "default failover, 12 services: {total} calls (and {identity} account reads): {made:?}"
    );
    // Every change the run made is in the log once: 12 services, 1 ASG, 1 target group,
    // the promotion, DNS, the endpoint parameter and secret.
    assert_eq!(made.get("PromoteReadReplica"), Some(&1), "{made:?}");
    assert_eq!(made.get("UpdateService"), Some(&12), "{made:?}");
    // 45 before the endpoint store's type was read (DescribeParameters, a GetSecretValue before
    // the write) and the alarms of the new active region were watched (one DescribeAlarms).
    assert!(total <= 48, "{total} calls: {made:?}");
}

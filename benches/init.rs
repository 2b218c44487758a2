//! API calls and wall time of `drconsole init --tag app=orders` against moto, for a tagged
//! estate of 12 ECS services per region (the replica, a group, a target group and a load
//! balancer per region, an alarm, the endpoint parameter, a failover record pair with its two
//! health checks; tests/moto/seed_found.py), and of the same estate from a stack per region.
//! Each run is a fresh `init` (its own clients, nothing remembered from the run before).
//!
//! `cargo bench --bench init` (needs the moto virtualenv, see tests/support/moto.rs);
//! `cargo test --bench init` runs the same in a debug build.

#[path = "../tests/support/moto.rs"]
mod moto;

use std::collections::BTreeMap;
use std::process::Command;
use std::time::{Duration, Instant};

use drconsole::backend::aws::Discovery;
use drconsole::config::{Region, RegionConfig};
use drconsole::init::{self, Options};

const RUNS: usize = 5;
const SERVICES: usize = 12;

fn seed(url: &str, how: &str) {
    let out = Command::new(moto::python())
        .arg(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/moto/seed_found.py"
        ))
        .args([url, how, "--services", &SERVICES.to_string()])
        .env_remove("AWS_PROFILE")
        .env_remove("AWS_ENDPOINT_URL")
        .output()
        .expect("run seed_found.py");
    assert!(
        out.status.success(),
        "seeding failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn region(name: &str, url: &str) -> RegionConfig {
    RegionConfig {
        region: Region::parse(name).expect("region"),
        profile: None,
        endpoint_url: Some(url.to_string()),
        account_id: None,
    }
}

/// One `init`: its calls by operation and its wall time (clients included).
async fn once(opts: &Options, url: &str) -> (BTreeMap<String, u64>, Duration, String) {
    let started = Instant::now();
    let aws = Discovery::connect(&region(&opts.primary, url), &region(&opts.standby, url))
        .await
        .expect("clients");
    let outcome = init::run(opts, &aws).await.expect("init");
    (aws.calls(), started.elapsed(), outcome.text)
}

async fn bench(label: &str, how: &str, source: impl Fn(&mut Options)) {
    let server = moto::Moto::start();
    seed(&server.url, how);
    let dir = tempfile::tempdir().expect("dir");
    let mut times = Vec::new();
    let mut calls = BTreeMap::new();
    for run in 0..RUNS {
        let mut opts = Options {
            primary: "us-east-1".into(),
            standby: "us-west-2".into(),
            output: Some(dir.path().join(format!("estate-{run}.toml"))),
            endpoint_url: Some(server.url.clone()),
            ..Options::default()
        };
        source(&mut opts);
        let (c, took, text) = once(&opts, &server.url).await;
        assert_eq!(text.matches("[[ecs.services]]").count(), SERVICES, "{text}");
        if run > 0 {
            assert_eq!(c, calls, "every run makes the same calls");
        }
        calls = c;
        times.push(took);
    }
    times.sort();
    let total: u64 = calls.values().sum();
    println!(
        "{label}: {total} calls per init; wall time median {:.0} ms, min {:.0} ms, max {:.0} ms ({RUNS} runs)",
        times[RUNS / 2].as_secs_f64() * 1e3,
        times[0].as_secs_f64() * 1e3,
        times[RUNS - 1].as_secs_f64() * 1e3,
    );
    for (op, n) in &calls {
        println!("  {n:>3}  {op}");
    }
}

#[tokio::main]
async fn main() {
    println!(
        "drconsole init against moto, {SERVICES} ECS services per region ({} build)",
        if cfg!(debug_assertions) {
            "debug"
        } else {
            "release"
        }
    );
    bench("--tag app=orders", "--tags", |o| {
        o.tags = vec!["app=orders".into()];
    })
    .await;
    bench("--stack orders", "--stacks", |o| {
        o.stack = Some("orders".into())
    })
    .await;
}

//! The run lock and the notifications against moto: how long a claim of the DynamoDB lock
//! takes (free item, and an item held by someone else: the refusal), a renewal, a release;
//! and the calls a whole failover adds for its lease and its notifications, beside the calls
//! it makes to AWS for the failover itself.
//!
//! `cargo bench --bench lock` (needs the moto virtualenv, see tests/support/moto.rs).

#[path = "../tests/support/moto.rs"]
mod moto;
#[path = "../tests/common/moto_control.rs"]
mod moto_control;

use std::path::PathBuf;
use std::process::Command;
use std::sync::Arc;
use std::time::{Duration, Instant};

use drconsole::backend::aws::AwsBackend;
use drconsole::config::Estate;
use drconsole::runbook::lock::dynamo::{ClaimError, Table};
use drconsole::runbook::lock::{Holder, LEASE};
use drconsole::runbook::{HeadlessOptions, run_headless};

const ROUNDS: usize = 40;

fn helper(url: &str, args: &[&str]) -> String {
    let out = Command::new(moto::python())
        .arg(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/moto/coordination.py"))
        .arg(url)
        .args(args)
        .output()
        .expect("coordination.py");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn stats(mut v: Vec<Duration>) -> String {
    v.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    format!(
        "median {:.1} ms, p95 {:.1} ms, max {:.1} ms",
        ms(v[v.len() / 2]),
        ms(v[(v.len() * 95 / 100).min(v.len() - 1)]),
        ms(v[v.len() - 1])
    )
}

fn main() {
    moto::use_test_credentials();
    let server = moto::Moto::start();
    let seeded = server.seed(0);
    let setup: serde_json::Value = serde_json::from_str(&helper(
        &server.url,
        &["setup", "us-west-2", "drconsole-runs"],
    ))
    .unwrap();
    let toml = format!(
        "{}\n[coordination]\ntable = \"drconsole-runs\"\n\n[notify]\nsns_topic_arn = \"{}\"\n",
        seeded.estate_toml(&moto::Endpoints::both(&server.url)),
        setup["topic_arn"].as_str().unwrap()
    );
    let estate = Estate::parse(&toml, "bench.toml").expect("estate");
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let table = Table::connect(&estate, estate.coordination.as_ref().unwrap()).await;
        let (mut claims, mut refusals, mut renewals, mut releases) =
            (Vec::new(), Vec::new(), Vec::new(), Vec::new());
        for i in 0..=ROUNDS {
            let me = Holder::me("bench", "failover", &format!("run-{i}"));
            let t = Instant::now();
            let claimed = table.claim(&me, None, LEASE).await.expect("claim");
            let took = t.elapsed();
            let mut mine = match claimed {
                drconsole::runbook::lock::dynamo::Claimed::Fresh(h) => h,
                other => panic!("{other:?}"),
            };
            let mut other = Holder::me("other", "failover", "run-x");
            other.host = "elsewhere".into();
            let t = Instant::now();
            match table.claim(&other, None, LEASE).await {
                Err(ClaimError::Held { .. }) => {}
                r => panic!("{r:?}"),
            }
            let refused = t.elapsed();
            let t = Instant::now();
            let until = tokio::time::Instant::now() + LEASE;
            table.renew(&mut mine, LEASE, until).await.expect("renew");
            let renewed = t.elapsed();
            let t = Instant::now();
            table.release(mine.lease_version).await.expect("release");
            let released = t.elapsed();
            if i > 0 {
                // The first round warms the connections up.
                claims.push(took);
                refusals.push(refused);
                renewals.push(renewed);
                releases.push(released);
            }
        }
        println!("DynamoDB run lock against moto, {ROUNDS} rounds:");
        println!("  claim (free item, 1 call)         {}", stats(claims));
        println!("  claim refused (held, 2 calls)     {}", stats(refusals));
        println!("  renewal (1 conditional update)    {}", stats(renewals));
        println!("  release (1 conditional delete)    {}", stats(releases));

        server.put_lag("us-west-2", "orders-db-replica", 1, 0);
        let before = moto_control::requests(&server.url);
        let dir = tempfile::tempdir().unwrap();
        let opts = HeadlessOptions {
            yes: true,
            allow_irreversible: true,
            allow_data_loss: true,
            audit_path: Some(dir.path().join("audit.jsonl")),
            state_dir: Some(dir.path().to_path_buf()),
            ..HeadlessOptions::default()
        };
        let backend = Arc::new(AwsBackend::connect(&estate).await);
        let t = Instant::now();
        let exit = run_headless(
            Arc::new(estate.clone()),
            backend,
            "failover",
            opts,
            Vec::new(),
        )
        .await
        .expect("run");
        let took = t.elapsed();
        assert_eq!(exit.code, 0, "the failover completes");
        let after = moto_control::requests(&server.url);
        let mut lock_calls = 0;
        let mut notify_calls = 0;
        let mut other = 0;
        let mut detail = Vec::new();
        for (op, n) in &after {
            let n = n - before.get(op).copied().unwrap_or(0);
            if n == 0 {
                continue;
            }
            match op.as_str() {
                "PutItem" | "GetItem" | "UpdateItem" | "DeleteItem" => {
                    lock_calls += n;
                    detail.push(format!("{op} {n}"));
                }
                "Publish" => {
                    notify_calls += n;
                    detail.push(format!("{op} {n}"));
                }
                _ => other += n,
            }
        }
        println!(
            "one default failover against moto ({:.1} s, with the lock and SNS notifications):",
            took.as_secs_f64()
        );
        println!("  AWS calls of the failover itself  {other}");
        println!("  run lock calls                    {lock_calls}");
        println!("  notification calls (SNS Publish)  {notify_calls}");
        println!("  by operation: {}", detail.join(", "));
    });
}

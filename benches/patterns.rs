//! Calls per poll cycle of the payments example (assets/examples/payments.toml: an Aurora
//! global database, a Route 53 failover pair of alias records with health checks, ECS
//! services, alarms, a replicated bucket) against moto, by operation: what drconsole makes
//! (batched) beside one call per resource the file names (each service, alarm, record of the
//! pair on its own), and the wall time of a cycle.
//!
//! `cargo bench --bench patterns` (needs the moto virtualenv, see tests/support/moto.rs).

#[path = "../tests/support/moto.rs"]
mod moto;

use std::collections::BTreeMap;
use std::path::Path;
use std::time::{Duration, Instant};

use drconsole::backend::Backend;
use drconsole::backend::aws::AwsBackend;
use drconsole::config::Estate;
use drconsole::model::{Scope, Side};

const CYCLES: u32 = 5;

/// One call per resource of the kind the operation reads, as a script would make them.
fn one_per_resource(estate: &Estate, scope: Scope, op: &str, batched: u64) -> u64 {
    let in_region = |side: Side| estate.alarms.iter().filter(|a| a.region == side).count() as u64;
    match (scope, op) {
        (_, "ECS.DescribeServices") => estate.services().len() as u64,
        (Scope::Region(side), "CloudWatch.DescribeAlarms") => in_region(side),
        // Each record of the failover pair listed on its own.
        (Scope::Global, op) if op.ends_with("ListResourceRecordSets") => 2,
        // A script reads the buckets on every cycle.
        (Scope::Region(Side::Primary), op) if op.starts_with("S3.") => {
            estate.s3_buckets.len() as u64
        }
        _ => batched,
    }
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let server = moto::Moto::start();
    let example = Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/examples/payments.toml");
    let seeded = server.seed_estate(&example);
    let estate = Estate::parse(&seeded.estate, "payments.toml").expect("estate");
    let aws = AwsBackend::connect(&estate).await;
    // Warm up: connections, moto's lazy backends, the identities and the S3/ECR readings
    // (read at most once a minute: the first cycle below is the one that reads them).
    let _ = aws.identity(Side::Primary).await;
    let _ = aws.identity(Side::Standby).await;

    let scopes = [
        Scope::Region(Side::Primary),
        Scope::Region(Side::Standby),
        Scope::Global,
    ];
    let mut per_op: BTreeMap<(String, String), Vec<u64>> = BTreeMap::new();
    let mut walls: Vec<Duration> = Vec::new();
    for _ in 0..CYCLES {
        for s in scopes {
            aws.calls(s).reset();
        }
        let t = Instant::now();
        let (p, s, g) = tokio::join!(
            aws.read_region(Side::Primary),
            aws.read_region(Side::Standby),
            aws.read_global()
        );
        walls.push(t.elapsed());
        p.expect("primary");
        s.expect("standby");
        g.expect("route 53");
        for scope in scopes {
            for (op, n) in aws.calls(scope).snapshot() {
                per_op.entry((scope.to_string(), op)).or_default().push(n);
            }
        }
    }
    walls.sort();
    println!(
        "payments example, one poll cycle against moto ({CYCLES} cycles; S3 and ECR are read at \
         most once a minute: in the first cycle only)\n{:<10} {:<36} {:>12} {:>12} {:>18}",
        "scope", "operation", "first cycle", "steady", "one per resource"
    );
    let (mut total, mut first_total, mut naive) = (0u64, 0u64, 0u64);
    for ((scope, op), counts) in &per_op {
        let first = counts.first().copied().unwrap_or(0);
        // A cycle that did not call the operation counted 0.
        let steady = if counts.len() < CYCLES as usize {
            0
        } else {
            counts.iter().copied().min().unwrap_or(0)
        };
        let in_scope = scopes
            .into_iter()
            .find(|s| s.to_string() == *scope)
            .unwrap_or(Scope::Global);
        let one = one_per_resource(&estate, in_scope, op, steady);
        total += steady;
        first_total += first;
        naive += one;
        println!("{scope:<10} {op:<36} {first:>12} {steady:>12} {one:>18}");
    }
    println!(
        "{:<10} {:<36} {first_total:>12} {total:>12} {naive:>18}\nwall time per cycle: median {:.1} ms",
        "total",
        "",
        walls[walls.len() / 2].as_secs_f64() * 1000.0
    );
}

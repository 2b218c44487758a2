//! Achieved RTO of the default failover on the simulator at realistic AWS durations, run as
//! written (parallel groups) and as a sequential script (the same steps one after another),
//! and the engine's own overhead per step: the time between AWS showing a step's target state
//! and the step being marked done, which must stay within one poll tick.
//!
//! The simulator runs 600 times faster than real time and the engine is paced to match, so a
//! failover of ten simulated minutes takes about a second; every figure is in simulated time.
//!
//! `cargo bench --bench failover`

mod common;

use std::sync::Arc;
use std::time::Instant;

use drconsole::backend::Backend;
use drconsole::backend::sim::{SimClock, Simulator, built_in_estate};
use drconsole::config::runbook::RunbookSpec;
use drconsole::runbook::{Journal, Pace, RunContext, RunMode, defaults, start_spec};

const SPEED: f64 = 600.0;
const SEEDS: u64 = 5;

struct Outcome {
    rto: f64,
    /// (step id, duration, overhead bound) for the steps that waited for AWS.
    steps: Vec<(String, f64, f64)>,
}

async fn run(spec: RunbookSpec, seed: u64) -> Result<Outcome, String> {
    let estate = built_in_estate();
    let sim = Simulator::new(estate.clone(), seed, SimClock::scaled(SPEED));
    let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
    let backend: Arc<dyn Backend> = sim;
    let mut ctx = RunContext::new(Arc::new(estate), backend, RunMode::Live);
    ctx.pace = Pace { scale: SPEED };
    ctx.audit_path = dir.path().join("audit.jsonl");
    ctx.state_dir = dir.path().to_path_buf();
    let mut h = start_spec(ctx, "failover", spec).map_err(|e| e.to_string())?;
    let summary = common::confirm_to_the_end(&mut h, "failover").await?;
    let journal = Journal::load(&summary.journal)?;
    let steps = journal
        .steps
        .iter()
        .filter_map(|s| {
            let o = s.verify_overhead?;
            Some((s.id.clone(), s.finished? - s.started?, o))
        })
        .collect();
    Ok(Outcome {
        rto: summary
            .rto
            .map(|d| d.as_secs_f64())
            .ok_or("RTO not reached")?,
        steps,
    })
}

fn mmss(s: f64) -> String {
    format!("{:.0}m{:02.0}s", (s / 60.0).floor(), s % 60.0)
}

fn main() {
    let rt = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("cannot start tokio: {e}");
            std::process::exit(1);
        }
    };
    let estate = built_in_estate();
    let parallel = defaults::failover(&estate);
    let sequential = parallel.sequential();
    let poll = estate.poll_interval().as_secs_f64();
    println!(
        "default failover on the simulated estate, sim speed {SPEED}x, {SEEDS} seeds, figures in simulated time"
    );
    let wall = Instant::now();
    let mut par = Vec::new();
    let mut seq = Vec::new();
    let mut overheads = Vec::new();
    let mut example = None;
    for seed in 1..=SEEDS {
        for (label, spec, out) in [
            ("parallel", &parallel, &mut par),
            ("sequential", &sequential, &mut seq),
        ] {
            match rt.block_on(run(spec.clone(), seed)) {
                Ok(o) => {
                    println!("  seed {seed} {label:<10} RTO {}", mmss(o.rto));
                    out.push(o.rto);
                    overheads.extend(o.steps.iter().map(|s| s.2));
                    if label == "parallel" && example.is_none() {
                        example = Some(o.steps);
                    }
                }
                Err(e) => {
                    eprintln!("  seed {seed} {label}: {e}");
                    std::process::exit(1);
                }
            }
        }
    }
    let mean = |v: &[f64]| v.iter().sum::<f64>() / v.len().max(1) as f64;
    let max = |v: &[f64]| v.iter().cloned().fold(0.0, f64::max);
    println!();
    println!("achieved RTO (run start -> DNS on the standby and its health checks healthy)");
    println!(
        "  parallel groups : mean {}  max {}",
        mmss(mean(&par)),
        mmss(max(&par))
    );
    println!(
        "  sequential      : mean {}  max {}",
        mmss(mean(&seq)),
        mmss(max(&seq))
    );
    println!(
        "  saved           : {} ({:.0}%)",
        mmss(mean(&seq) - mean(&par)),
        100.0 * (1.0 - mean(&par) / mean(&seq))
    );
    println!();
    println!(
        "engine overhead per step (AWS shows the target state -> step marked done, upper bound)"
    );
    println!(
        "  {} verified steps: mean {:.2}s  max {:.2}s  poll tick {poll:.0}s  -> {}",
        overheads.len(),
        mean(&overheads),
        max(&overheads),
        if max(&overheads) <= poll {
            "within one poll tick"
        } else {
            "EXCEEDS one poll tick"
        }
    );
    if let Some(steps) = example {
        println!();
        println!("  seed 1, parallel: step, duration, overhead bound");
        for (id, d, o) in steps {
            println!("    {id:<16} {:>8}  {o:.2}s", mmss(d));
        }
    }
    println!();
    println!("wall time {:.1}s", wall.elapsed().as_secs_f64());
}

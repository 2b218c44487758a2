//! The whole DR lifecycle on the simulator at realistic AWS durations: an unplanned failover
//! with the primary region dark, re-protect once it is back, then a planned failback. For each
//! leg: how long it took, its achieved RTO where it moves traffic, and the writes it lost (the
//! simulator counts them). For the failback, the write-stop window (writes stopped on the
//! standby → the promoted primary writer serving again: the downtime a planned failback
//! costs), next to the critical path AWS's own durations allow for the same steps.
//!
//! The simulator runs 600 times faster than real time and the engine is paced to match; every
//! figure is in simulated time.
//!
//! `cargo bench --bench lifecycle`

mod common;

use std::sync::Arc;
use std::time::Instant;

use drconsole::backend::Backend;
use drconsole::backend::sim::timings as t;
use drconsole::backend::sim::{Fault, SimClock, Simulator, built_in_estate};
use drconsole::runbook::{Journal, Pace, RunContext, RunMode, RunSummary, start};

const SPEED: f64 = 600.0;
const SEEDS: u64 = 5;

struct Leg {
    summary: RunSummary,
    journal: Journal,
}

async fn leg(sim: &Arc<Simulator>, dir: &std::path::Path, name: &str) -> Result<Leg, String> {
    let estate = built_in_estate();
    let backend: Arc<dyn Backend> = sim.clone();
    let mut ctx = RunContext::new(Arc::new(estate), backend, RunMode::Live);
    ctx.pace = Pace { scale: SPEED };
    ctx.audit_path = dir.join("audit.jsonl");
    ctx.state_dir = dir.to_path_buf();
    let mut h = start(ctx, name).map_err(|e| e.to_string())?;
    let summary = common::confirm_to_the_end(&mut h, name).await?;
    let journal = Journal::load(&summary.journal)?;
    Ok(Leg { summary, journal })
}

fn finished(j: &Journal, id: &str) -> Option<f64> {
    j.step(id)?.finished
}

fn mmss(s: f64) -> String {
    format!("{:.0}m{:02.0}s", (s / 60.0).floor(), s % 60.0)
}

struct Cycle {
    failover: (f64, f64, u64),
    reprotect: (f64, u64),
    failback: (f64, f64, u64),
    window: f64,
}

async fn cycle(seed: u64) -> Result<Cycle, String> {
    let sim = Simulator::new(built_in_estate(), seed, SimClock::scaled(SPEED));
    let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
    sim.toggle(Fault::PrimaryDark);
    let fo = leg(&sim, dir.path(), "failover").await?;
    sim.toggle(Fault::PrimaryDark);
    let rp = leg(&sim, dir.path(), "reprotect").await?;
    let fb = leg(&sim, dir.path(), "failback").await?;
    let lost = |l: &Leg| l.summary.metrics.writes_lost().unwrap_or(0);
    let rto = |l: &Leg| l.summary.rto.map(|d| d.as_secs_f64()).unwrap_or(f64::NAN);
    // Writes stop when the standby's services reach 0; they are accepted again once the
    // promoted primary serves: its promotion done and its ECS services running (the ASGs'
    // instances, launched in the same group, take longer but carry no writes).
    let stopped = finished(&fb.journal, "stop-writes").ok_or("no stop-writes step")?;
    let serving = finished(&fb.journal, "database")
        .zip(finished(&fb.journal, "primary-services"))
        .map(|(a, b)| a.max(b))
        .ok_or("no promotion or primary services step")?;
    Ok(Cycle {
        failover: (fo.journal.elapsed, rto(&fo), lost(&fo)),
        reprotect: (rp.journal.elapsed, lost(&rp)),
        failback: (fb.journal.elapsed, rto(&fb), lost(&fb)),
        window: serving - stopped,
    })
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
    let settle = built_in_estate().failback_settle.0.as_secs_f64();
    println!(
        "failover (primary dark) -> reprotect -> failback on the simulated estate, sim speed {SPEED}x, {SEEDS} seeds, simulated time"
    );
    let wall = Instant::now();
    let mut cycles = Vec::new();
    for seed in 1..=SEEDS {
        match rt.block_on(cycle(seed)) {
            Ok(c) => {
                println!(
                    "  seed {seed}: failover {} (RTO {}, {} writes lost) | reprotect {} ({} lost) | failback {} (RTO {}, {} lost, write-stop window {})",
                    mmss(c.failover.0),
                    mmss(c.failover.1),
                    c.failover.2,
                    mmss(c.reprotect.0),
                    c.reprotect.1,
                    mmss(c.failback.0),
                    mmss(c.failback.1),
                    c.failback.2,
                    mmss(c.window)
                );
                cycles.push(c);
            }
            Err(e) => {
                eprintln!("  seed {seed}: {e}");
                std::process::exit(1);
            }
        }
    }
    let stat = |f: &dyn Fn(&Cycle) -> f64| {
        let v: Vec<f64> = cycles.iter().map(f).collect();
        let mean = v.iter().sum::<f64>() / v.len().max(1) as f64;
        let max = v.iter().cloned().fold(0.0, f64::max);
        format!("mean {}  max {}", mmss(mean), mmss(max))
    };
    println!();
    println!(
        "failover  RTO (start -> DNS on the standby, healthy) : {}",
        stat(&|c| c.failover.1)
    );
    println!(
        "reprotect duration (stale writer aside, replica lag known): {}",
        stat(&|c| c.reprotect.0)
    );
    println!(
        "failback  RTO (start -> DNS on the primary, healthy) : {}",
        stat(&|c| c.failback.1)
    );
    println!(
        "failback  write-stop window                          : {}",
        stat(&|c| c.window)
    );
    let total_lost: u64 = cycles.iter().map(|c| c.failback.2).sum();
    println!("writes lost by the failbacks: {total_lost} (planned: must be 0)");
    // The critical path AWS's own durations allow between writes stopping and writes accepted
    // again: the settle time, the promotion, then the first tasks starting.
    let lo = settle + t::PROMOTION.0 + t::TASK_START.0;
    let hi = settle + t::PROMOTION.1 + t::TASK_START.1;
    println!(
        "AWS critical path for that window: settle {} + promotion {}-{} + task start {}-{} = {}-{}",
        mmss(settle),
        mmss(t::PROMOTION.0),
        mmss(t::PROMOTION.1),
        mmss(t::TASK_START.0),
        mmss(t::TASK_START.1),
        mmss(lo),
        mmss(hi)
    );
    println!();
    println!("wall time {:.1}s", wall.elapsed().as_secs_f64());
    if total_lost != 0 {
        std::process::exit(1);
    }
}

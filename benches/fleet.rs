//! Several estates in one account against moto: API calls and wall time per poll cycle of
//! the fleet (estates read together by region group, ECS services and target health read in
//! turn, Route 53 read with them) beside N one-estate consoles (each estate read by its own
//! backend: both regions and Route 53), for 1, 5, 20 and 50 estates of 12 ECS services each;
//! and the fleet overview's frame time at 160x48.
//!
//! The fleet's figures are the average and the most of any cycle over a full minute of 5 s
//! cycles (12, a full round of the rotation), after the first cycle (which reads everything,
//! shown apart). `FLEET_ESTATES=1,50` measures only those sizes.
//!
//! `cargo bench --bench fleet` (optimised), or `cargo test --bench fleet` (a debug build: the
//! same calls, slower frames). Needs the moto virtualenv, see tests/support/moto.rs. Seeding
//! 50 estates into moto takes a few minutes.

#[path = "../tests/support/moto.rs"]
mod moto;
#[path = "../tests/common/moto_control.rs"]
mod moto_control;

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use std::sync::Arc;

use drconsole::app::App;
use drconsole::app::fleet::FleetApp;
use drconsole::backend::Backend;
use drconsole::backend::aws::{AwsBackend, AwsFleet};
use drconsole::backend::fleet::FleetBackend;
use drconsole::config::Estate;
use drconsole::model::Side;
use drconsole::poll::fleet::GroupPoll;
use drconsole::poll::{PollEvent, PollSettings};
use drconsole::ui::theme::Theme;
use ratatui::Terminal;
use ratatui::backend::TestBackend;

const SERVICES: usize = 12;
const CYCLES: u32 = 3;
/// A minute of 5 s cycles: a full round of the rotation.
const ROUND: u32 = 12;
const FRAMES: u32 = 200;

fn diff(before: &BTreeMap<String, u64>, after: BTreeMap<String, u64>) -> u64 {
    after
        .into_iter()
        .map(|(k, v)| v - before.get(&k).copied().unwrap_or(0))
        .sum()
}

fn main() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    println!(
        "estates  services  fleet calls/cycle (avg, max; first)  fleet wall  |  N consoles calls/cycle  N consoles wall  |  overview frame"
    );
    let mut one_estate_calls = None;
    // `FLEET_ESTATES=50` measures only the sizes given (comma-separated); the first is the base.
    let sizes: Vec<usize> = std::env::var("FLEET_ESTATES")
        .ok()
        .map(|v| v.split(',').filter_map(|n| n.trim().parse().ok()).collect())
        .filter(|v: &Vec<usize>| !v.is_empty())
        .unwrap_or_else(|| vec![1, 5, 20, 50]);
    for n in sizes {
        let m = moto::Moto::start();
        let seeded = m.seed_fleet(n, SERVICES, &[]);
        let estates: Vec<Estate> = seeded
            .iter()
            .map(|(_, t)| Estate::parse(t, "bench.toml").expect("estate"))
            .collect();
        let out = runtime.block_on(async {
            let fleet: Arc<dyn FleetBackend> = Arc::new(AwsFleet::connect(&estates).await);
            let settings = PollSettings::new(estates[0].poll_interval(), estates[0].call_timeout.0);
            let mut polls: Vec<GroupPoll> = (0..fleet.groups().len())
                .map(|g| GroupPoll::new(fleet.clone(), g, settings))
                .collect();
            let mut alone = Vec::new();
            for e in &estates {
                alone.push(AwsBackend::connect(e).await);
            }
            let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
            // The first cycle reads everything (and warms up connections and identities).
            let before = moto_control::requests(&m.url);
            futures::future::join_all(polls.iter_mut().map(|p| p.cycle(None, &tx))).await;
            route53(fleet.as_ref()).await;
            let first = diff(&before, moto_control::requests(&m.url));
            let mut fleet_calls = 0;
            let mut most = 0;
            let mut fleet_wall = Duration::ZERO;
            for _ in 0..ROUND {
                let before = moto_control::requests(&m.url);
                let t = Instant::now();
                tokio::join!(
                    futures::future::join_all(polls.iter_mut().map(|p| p.cycle(None, &tx))),
                    route53(fleet.as_ref())
                );
                fleet_wall += t.elapsed();
                let calls = diff(&before, moto_control::requests(&m.url));
                fleet_calls += calls;
                most = most.max(calls);
            }
            let mut single_calls = 0;
            let mut single_wall = Duration::ZERO;
            for _ in 0..CYCLES {
                let before = moto_control::requests(&m.url);
                let t = Instant::now();
                futures::future::join_all(alone.iter().map(|b| async move {
                    tokio::join!(
                        b.read_region(Side::Primary),
                        b.read_region(Side::Standby),
                        b.read_global()
                    )
                }))
                .await;
                single_wall += t.elapsed();
                single_calls += diff(&before, moto_control::requests(&m.url));
            }
            // The overview on what the cycles sent.
            let now = Instant::now();
            let apps: Vec<App> = estates
                .iter()
                .map(|e| App::new(e.clone(), "AWS".into(), false, now))
                .collect();
            let mut overview = FleetApp::new(apps, now);
            drop(tx);
            let mut failed = 0;
            while let Some(event) = rx.recv().await {
                if matches!(&event.event, PollEvent::Finished { result: Err(_), .. }) {
                    failed += 1;
                }
                overview.apply_poll(event);
            }
            if failed > 0 {
                eprintln!("{n} estates: {failed} region reading(s) failed (slow machine?)");
            }
            let theme = Theme::dark();
            let mut term = Terminal::new(TestBackend::new(160, 48)).expect("terminal");
            let t = Instant::now();
            for _ in 0..FRAMES {
                term.draw(|f| drconsole::ui::fleet::draw(f, &overview, &theme))
                    .expect("draw");
            }
            let frame = t.elapsed() / FRAMES;
            Figures {
                average: fleet_calls as f64 / f64::from(ROUND),
                most,
                first,
                fleet_wall: fleet_wall / ROUND,
                single_calls: single_calls / u64::from(CYCLES),
                single_wall: single_wall / CYCLES,
                frame,
            }
        });
        let base = *one_estate_calls.get_or_insert(out.single_calls);
        println!(
            "{n:>7}  {:>8}  {:>12.1}, {:>3}; {:>4}                {:>10.1?}  |  {:>23}  {:>15.1?}  |  {:>.3?}  (fleet = {:.1}x one estate, most {:.1}x)",
            n * SERVICES,
            out.average,
            out.most,
            out.first,
            out.fleet_wall,
            out.single_calls,
            out.single_wall,
            out.frame,
            out.average / base as f64,
            out.most as f64 / base as f64,
        );
    }
}

/// The fleet's Route 53 reads of one cycle: one read per Route 53 group.
async fn route53(fleet: &dyn FleetBackend) {
    futures::future::join_all((0..fleet.global_groups().len()).map(|g| fleet.read_global_group(g)))
        .await;
}

struct Figures {
    average: f64,
    most: u64,
    first: u64,
    fleet_wall: Duration,
    single_calls: u64,
    single_wall: Duration,
    frame: Duration,
}

//! Several estates in one account against moto: API calls and wall time of one poll cycle of
//! the fleet (estates read together by region group) beside N one-estate consoles (each
//! estate read by its own backend), for 1, 5, 20 and 50 estates of 12 ECS services each;
//! and the fleet overview's frame time at 160x48.
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

use drconsole::app::App;
use drconsole::app::fleet::FleetApp;
use drconsole::backend::Backend;
use drconsole::backend::aws::{AwsBackend, AwsFleet};
use drconsole::backend::fleet::FleetBackend;
use drconsole::config::Estate;
use drconsole::model::{Scope, Side};
use drconsole::poll::{PollEvent, Reading};
use drconsole::ui::theme::Theme;
use ratatui::Terminal;
use ratatui::backend::TestBackend;

const SERVICES: usize = 12;
const CYCLES: u32 = 3;
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
        "estates  services  fleet calls/cycle  fleet wall  |  N consoles calls/cycle  N consoles wall  |  overview frame"
    );
    let mut one_estate_calls = None;
    for n in [1usize, 5, 20, 50] {
        let m = moto::Moto::start();
        let seeded = m.seed_fleet(n, SERVICES, &[]);
        let estates: Vec<Estate> = seeded
            .iter()
            .map(|(_, t)| Estate::parse(t, "bench.toml").expect("estate"))
            .collect();
        let (fleet_calls, fleet_wall, single_calls, single_wall, frame) = runtime.block_on(async {
            let fleet = AwsFleet::connect(&estates).await.expect("connect");
            let mut alone = Vec::new();
            for e in &estates {
                alone.push(AwsBackend::connect(e).await.expect("connect"));
            }
            // Warm up connections and identities.
            let _ =
                futures::future::join_all((0..fleet.groups().len()).map(|g| fleet.read_group(g)))
                    .await;
            let mut fleet_calls = 0;
            let mut fleet_wall = Duration::ZERO;
            let mut last = Vec::new();
            for _ in 0..CYCLES {
                let before = moto_control::requests(&m.url);
                let t = Instant::now();
                last = futures::future::join_all(
                    (0..fleet.groups().len()).map(|g| fleet.read_group(g)),
                )
                .await;
                fleet_wall += t.elapsed();
                fleet_calls += diff(&before, moto_control::requests(&m.url));
            }
            let mut single_calls = 0;
            let mut single_wall = Duration::ZERO;
            for _ in 0..CYCLES {
                let before = moto_control::requests(&m.url);
                let t = Instant::now();
                futures::future::join_all(alone.iter().map(|b| async move {
                    tokio::join!(b.read_region(Side::Primary), b.read_region(Side::Standby))
                }))
                .await;
                single_wall += t.elapsed();
                single_calls += diff(&before, moto_control::requests(&m.url));
            }
            // The overview on these readings.
            let now = Instant::now();
            let mut apps: Vec<App> = estates
                .iter()
                .map(|e| App::new(e.clone(), "AWS".into(), false, now))
                .collect();
            for (g, results) in fleet.groups().iter().zip(last) {
                for (mem, r) in g.members.iter().zip(results) {
                    apps[mem.estate].apply_poll(PollEvent::Finished {
                        scope: Scope::Region(mem.side),
                        at: now,
                        result: r.map(|r| Reading::Region(Box::new(r))),
                    });
                }
            }
            let overview = FleetApp::new(apps, now);
            let theme = Theme::dark();
            let mut term = Terminal::new(TestBackend::new(160, 48)).expect("terminal");
            let t = Instant::now();
            for _ in 0..FRAMES {
                term.draw(|f| drconsole::ui::fleet::draw(f, &overview, &theme))
                    .expect("draw");
            }
            let frame = t.elapsed() / FRAMES;
            (
                fleet_calls / u64::from(CYCLES),
                fleet_wall / CYCLES,
                single_calls / u64::from(CYCLES),
                single_wall / CYCLES,
                frame,
            )
        });
        let base = *one_estate_calls.get_or_insert(single_calls);
        println!(
            "{n:>7}  {:>8}  {fleet_calls:>17}  {:>10.1?}  |  {single_calls:>23}  {:>15.1?}  |  {:>.3?}  (fleet = {:.1}x one estate)",
            n * SERVICES,
            fleet_wall,
            single_wall,
            frame,
            fleet_calls as f64 / base as f64
        );
    }
}

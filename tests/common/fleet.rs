//! A fleet console on simulated estates for tests: each estate's simulator behind a backend
//! that counts its changes, its own run context (as the console gives it), the overview's
//! state and its event loop, driven key by key.
#![allow(dead_code)]

use std::sync::Arc;
use std::time::{Duration, Instant};

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use drconsole::app::App;
use drconsole::app::fleet::{BatchState, FleetApp};
use drconsole::backend::Backend;
use drconsole::backend::fleet::{FleetBackend, PerEstate};
use drconsole::backend::sim::{SimClock, Simulator};
use drconsole::config::Estate;
use drconsole::console::Input;
use drconsole::console::fleet::FleetLoop;
use drconsole::model::Scope;
use drconsole::poll::{PollControl, PollEvent, Reading};
use drconsole::runbook::batch::BatchMember;
use drconsole::runbook::headless::HeadlessOptions;
use drconsole::runbook::{Pace, RunContext, RunMode};
use drconsole::ui::theme::Theme;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use tokio::sync::mpsc;

use super::counting::Counting;

pub const SPEED: f64 = 1000.0;

pub struct Fleet {
    pub fleet: Arc<PerEstate>,
    pub sims: Vec<Arc<Simulator>>,
    /// Each estate's changes, counted.
    pub counts: Vec<Arc<Counting>>,
    pub estates: Vec<Estate>,
    pub dir: tempfile::TempDir,
    pub state: FleetApp,
    pub event_loop: FleetLoop,
}

/// The three estates of assets/fleet/.
pub fn assets() -> Vec<Estate> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/fleet");
    drconsole::config::locate_all(&[dir])
        .expect("assets/fleet")
        .iter()
        .map(|p| drconsole::runbook::load_estate(p).expect("valid"))
        .collect()
}

/// `n` estates, each one of assets/fleet/ under a name of its own (`app-00` …).
pub fn many(n: usize) -> Vec<Estate> {
    let base = assets();
    (0..n)
        .map(|i| {
            let mut e = base[i % base.len()].clone();
            e.name = format!("app-{i:02}");
            e
        })
        .collect()
}

impl Fleet {
    pub fn new(estates: Vec<Estate>) -> Fleet {
        let sims: Vec<Arc<Simulator>> = estates
            .iter()
            .enumerate()
            .map(|(i, e)| Simulator::new(e.clone(), 7 + i as u64, SimClock::scaled(SPEED)))
            .collect();
        let counts: Vec<Arc<Counting>> = sims
            .iter()
            .map(|s| Counting::new(s.clone() as Arc<dyn Backend>))
            .collect();
        let backends: Vec<Arc<dyn Backend>> = counts
            .iter()
            .map(|c| c.clone() as Arc<dyn Backend>)
            .collect();
        let fleet = Arc::new(PerEstate::new(&estates, backends));
        let now = Instant::now();
        let apps = estates
            .iter()
            .map(|e| App::new(e.clone(), "SIMULATION".into(), true, now))
            .collect();
        let dir = tempfile::tempdir().expect("tempdir");
        let pace = Pace { scale: SPEED };
        let opts = HeadlessOptions {
            audit_path: Some(dir.path().join("audit.jsonl")),
            state_dir: Some(dir.path().join("state")),
            pace,
            ..Default::default()
        };
        let members = estates
            .iter()
            .enumerate()
            .map(|(i, e)| BatchMember {
                estate: Arc::new(e.clone()),
                backend: fleet.backend(i),
            })
            .collect();
        let runners = estates
            .iter()
            .enumerate()
            .map(|(i, e)| {
                let mut ctx = RunContext::new(Arc::new(e.clone()), fleet.backend(i), RunMode::Live);
                ctx.audit_path = dir.path().join("audit.jsonl");
                ctx.state_dir = dir.path().join("state");
                ctx.pace = pace;
                ctx.user = "commander".into();
                Some(ctx)
            })
            .collect();
        let (_, input) = mpsc::unbounded_channel();
        let (_, polls) = mpsc::unbounded_channel();
        let event_loop = FleetLoop::new(
            input,
            polls,
            PollControl::default(),
            sims.clone(),
            members,
            opts,
            4,
            Theme::dark(),
        )
        .with_runners(runners);
        Fleet {
            fleet,
            sims,
            counts,
            estates,
            dir,
            state: FleetApp::new(apps, now),
            event_loop,
        }
    }

    /// One poll of every region group and every estate's Route 53, as the pollers send it.
    pub async fn poll(&mut self) {
        let now = Instant::now();
        for (g, group) in self.fleet.groups().iter().enumerate() {
            let results = self.fleet.read_group(g).await;
            for (m, r) in group.members.iter().zip(results) {
                self.state.apps[m.estate].apply_poll(PollEvent::Finished {
                    scope: Scope::Region(m.side),
                    at: now,
                    result: r.map(|r| Reading::Region(Box::new(r))),
                });
            }
        }
        for (i, app) in self.state.apps.iter_mut().enumerate() {
            let g = self.fleet.backend(i).read_global().await;
            app.apply_poll(PollEvent::Finished {
                scope: Scope::Global,
                at: now,
                result: g.map(Reading::Global),
            });
            app.now = now;
        }
        self.state.now = now;
    }

    pub fn key(&mut self, code: KeyCode) {
        let mods = match code {
            KeyCode::Char(c) if c.is_ascii_uppercase() => KeyModifiers::SHIFT,
            _ => KeyModifiers::NONE,
        };
        self.event_loop
            .handle_input(Input::Key(KeyEvent::new(code, mods)), &mut self.state);
    }

    pub fn typed(&mut self, text: &str) {
        for c in text.chars() {
            self.key(KeyCode::Char(c));
        }
    }

    /// Lets what is under way arrive (runs, plans, the evacuation) for a moment.
    pub async fn settle(&mut self) {
        tokio::time::sleep(Duration::from_millis(20)).await;
        self.event_loop.pump_progress(&mut self.state);
    }

    /// Settles until `done` holds, at most a minute.
    pub async fn until(&mut self, what: &str, done: impl Fn(&FleetApp) -> bool) {
        let began = Instant::now();
        while !done(&self.state) {
            assert!(
                began.elapsed() < Duration::from_secs(60),
                "waited for {what}"
            );
            self.settle().await;
        }
    }

    /// Every estate of the evacuation finished.
    pub async fn batch_done(&mut self) {
        self.until("the evacuation", |s| {
            s.batch
                .iter()
                .all(|b| !matches!(b, Some(BatchState::Queued | BatchState::Running(_))))
        })
        .await;
    }

    pub fn screen(&self, w: u16, h: u16) -> String {
        let mut t = Terminal::new(TestBackend::new(w, h)).expect("terminal");
        t.draw(|f| {
            drconsole::ui::fleet::draw(f, &self.state, &Theme::dark());
        })
        .expect("draw");
        let b = t.backend().buffer().clone();
        (0..h)
            .map(|y| {
                let row: String = (0..w).map(|x| b[(x, y)].symbol().to_string()).collect();
                format!("{}\n", row.trim_end())
            })
            .collect()
    }

    /// The index of the estate named `name`.
    pub fn estate(&self, name: &str) -> usize {
        self.estates
            .iter()
            .position(|e| e.name == name)
            .unwrap_or_else(|| panic!("no estate {name}"))
    }

    /// Selects the row of the estate named `name`.
    pub fn select(&mut self, name: &str) {
        let at = self
            .state
            .rows()
            .iter()
            .position(|r| r.name == name)
            .unwrap_or_else(|| panic!("no row {name}"));
        self.key(KeyCode::Home);
        for _ in 0..at {
            self.key(KeyCode::Down);
        }
        assert_eq!(self.state.rows()[self.state.selected].name, name);
    }
}

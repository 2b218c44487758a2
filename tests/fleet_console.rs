//! The fleet overview on the simulator: the three estates of assets/fleet/, their rows and
//! summary at 160x48 and 80x24, the keys (Enter opens an estate's dashboard, Esc returns, /
//! filters), and an evacuation of us-east-1 confirmed once by typing the region and the
//! number of estates, after which every estate is failed over.

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
use drconsole::model::{Scope, Side};
use drconsole::poll::fleet::GroupPoll;
use drconsole::poll::{PollControl, PollEvent, PollSettings, Reading};
use drconsole::posture::PostureState;
use drconsole::readiness::Verdict;
use drconsole::runbook::Pace;
use drconsole::runbook::batch::BatchMember;
use drconsole::runbook::headless::HeadlessOptions;
use drconsole::ui::theme::Theme;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use tokio::sync::mpsc;

const SPEED: f64 = 1000.0;

struct Fixture {
    fleet: Arc<PerEstate>,
    sims: Vec<Arc<Simulator>>,
    estates: Vec<Estate>,
    _dir: tempfile::TempDir,
    state: FleetApp,
    event_loop: FleetLoop,
}

fn estates() -> Vec<Estate> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/fleet");
    drconsole::config::locate_all(&[dir])
        .expect("assets/fleet")
        .iter()
        .map(|p| drconsole::runbook::load_estate(p).expect("valid"))
        .collect()
}

impl Fixture {
    fn new() -> Fixture {
        let estates = estates();
        let sims: Vec<Arc<Simulator>> = estates
            .iter()
            .enumerate()
            .map(|(i, e)| Simulator::new(e.clone(), 7 + i as u64, SimClock::scaled(SPEED)))
            .collect();
        let backends: Vec<Arc<dyn Backend>> =
            sims.iter().map(|s| s.clone() as Arc<dyn Backend>).collect();
        let fleet = Arc::new(PerEstate::new(&estates, backends));
        let now = Instant::now();
        let apps = estates
            .iter()
            .map(|e| App::new(e.clone(), "SIMULATION".into(), true, now))
            .collect();
        let dir = tempfile::tempdir().expect("tempdir");
        let opts = HeadlessOptions {
            audit_path: Some(dir.path().join("audit.jsonl")),
            state_dir: Some(dir.path().join("state")),
            pace: Pace { scale: SPEED },
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
        );
        Fixture {
            fleet,
            sims,
            estates,
            _dir: dir,
            state: FleetApp::new(apps, now),
            event_loop,
        }
    }

    /// One poll of every region group and every estate's Route 53, as the pollers send it.
    async fn poll(&mut self) {
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

    fn key(&mut self, code: KeyCode) {
        self.event_loop.handle_input(
            Input::Key(KeyEvent::new(code, KeyModifiers::NONE)),
            &mut self.state,
        );
    }

    /// Waits until every estate's plan of the evacuation offered has been read.
    async fn plans_read(&mut self) {
        let began = Instant::now();
        while !self.state.evacuation.as_ref().expect("offered").planned() {
            assert!(began.elapsed() < Duration::from_secs(60), "plans not read");
            tokio::time::sleep(Duration::from_millis(20)).await;
            self.event_loop.pump_progress(&mut self.state);
        }
    }

    /// Waits until every estate of the evacuation has finished.
    async fn batch_done(&mut self) {
        let began = Instant::now();
        loop {
            tokio::time::sleep(Duration::from_millis(50)).await;
            self.event_loop.pump_progress(&mut self.state);
            if self
                .state
                .batch
                .iter()
                .all(|b| matches!(b, Some(BatchState::Done(_))))
            {
                return;
            }
            assert!(
                began.elapsed() < Duration::from_secs(120),
                "{:?}",
                self.state.batch
            );
        }
    }

    fn typed(&mut self, text: &str) {
        for c in text.chars() {
            self.key(KeyCode::Char(c));
        }
    }

    fn screen(&self, w: u16, h: u16) -> String {
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
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_overview_shows_one_row_per_estate_at_both_sizes() {
    let mut f = Fixture::new();
    f.poll().await;
    let big = f.screen(160, 48);
    eprintln!("{big}");
    assert!(big.contains("fleet: 3 estates"), "{big}");
    assert!(
        big.contains("3 normal · 0 degraded · 0 failed over · 0 unknown"),
        "{big}"
    );
    for name in ["billing", "catalog", "payments"] {
        let row = big
            .lines()
            .find(|l| l.contains(name))
            .unwrap_or_else(|| panic!("{name} missing:\n{big}"));
        for word in ["NORMAL", "us-east-1", "READY", "primary", "ok/ok"] {
            assert!(row.contains(word), "{word} not in {row:?}");
        }
    }
    let small = f.screen(80, 24);
    eprintln!("{small}");
    for name in ["billing", "catalog", "payments"] {
        let row = small
            .lines()
            .find(|l| l.contains(name))
            .unwrap_or_else(|| panic!("{name} missing at 80x24:\n{small}"));
        assert!(row.contains("NORMAL") && row.contains("READY"), "{row:?}");
    }
    assert!(small.contains("3 normal"), "{small}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn enter_opens_an_estate_esc_returns_and_slash_filters() {
    let mut f = Fixture::new();
    f.poll().await;
    // A fault in one estate's simulator puts it first: the rows are worst first.
    f.sims[2].toggle(drconsole::backend::sim::Fault::ReplicationStopped);
    f.poll().await;
    let rows = f.state.rows();
    assert_eq!(rows[0].name, "payments", "{rows:#?}");
    assert_eq!(rows[0].lag_verdict, "over");

    f.key(KeyCode::Down);
    f.key(KeyCode::Enter);
    let open = f.state.open.expect("an estate is open");
    assert_eq!(f.estates[open].name, rows[1].name);
    let dashboard = f.screen(160, 48);
    assert!(dashboard.contains(&rows[1].name), "{dashboard}");
    assert!(dashboard.contains("Replication"), "{dashboard}");
    f.key(KeyCode::Esc);
    assert_eq!(f.state.open, None);
    assert!(f.screen(160, 48).contains("Estates (worst first)"));

    f.key(KeyCode::Char('/'));
    f.typed("bil");
    f.key(KeyCode::Enter);
    let rows = f.state.rows();
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].name, "billing");
    // Letters typed into the filter are text: `q` did not quit.
    f.key(KeyCode::Char('/'));
    f.typed("q");
    assert!(!f.state.should_quit);
    f.key(KeyCode::Esc);
    assert_eq!(f.state.rows().len(), 3);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn evacuating_a_region_fails_every_estate_over_once_confirmed() {
    let mut f = Fixture::new();
    f.poll().await;
    f.key(KeyCode::Char('x'));
    let e = f.state.evacuation.clone().expect("offered");
    assert_eq!(e.region, "us-east-1");
    assert_eq!(e.runbook, "failover");
    assert_eq!(e.estates.len(), 3);
    // The simulated replicas lag by a few seconds: the failover may discard those writes,
    // said before anything is typed, and accepted with DISCARD as for one estate.
    let loss = e.data_loss.clone().expect("the replicas' lag is stated");
    assert!(loss.starts_with("DATA LOSS: up to "), "{loss}");
    assert_eq!(e.phrase(), "us-east-1 3 DISCARD");
    let screen = f.screen(160, 48);
    assert!(
        screen.contains("DATA LOSS") && screen.contains("type us-east-1 3 DISCARD"),
        "{screen}"
    );

    // The region alone is not enough: the number of estates is part of the phrase, and so is
    // the acceptance of the loss.
    f.plans_read().await;
    f.typed("us-east-1");
    f.key(KeyCode::Enter);
    assert!(f.state.batch.iter().all(Option::is_none), "nothing started");
    assert!(f.state.evacuation.is_some());
    f.typed("us-east-1 3");
    f.key(KeyCode::Enter);
    assert!(
        f.state.batch.iter().all(Option::is_none),
        "nothing started without DISCARD"
    );
    f.typed("us-east-1 3 DISCARD");
    f.key(KeyCode::Enter);
    assert!(f.state.evacuation.is_none());
    assert!(f.state.batch.iter().all(|b| b.is_some()));

    f.batch_done().await;
    // The simulated lag wanders: an estate whose lag at its promotion is past what the
    // phrase accepted stops (exit 3) rather than discard more than was shown, and asks for
    // a new decision; `Esc` leaves it for later (`d`).
    let stopped = f.state.reasks.len();
    assert_eq!(f.state.reask_open, stopped > 0);
    if stopped > 0 {
        f.key(KeyCode::Esc);
    }
    // At 80 columns each estate's progress has a line of its own under its row.
    let small = f.screen(80, 24);
    let completed = small.matches("↳ evacuation: completed").count();
    let asks = small
        .matches("↳ evacuation: STOPPED, loss grew: d decide")
        .count();
    assert!(completed >= 1 && completed + stopped == 3, "{small}");
    assert_eq!(asks, stopped, "{small}");
    assert!(
        f.state
            .batch
            .iter()
            .all(|b| matches!(b, Some(BatchState::Done(0)) | Some(BatchState::Done(3)))),
        "{:?}",
        f.state.batch
    );
    f.poll().await;
    // Completed estates failed over; a stopped one changed nothing and still serves.
    for row in f.state.rows() {
        if row.run.as_deref() == Some("evacuation: completed") {
            assert_eq!(row.posture, PostureState::FailedOver, "{row:?}");
            assert_eq!(row.dns, Some(Side::Standby), "{row:?}");
        } else {
            assert_eq!(
                row.run.as_deref(),
                Some("evacuation: STOPPED, loss grew: d decide")
            );
            assert_eq!(row.dns, Some(Side::Primary), "{row:?}");
        }
    }
    assert_eq!(f.state.summary().failed_over, completed);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_the_active_region_unreadable_the_evacuation_is_of_the_region_serving() {
    // Nothing read yet (as when the primary region does not answer): the posture is unknown,
    // and the primary is what serves.
    let mut f = Fixture::new();
    f.key(KeyCode::Char('x'));
    let e = f.state.evacuation.clone().expect("offered");
    assert_eq!(
        (e.region.as_str(), e.runbook.as_str()),
        ("us-east-1", "failover")
    );
    assert_eq!(e.estates, [0, 1, 2]);
    f.key(KeyCode::Esc);
    assert!(f.state.evacuation.is_none());
}

/// Every group's cycle once, as the pollers make it, applied to the overview.
async fn cycle(f: &mut Fixture, polls: &mut [GroupPoll], open: Option<usize>) {
    let (tx, mut rx) = mpsc::unbounded_channel();
    for p in polls.iter_mut() {
        p.cycle(open, &tx).await.expect("receiver");
    }
    drop(tx);
    while let Some(event) = rx.recv().await {
        f.state.apply_poll(event);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn services_read_in_turn_say_their_age_on_the_readiness_item_and_the_panel() {
    let mut f = Fixture::new();
    let fleet: Arc<dyn FleetBackend> = f.fleet.clone();
    let settings = PollSettings::new(Duration::from_secs(5), Duration::from_secs(5));
    let mut polls: Vec<GroupPoll> = (0..fleet.groups().len())
        .map(|g| GroupPoll::new(fleet.clone(), g, settings))
        .collect();
    f.poll().await; // Route 53, read per estate
    // The first cycle reads every estate whole; the second, one estate's services (0).
    cycle(&mut f, &mut polls, None).await;
    assert!(f.state.apps.iter().all(|a| a.services_read_at == [None; 2]));
    tokio::time::sleep(Duration::from_millis(1100)).await;
    cycle(&mut f, &mut polls, None).await;
    assert_eq!(f.state.apps[0].services_read_at, [None; 2]);
    let read_at = f.state.apps[1].services_read_at[1].expect("carried, with its time");
    let region_at = f.state.apps[1].standby.fetched_at.expect("read");
    assert!(read_at + Duration::from_secs(1) < region_at);

    // 2 s after the region was read, its services are 3 s old: the item that depends on
    // them says so.
    let now = region_at + Duration::from_secs(2);
    for a in &mut f.state.apps {
        a.now = now;
    }
    f.state.now = now;
    let item = |a: &App| {
        a.readiness()
            .items
            .into_iter()
            .find(|i| i.label == "standby services defined")
            .expect("services item")
    };
    let carried = item(&f.state.apps[1]);
    assert!(carried.detail.ends_with(" · read 3s ago"), "{carried:?}");
    let readiness = f.state.apps[1].readiness();
    assert_eq!(readiness.verdict, Verdict::Ready, "{readiness:#?}");
    let own = item(&f.state.apps[0]);
    assert!(!own.detail.contains("read"), "{own:?}");

    // Its dashboard's services panel shows that age, the ASG panel the region's.
    f.state.open = Some(1);
    let screen = f.screen(160, 48);
    eprintln!("{screen}");
    let panel = |what: &str| {
        screen
            .lines()
            .find(|l| l.contains(&format!("STANDBY us-west-2 · {what}")))
            .unwrap_or_else(|| panic!("{what}:\n{screen}"))
            .to_string()
    };
    assert!(
        panel("ECS services").ends_with(" 3s ago ╮"),
        "{}",
        panel("ECS services")
    );
    assert!(
        panel("Auto Scaling").ends_with(" 2s ago ╮"),
        "{}",
        panel("Auto Scaling")
    );
    assert!(screen.contains("3 service(s) · read 3s ago"), "{screen}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn enter_tells_the_pollers_which_estate_is_open_and_esc_that_none_is() {
    let mut f = Fixture::new();
    f.poll().await;
    let (tx, rx) = tokio::sync::watch::channel(None);
    let (input, polls) = (mpsc::unbounded_channel().1, mpsc::unbounded_channel().1);
    let mut event_loop = FleetLoop::new(
        input,
        polls,
        PollControl::default(),
        f.sims.clone(),
        Vec::new(),
        HeadlessOptions::default(),
        4,
        Theme::dark(),
    )
    .with_open(tx);
    event_loop.handle_input(
        Input::Key(KeyEvent::new(KeyCode::Enter, KeyModifiers::NONE)),
        &mut f.state,
    );
    let open = f.state.open.expect("open");
    assert_eq!(*rx.borrow(), Some(open));
    event_loop.handle_input(
        Input::Key(KeyEvent::new(KeyCode::Esc, KeyModifiers::NONE)),
        &mut f.state,
    );
    assert_eq!(*rx.borrow(), None);
}

/// The phrase accepts the loss the evacuation showed. One estate's primary goes dark after the
/// phrase was shown: its replica's lag grows past it, so that estate stops at its promotion,
/// changes nothing, and the batch report says why; the others fail over.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_estate_whose_lag_grew_past_what_was_confirmed_stops_and_says_why() {
    let mut f = Fixture::new();
    f.poll().await;
    f.key(KeyCode::Char('x'));
    let e = f.state.evacuation.clone().expect("offered");
    assert_eq!(e.estates.len(), 3);
    let shown = e.shown.iter().filter_map(|s| s.up_to_secs).max();
    assert!(shown.is_some(), "{:?}", e.shown);
    // After the phrase is shown, the first estate's primary goes dark: its lag grows (the
    // simulator runs 1000 times faster than real time).
    f.sims[0].toggle(drconsole::backend::sim::Fault::PrimaryDark);
    tokio::time::sleep(Duration::from_millis(300)).await;
    f.plans_read().await;
    let phrase = e.phrase();
    f.typed(&phrase);
    f.key(KeyCode::Enter);
    assert!(f.state.evacuation.is_none());
    f.batch_done().await;
    assert_eq!(
        f.state.batch[0],
        Some(BatchState::Done(3)),
        "{:?}",
        f.state.batch
    );
    // The others' simulated lag wanders too: each completed, or stopped for the same reason.
    assert!(
        f.state.batch[1..]
            .iter()
            .all(|b| matches!(b, Some(BatchState::Done(0)) | Some(BatchState::Done(3)))),
        "{:?}",
        f.state.batch
    );
    let runs = f._dir.path().join("state").join("runs");
    let report = std::fs::read_dir(&runs)
        .expect("runs dir")
        .flatten()
        .map(|e| e.path())
        .find(|p| {
            p.file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with("batch-"))
        })
        .expect("the batch report");
    let text = std::fs::read_to_string(report).expect("read the report");
    let row = text
        .lines()
        .find(|l| l.starts_with(&format!("| {} |", f.estates[0].name)))
        .unwrap_or_else(|| panic!("{text}"));
    assert!(row.contains("refused"), "{row}");
    assert!(row.contains("--allow-data-loss"), "{row}");
    // Nothing of that estate was promoted.
    let standby = f.sims[0].read_region(Side::Standby).await.expect("standby");
    let db = standby.database.expect("db").expect("read");
    assert!(
        matches!(db.role, drconsole::model::DbRole::Replica { .. }),
        "{db:?}"
    );
}

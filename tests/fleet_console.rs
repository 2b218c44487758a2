//! The fleet overview on the simulator: the three estates of assets/fleet/, their rows and
//! summary at 160x48 and 80x24, the keys (Enter opens an estate's dashboard, Esc returns, /
//! filters), and an evacuation of us-east-1 confirmed once by typing the region and the
//! number of estates, after which every estate is failed over.

#[path = "common/counting.rs"]
mod counting;
#[path = "common/fleet.rs"]
mod fleet;

use std::sync::Arc;
use std::time::Duration;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use drconsole::app::App;
use drconsole::app::fleet::BatchState;
use drconsole::backend::Backend;
use drconsole::backend::fleet::FleetBackend;
use drconsole::console::Input;
use drconsole::console::fleet::FleetLoop;
use drconsole::model::Side;
use drconsole::poll::fleet::GroupPoll;
use drconsole::poll::{PollControl, PollSettings};
use drconsole::posture::PostureState;
use drconsole::readiness::Verdict;
use drconsole::runbook::headless::HeadlessOptions;
use drconsole::ui::theme::Theme;
use fleet::{Fleet, assets};
use tokio::sync::mpsc;

/// Waits until every estate's plan of the evacuation offered has been read.
async fn plans_read(f: &mut Fleet) {
    f.until("the plans", |s| {
        s.evacuation.as_ref().is_some_and(|e| e.planned())
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_overview_shows_one_row_per_estate_at_both_sizes() {
    let mut f = Fleet::new(assets());
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
    let mut f = Fleet::new(assets());
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
    let mut f = Fleet::new(assets());
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
    plans_read(&mut f).await;
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
    let mut f = Fleet::new(assets());
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
async fn cycle(f: &mut Fleet, polls: &mut [GroupPoll], open: Option<usize>) {
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
    let mut f = Fleet::new(assets());
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
    let mut f = Fleet::new(assets());
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
    let mut f = Fleet::new(assets());
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
    plans_read(&mut f).await;
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
    let runs = f.dir.path().join("state").join("runs");
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

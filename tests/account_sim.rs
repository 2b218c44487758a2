//! Which account each side acts in, on the simulator: shown in the header, checked against the
//! estate file's `account_id` before any runbook starts (console and headless), recorded in the
//! audit log and the drill report; expired credentials shown on their side with the fix, never
//! as an unreachable region.

use std::sync::Arc;
use std::time::{Duration, Instant};

use drconsole::app::keys::Command;
use drconsole::app::{App, Effect, PickItem};
use drconsole::backend::Backend;
use drconsole::backend::sim::{BUILT_IN_ESTATE, SimClock, Simulator, built_in_estate};
use drconsole::config::Estate;
use drconsole::model::{Scope, Side};
use drconsole::poll::{PollControl, PollEvent, PollSettings, Reading};
use drconsole::runbook::headless::{HeadlessOptions, run_headless};
use drconsole::runbook::{ACCOUNT_MISMATCH, Pace, RunContext, RunError, RunMode};
use serde_json::Value;

#[path = "common/counting.rs"]
mod counting;
#[path = "common/screen.rs"]
mod screen;
use counting::Counting;

const PRIMARY_ACCOUNT: &str = "482915736201";
const STANDBY_ACCOUNT: &str = "390716254893";

/// The built-in estate with both accounts pinned (to the simulator's own) and a profile for
/// the standby.
fn pinned_estate() -> Estate {
    let text = BUILT_IN_ESTATE
        .replacen(
            "[primary]\nregion = \"us-east-1\"\n",
            &format!("[primary]\nregion = \"us-east-1\"\naccount_id = \"{PRIMARY_ACCOUNT}\"\n"),
            1,
        )
        .replacen(
            "[standby]\nregion = \"us-west-2\"\n",
            &format!(
                "[standby]\nregion = \"us-west-2\"\nprofile = \"shop-dr\"\naccount_id = \"{STANDBY_ACCOUNT}\"\n"
            ),
            1,
        );
    assert_ne!(text, BUILT_IN_ESTATE);
    drconsole::runbook::parse_estate(&text, "pinned.toml").expect("pinned estate parses")
}

/// An app that has seen one poll of everything, the accounts included, as the pollers send it.
async fn polled(estate: Estate, sim: &Simulator) -> App {
    let t0 = Instant::now();
    let mut app = App::new(estate, "SIMULATION".into(), true, t0);
    for side in Side::BOTH {
        let reading = sim.read_region(side).await.expect("read");
        app.apply_poll(PollEvent::Finished {
            scope: Scope::Region(side),
            at: t0,
            result: Ok(Reading::Region(Box::new(reading))),
        });
        app.apply_poll(PollEvent::Identity {
            side,
            result: sim.identity(side).await,
        });
    }
    let global = sim.read_global().await.expect("read");
    app.apply_poll(PollEvent::Finished {
        scope: Scope::Global,
        at: t0,
        result: Ok(Reading::Global(global)),
    });
    app.now = t0 + Duration::from_secs(1);
    app
}

/// The header's line with both regions, on the 160-column screen.
fn regions_line(app: &App) -> String {
    screen::render(app)
        .lines()
        .nth(1)
        .expect("two header lines")
        .to_string()
}

/// The same line in a terminal `width` columns wide.
fn regions_line_at(app: &App, width: u16) -> String {
    let mut terminal = ratatui::Terminal::new(ratatui::backend::TestBackend::new(width, screen::H))
        .expect("terminal");
    let theme = drconsole::ui::theme::Theme::dark();
    terminal
        .draw(|f| drconsole::ui::draw(f, app, &theme))
        .expect("draw");
    let buffer = terminal.backend().buffer().clone();
    (0..width)
        .map(|x| buffer[(x, 1)].symbol().to_string())
        .collect()
}

#[tokio::test]
async fn the_header_shows_each_sides_account() {
    let sim = Simulator::new(built_in_estate(), 7, SimClock::manual());
    let app = polled(built_in_estate(), &sim).await;
    // In words where the terminal is wide enough.
    let line = regions_line_at(&app, 200);
    let (primary, standby) = line.split_once('⇄').expect("both halves");
    assert!(
        primary.contains(&format!(
            "account {PRIMARY_ACCOUNT} (orders-prod) (db writer)"
        )),
        "{line}"
    );
    assert!(
        standby.contains(&format!(
            "account {STANDBY_ACCOUNT} (orders-dr) (db replica)"
        )),
        "{line}"
    );
    assert!(!line.contains("pinned"), "nothing is pinned: {line}");
    // Shorter in 160 columns, and the standby's state still on screen.
    let line = regions_line(&app);
    let (primary, standby) = line.split_once('⇄').expect("both halves");
    assert!(
        primary.contains(&format!(" {PRIMARY_ACCOUNT} (orders-prod) (db writer)")),
        "{line}"
    );
    assert!(
        standby.contains(&format!(
            " {STANDBY_ACCOUNT} (orders-dr) (db replica) ● reachable"
        )),
        "{line}"
    );
    // Narrower still: the ids alone.
    let line = regions_line_at(&app, 140);
    assert!(
        line.contains(&format!(
            "us-west-2 {STANDBY_ACCOUNT} (db replica) ● reachable"
        )),
        "{line}"
    );
    assert_eq!(app.runbook_refusal(), None);
}

#[tokio::test]
async fn the_pollers_report_each_sides_identity() {
    let sim = Simulator::new(built_in_estate(), 7, SimClock::manual());
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    let control = PollControl::default();
    control.set_paused(false);
    drconsole::poll::spawn_all(
        sim.clone(),
        PollSettings::new(Duration::from_secs(3600), Duration::from_secs(5)),
        control,
        tx,
    );
    let mut seen = std::collections::BTreeMap::new();
    while seen.len() < 2 {
        let event = tokio::time::timeout(Duration::from_secs(10), rx.recv())
            .await
            .expect("the pollers answer")
            .expect("the pollers run");
        if let PollEvent::Identity { side, result } = event {
            seen.insert(side, result.expect("identity").account_id);
        }
    }
    assert_eq!(seen[&Side::Primary], PRIMARY_ACCOUNT);
    assert_eq!(seen[&Side::Standby], STANDBY_ACCOUNT);
}

#[tokio::test]
async fn a_pinned_account_that_differs_is_red_and_refuses_every_runbook() {
    let estate = pinned_estate();
    let sim = Simulator::new(estate.clone(), 7, SimClock::manual());
    let app = polled(estate.clone(), &sim).await;
    assert_eq!(app.runbook_refusal(), None, "the pins match at first");
    assert!(regions_line_at(&app, 200).contains("✔ pinned"));

    // The standby's profile now hands out another account's credentials.
    sim.set_account(Side::Standby, "111122223333");
    let mut app = polled(estate.clone(), &sim).await;
    let line = regions_line(&app);
    let standby = line.split_once('⇄').expect("both halves").1;
    assert!(
        standby.contains(&format!("ACCOUNT 111122223333 ≠ PINNED {STANDBY_ACCOUNT}")),
        "{line}"
    );
    assert!(standby.contains("● reachable"), "{line}");
    // In red: the theme's danger style on that text.
    let mut terminal =
        ratatui::Terminal::new(ratatui::backend::TestBackend::new(screen::W, screen::H))
            .expect("terminal");
    let theme = drconsole::ui::theme::Theme::dark();
    terminal
        .draw(|f| drconsole::ui::draw(f, &app, &theme))
        .expect("draw");
    let buffer = terminal.backend().buffer().clone();
    let x = line.find("ACCOUNT 111122223333").expect("on screen");
    let x = line[..x].chars().count() as u16;
    assert_eq!(
        buffer[(x, 1)].fg,
        theme.danger.fg.expect("danger has a colour")
    );

    // The console: no runbook list, and the reason names both accounts and the profile.
    assert_eq!(app.apply_command(Command::Runbooks), None);
    assert!(app.picker.is_none());
    let notice = app.notice.clone().expect("a notice").0;
    for part in [
        "refused",
        "111122223333",
        STANDBY_ACCOUNT,
        "profile shop-dr",
    ] {
        assert!(notice.contains(part), "{part} in {notice}");
    }

    // The engine refuses a live run on these accounts whoever asks; a dry run may plan.
    let counting = Counting::new(sim.clone());
    let mut ctx = RunContext::new(Arc::new(estate.clone()), counting.clone(), RunMode::Live);
    let dir = tempfile::tempdir().expect("temp dir");
    ctx.state_dir = dir.path().join("state");
    ctx.audit_path = dir.path().join("audit.jsonl");
    ctx.accounts = app.accounts();
    for name in ["failover", "reprotect", "failback"] {
        match drconsole::runbook::start(ctx.clone(), name) {
            Err(RunError::AccountRefused(why)) => assert!(why.contains("111122223333"), "{why}"),
            Err(e) => panic!("{name}: {e}"),
            Ok(_) => panic!("{name} started with the wrong account"),
        }
    }

    // Headless, every runbook: exit 5 before any call, audited, naming both accounts.
    for name in ["failover", "reprotect", "failback"] {
        let mut out = Vec::new();
        let exit = run_headless(
            Arc::new(estate.clone()),
            counting.clone(),
            name,
            HeadlessOptions {
                yes: true,
                allow_irreversible: true,
                allow_data_loss: true,
                audit_path: Some(ctx.audit_path.clone()),
                state_dir: Some(ctx.state_dir.clone()),
                pace: Pace { scale: 100.0 },
                ..HeadlessOptions::default()
            },
            &mut out,
        )
        .await
        .expect("headless");
        let out = String::from_utf8_lossy(&out);
        assert_eq!(exit.code, ACCOUNT_MISMATCH, "{name}: {out}");
        for part in [
            "refused",
            "111122223333",
            STANDBY_ACCOUNT,
            "profile shop-dr",
        ] {
            assert!(out.contains(part), "{name}: {part} in {out}");
        }
    }
    assert_eq!(counting.count(), 0, "{:?}", counting.actions());
    let audit = std::fs::read_to_string(&ctx.audit_path).expect("audit log");
    let lines: Vec<Value> = audit
        .lines()
        .map(|l| serde_json::from_str(l).expect("json line"))
        .collect();
    assert_eq!(lines.len(), 3, "{audit}");
    for l in &lines {
        assert_eq!(l["event"], "run_refused", "{l}");
        assert_eq!(l["accounts"]["standby"]["account_id"], "111122223333");
        assert_eq!(l["accounts"]["standby"]["pinned"], STANDBY_ACCOUNT);
    }
    assert!(
        !ctx.state_dir.join("runs").exists(),
        "a refused run leaves no journal to resume"
    );

    // `--dry-run` still shows the plan, says a live run would be refused, and exits 5.
    let mut out = Vec::new();
    let exit = run_headless(
        Arc::new(estate),
        counting.clone(),
        "failover",
        HeadlessOptions {
            dry_run: true,
            audit_path: Some(ctx.audit_path.clone()),
            state_dir: Some(ctx.state_dir.clone()),
            pace: Pace { scale: 100.0 },
            ..HeadlessOptions::default()
        },
        &mut out,
    )
    .await
    .expect("headless");
    let out = String::from_utf8_lossy(&out);
    assert_eq!(exit.code, ACCOUNT_MISMATCH, "{out}");
    assert!(out.contains("a live run would be refused"), "{out}");
    assert!(
        out.contains("would call rds:PromoteReadReplica"),
        "the plan is shown: {out}"
    );
    assert_eq!(counting.count(), 0);
}

#[tokio::test]
async fn a_console_dry_run_may_open_the_list_and_says_a_live_run_is_refused() {
    let estate = pinned_estate();
    let sim = Simulator::new(estate.clone(), 7, SimClock::manual());
    sim.set_account(Side::Primary, "111122223333");
    let mut app = polled(estate, &sim).await;
    app.dry_run = true;
    app.apply_command(Command::Runbooks);
    assert!(app.picker.is_some());
    let notice = app.notice.clone().expect("a notice").0;
    assert!(
        notice.contains("dry run") && notice.contains("a live run would be refused"),
        "{notice}"
    );
}

#[tokio::test]
async fn a_pin_not_yet_verified_refuses_runbooks() {
    let estate = pinned_estate();
    let mut app = App::new(estate, "SIMULATION".into(), true, Instant::now());
    let why = app.runbook_refusal().expect("refused before any read");
    assert!(why.contains("has not been read yet"), "{why}");
    // The list opens (no account is known to be wrong), but no runbook starts: each calls a
    // region whose pin is not verified.
    app.apply_command(Command::Runbooks);
    assert!(app.picker.is_some());
    let effect = app.apply_command(Command::Select);
    assert!(effect.is_none(), "{effect:?}");
    let notice = app.notice.clone().expect("a notice").0;
    assert!(
        notice.contains("runbooks refused") && notice.contains("has not been read yet"),
        "{notice}"
    );
}

/// In an outage the primary's account cannot be read: a failover, which never calls the
/// primary, is not refused by the primary's pin; a runbook that calls the primary is.
#[tokio::test]
async fn an_unverifiable_primary_pin_does_not_refuse_a_failover_that_never_calls_it() {
    let estate = pinned_estate();
    let sim = Simulator::new(estate.clone(), 7, SimClock::manual());
    sim.expire_credentials(Side::Primary, true);
    let mut app = polled(estate.clone(), &sim).await;
    assert!(
        app.runbook_refusal()
            .is_some_and(|w| w.contains("primary") && !w.contains("standby")),
        "the primary's pin is unverified"
    );
    app.apply_command(Command::Runbooks);
    let picker = app.picker.clone().expect("the list opens");
    let at = |name: &str| {
        picker
            .items
            .iter()
            .position(|i| matches!(i, PickItem::Start(n) if n == name))
            .unwrap_or_else(|| panic!("{name} offered"))
    };
    assert_eq!(picker.info[at("failover")].sides, vec![Side::Standby]);
    app.picker.as_mut().expect("picker").selected = at("failover");
    let effect = app.apply_command(Command::Select);
    assert!(
        matches!(effect, Some(Effect::StartRun { item: PickItem::Start(ref n), drill: false }) if n == "failover"),
        "{effect:?} {:?}",
        app.notice
    );
    // Reprotect calls the primary: refused, with the fix on the primary's side.
    app.apply_command(Command::Runbooks);
    app.picker.as_mut().expect("picker").selected = at("reprotect");
    assert!(app.apply_command(Command::Select).is_none());
    let notice = app.notice.clone().expect("a notice").0;
    assert!(notice.contains("runbooks refused: primary"), "{notice}");

    // Headless: the failover runs; the primary's identity is not even asked for.
    let dir = tempfile::tempdir().expect("temp dir");
    let audit = dir.path().join("audit.jsonl");
    let sim = Simulator::new(estate.clone(), 7, SimClock::scaled(100.0));
    sim.expire_credentials(Side::Primary, true);
    let mut out = Vec::new();
    let exit = run_headless(
        Arc::new(estate),
        sim,
        "failover",
        HeadlessOptions {
            dry_run: true,
            audit_path: Some(audit.clone()),
            state_dir: Some(dir.path().join("state")),
            pace: Pace { scale: 100.0 },
            ..HeadlessOptions::default()
        },
        &mut out,
    )
    .await
    .expect("headless");
    let out = String::from_utf8_lossy(&out);
    assert_eq!(exit.code, 0, "{out}");
    assert!(!out.contains("would be refused"), "{out}");
}

#[tokio::test]
async fn expired_credentials_show_the_fix_on_their_side_only() {
    let estate = pinned_estate();
    let sim = Simulator::new(estate.clone(), 7, SimClock::manual());
    sim.expire_credentials(Side::Standby, true);
    let app = polled(estate.clone(), &sim).await;
    let line = regions_line(&app);
    let (primary, standby) = line.split_once('⇄').expect("both halves");
    assert!(
        standby.contains("✖ CREDENTIALS: run `aws sso login --profile shop-dr`"),
        "{line}"
    );
    assert!(!line.contains("UNREACHABLE"), "{line}");
    assert!(primary.contains("● reachable"), "{line}");
    assert!(primary.contains(PRIMARY_ACCOUNT), "{line}");
    assert!(!primary.contains("CREDENTIALS"), "{line}");
    // The fleet overview's row says so too: never `ok` for a side whose every read is refused.
    let again = polled(estate.clone(), &sim).await;
    let now = again.now;
    let fleet = drconsole::app::fleet::FleetApp::new(vec![again], now);
    let mut terminal =
        ratatui::Terminal::new(ratatui::backend::TestBackend::new(120, 24)).expect("terminal");
    let theme = drconsole::ui::theme::Theme::dark();
    terminal
        .draw(|f| drconsole::ui::fleet::draw(f, &fleet, &theme))
        .expect("draw");
    let buffer = terminal.backend().buffer().clone();
    let overview: String = (0..24)
        .map(|y| {
            (0..120)
                .map(|x| buffer[(x, y)].symbol().to_string())
                .collect::<String>()
                + "\n"
        })
        .collect();
    assert!(overview.contains(" ok/CREDS "), "{overview}");
    // Every panel of the side says why it is empty.
    let services = app.standby.data.as_ref().expect("read").services.clone();
    assert!(
        services
            .expect_err("no services read")
            .message
            .contains("aws sso login --profile shop-dr")
    );
    // A pin that cannot be verified refuses, with the fix.
    let why = app.runbook_refusal().expect("refused");
    assert!(why.contains("aws sso login --profile shop-dr"), "{why}");

    // After `aws sso login`: the next read finds the account again.
    sim.expire_credentials(Side::Standby, false);
    let app = polled(estate, &sim).await;
    assert!(regions_line(&app).contains(STANDBY_ACCOUNT));
    assert_eq!(app.runbook_refusal(), None);
}

#[tokio::test]
async fn a_run_records_its_accounts_in_run_started_and_the_report() {
    let estate = pinned_estate();
    let sim = Simulator::new(estate.clone(), 7, SimClock::scaled(100.0));
    let dir = tempfile::tempdir().expect("temp dir");
    let audit = dir.path().join("audit.jsonl");
    let mut out = Vec::new();
    let exit = run_headless(
        Arc::new(estate),
        sim,
        "failover",
        HeadlessOptions {
            dry_run: true,
            audit_path: Some(audit.clone()),
            state_dir: Some(dir.path().join("state")),
            pace: Pace { scale: 100.0 },
            ..HeadlessOptions::default()
        },
        &mut out,
    )
    .await
    .expect("headless");
    let out = String::from_utf8_lossy(&out);
    assert_eq!(exit.code, 0, "{out}");
    let text = std::fs::read_to_string(&audit).expect("audit");
    let started: Value = text
        .lines()
        .map(|l| serde_json::from_str::<Value>(l).expect("json"))
        .find(|l| l["event"] == "run_started")
        .expect("run_started");
    // A failover never calls the primary: its identity is not read.
    assert_eq!(started["accounts"]["primary"]["principal"], Value::Null);
    assert_eq!(started["accounts"]["primary"]["pinned"], PRIMARY_ACCOUNT);
    assert_eq!(
        started["accounts"]["standby"]["account_id"],
        STANDBY_ACCOUNT
    );
    assert_eq!(started["accounts"]["standby"]["profile"], "shop-dr");
    let report = exit.summary.and_then(|s| s.report).expect("a report");
    let report = std::fs::read_to_string(report).expect("report");
    assert!(
        report.contains(&format!(
            "- standby account: {STANDBY_ACCOUNT} (orders-dr) as arn:aws:sts::{STANDBY_ACCOUNT}:"
        )),
        "{report}"
    );
    assert!(report.contains("- primary account: not read"), "{report}");
}

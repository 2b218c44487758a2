//! The drill mark and the findings entry on screen at 80×24 (and 160×48): `d` in the runbook
//! list marks the run a drill before it starts (said in the list, then in the run's frame);
//! `n` on a finished run types a finding, Enter hands it to the report, nothing else.

use std::time::Instant;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use drconsole::app::keys::Command;
use drconsole::app::{App, Effect, PickItem, RunView, Typing};
use drconsole::backend::sim::built_in_estate;
use drconsole::runbook::lock::Holder;
use drconsole::runbook::{RunEvent, RunMode, RunOutcome, RunSummary, StepStatus, StepView};

#[path = "common/screen.rs"]
mod screen;
use screen::render_at;

const RUN_ID: &str = "20260301T130200Z-failover-1f43";
const SIZES: [(u16, u16); 2] = [(80, 24), (160, 48)];

fn app() -> App {
    let mut app = App::new(built_in_estate(), "SIMULATION".into(), true, Instant::now());
    app.now = Instant::now();
    app
}

fn started(drill: bool) -> RunView {
    let mut run = RunView::new(1.0);
    run.apply(RunEvent::Started {
        run_id: RUN_ID.into(),
        runbook: "failover".into(),
        mode: RunMode::Live,
        resumed: false,
        drill,
        journal: "j".into(),
        steps: vec![StepView {
            id: "dns".into(),
            title: "move DNS to the standby".into(),
            parent: None,
            optional: false,
            status: StepStatus::Done { note: "ok".into() },
        }],
    });
    run
}

fn finished(drill: bool) -> RunView {
    let mut run = started(drill);
    run.apply(RunEvent::Finished(RunSummary {
        run_id: RUN_ID.into(),
        runbook: "failover".into(),
        outcome: RunOutcome::Completed,
        rto: None,
        metrics: Default::default(),
        skipped: Vec::new(),
        journal: "j".into(),
        report: Some("/state/reports/failover.md".into()),
    }));
    run
}

fn press(app: &mut App, c: char) -> Option<Effect> {
    app.type_key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE))
}

fn enter(app: &mut App) -> Option<Effect> {
    app.type_key(KeyEvent::new(KeyCode::Enter, KeyModifiers::NONE))
}

#[test]
fn d_in_the_list_marks_the_run_a_drill_before_it_starts() {
    let mut app = app();
    assert_eq!(app.apply_command(Command::Runbooks), None);
    for (w, h) in SIZES {
        let text = render_at(&app, w, h);
        assert!(
            text.contains("real incident · d marks it a drill"),
            "{w}×{h}:\n{text}"
        );
        assert!(!text.contains("DRILL"), "{text}");
    }
    assert_eq!(app.pick_key(Command::ToggleDrill), None);
    for (w, h) in SIZES {
        let text = render_at(&app, w, h);
        eprintln!("{w}×{h}:\n{text}");
        assert!(text.contains("Start a runbook  DRILL"), "{text}");
        assert!(
            text.contains("the run is a drill · d again: a real incident"),
            "{text}"
        );
    }
    let selected = {
        let picker = app.picker.as_mut().expect("picker");
        picker.selected = picker
            .items
            .iter()
            .position(|i| *i == PickItem::Start("failover".into()))
            .expect("failover");
        picker.items[picker.selected].clone()
    };
    assert_eq!(
        app.pick_key(Command::Select),
        Some(Effect::StartRun {
            item: selected.clone(),
            drill: true
        })
    );
    // The list opens again as a real incident: a drill is marked for each run.
    app.apply_command(Command::Runbooks);
    assert_eq!(app.picker.as_ref().map(|p| p.drill), Some(false));
    assert_eq!(
        app.pick_key(Command::Select).and_then(|e| match e {
            Effect::StartRun { drill, .. } => Some(drill),
            _ => None,
        }),
        Some(false)
    );
    // Outside the list, d says where it works and marks nothing.
    assert_eq!(app.apply_command(Command::ToggleDrill), None);
    assert!(app.picker.is_none());
    assert!(
        app.notice
            .as_ref()
            .is_some_and(|(n, _)| n.contains("then d in the list")),
        "{:?}",
        app.notice
    );
}

#[test]
fn the_run_frame_says_drill_and_a_real_incident_says_nothing() {
    for drill in [true, false] {
        let mut app = app();
        app.run = Some(started(drill));
        for (w, h) in SIZES {
            app.screen = Some((w, h));
            let text = render_at(&app, w, h);
            eprintln!("{w}×{h}:\n{text}");
            assert_eq!(text.contains(" DRILL "), drill, "{text}");
            assert!(
                text.contains("running"),
                "the state stays beside it: {text}"
            );
        }
    }
}

#[test]
fn a_resumed_run_keeps_what_it_started_as() {
    let mut app = app();
    // A journal as a run leaves it: started, not finished.
    let journal_of = |drill: bool| drconsole::runbook::Journal {
        version: 1,
        run_id: RUN_ID.into(),
        runbook: "failover".into(),
        estate: "e".into(),
        dry_run: false,
        drill,
        started_at: chrono::Utc::now(),
        updated_at: chrono::Utc::now(),
        elapsed: 0.0,
        spec: drconsole::config::runbook::RunbookSpec {
            description: None,
            steps: Vec::new(),
        },
        steps: Vec::new(),
        timeline: Vec::new(),
        metrics: Default::default(),
        accounts: Default::default(),
        outcome: None,
        report: None,
        audit_head: None,
    };
    for drill in [true, false] {
        app.unfinished = Some(journal_of(drill));
        app.apply_command(Command::Runbooks);
        assert!(matches!(
            app.picker.as_ref().map(|p| &p.items[0]),
            Some(PickItem::Resume { .. })
        ));
        assert_eq!(app.pick_key(Command::ToggleDrill), None);
        assert_eq!(app.picker.as_ref().map(|p| p.drill), Some(false));
        let said = if drill { "a drill" } else { "a real incident" };
        assert!(
            app.notice
                .as_ref()
                .is_some_and(|(n, _)| n.ends_with(&format!("stays what it started as: {said}"))),
            "{:?}",
            app.notice
        );
        match app.pick_key(Command::Select) {
            Some(Effect::StartRun { item, drill: d }) => {
                assert!(matches!(item, PickItem::Resume { .. }));
                assert_eq!(d, drill, "as its journal says");
            }
            other => panic!("{other:?}"),
        }
    }
}

#[test]
fn n_on_a_finished_run_types_a_finding_that_enter_hands_to_the_report() {
    let mut app = app();
    app.run = Some(finished(true));
    for (w, h) in SIZES {
        app.screen = Some((w, h));
        let text = render_at(&app, w, h);
        eprintln!("{w}×{h}:\n{text}");
        assert!(text.contains(" n  add a finding"), "{text}");
        assert!(text.contains(" n finding "), "the footer's hint: {text}");
        assert!(text.contains(" DRILL "), "{text}");
    }
    assert_eq!(app.apply_command(Command::Finding), None);
    assert!(matches!(app.typing, Some(Typing::Finding(_))));
    // Keys bound elsewhere are typed.
    for c in "DNS TTL 300s slowed cutover; q y A".chars() {
        assert_eq!(press(&mut app, c), None);
    }
    assert!(!app.should_quit);
    for (w, h) in SIZES {
        let text = render_at(&app, w, h);
        eprintln!("{w}×{h}:\n{text}");
        assert!(
            text.contains("finding (one line, audited): DNS TTL 300s slowed cutover; q y A█"),
            "{text}"
        );
        assert!(
            text.contains("Enter adds it to the report · Esc cancels"),
            "{text}"
        );
    }
    assert_eq!(
        enter(&mut app),
        Some(Effect::Finding {
            run_id: RUN_ID.into(),
            text: "DNS TTL 300s slowed cutover; q y A".into()
        })
    );
    assert!(app.typing.is_none());
    // Once added, the pane shows the last one.
    app.run.as_mut().expect("run").findings = vec!["first".into(), "second".into()];
    let text = render_at(&app, 80, 24);
    assert!(text.contains("finding 2 added: second"), "{text}");
    // Esc leaves typing and adds nothing; blanks only add nothing either.
    app.apply_command(Command::Finding);
    press(&mut app, 'x');
    assert_eq!(
        app.type_key(KeyEvent::new(KeyCode::Esc, KeyModifiers::NONE)),
        None
    );
    assert!(app.typing.is_none());
    app.apply_command(Command::Finding);
    press(&mut app, ' ');
    assert_eq!(enter(&mut app), None);
    assert!(
        app.notice
            .as_ref()
            .is_some_and(|(n, _)| n.contains("needs some text")),
        "{:?}",
        app.notice
    );
}

#[test]
fn no_finding_on_a_run_still_going_on_a_followed_run_or_read_only() {
    let mut app = app();
    app.run = Some(started(false));
    assert_eq!(app.apply_command(Command::Finding), None);
    assert!(app.typing.is_none());
    assert!(
        app.notice
            .as_ref()
            .is_some_and(|(n, _)| n.contains("once the run has finished")),
        "{:?}",
        app.notice
    );

    let mut followed = RunView::following(&Holder::me("alice", "failover", RUN_ID));
    followed.summary = finished(false).summary;
    app.run = Some(followed);
    assert_eq!(app.apply_command(Command::Finding), None);
    assert!(app.typing.is_none());
    let text = render_at(&app, 80, 24);
    assert!(!text.contains("add a finding"), "{text}");

    let mut app = self::app();
    app.read_only = true;
    app.run = Some(finished(false));
    assert_eq!(app.apply_command(Command::Finding), None);
    assert!(app.typing.is_none());
}

//! The approval request on screen at 80×24 (and 160×48): in the run that waits (who may
//! approve, the command, the time left, the plan whole) and in a console following that run
//! (`a`, the step's id typed, Enter: the approval sent to the follower, nothing else).

use std::time::{Duration, Instant};

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use drconsole::app::keys::Command;
use drconsole::app::{App, Effect, Question, RunView};
use drconsole::backend::sim::built_in_estate;
use drconsole::runbook::api::ApprovalWait;
use drconsole::runbook::lock::{Holder, Progress};
use drconsole::runbook::{RunCommand, RunEvent, RunMode, StepStatus, StepView};

#[path = "common/screen.rs"]
mod screen;
use screen::render_at;

fn wait() -> ApprovalWait {
    ApprovalWait {
        step: "scale-up".into(),
        title: "promote the database, scale the standby to production".into(),
        run_id: "20260301T130200Z-failover-1f43".into(),
        command: "drconsole approve 20260301T130200Z-failover-1f43 scale-up".into(),
        request_id: "r1".into(),
        plan_sha256: "955481040b05a19cc04d572c0a0e269935a83f37e591be5c4c1277f1cbeb1873".into(),
        plan: vec![
            "call: rds:PromoteReadReplica orders-db-replica (standby) (IRREVERSIBLE)".into(),
            "change: promote the standby replica: replica → writer".into(),
            "DATA LOSS: database: up to 4s of acknowledged writes".into(),
        ],
        requested_by: "alice@laptop".into(),
        expires_at: chrono::Utc::now() + chrono::Duration::minutes(30),
        store: "drconsole-runs in us-west-2".into(),
    }
}

fn steps() -> Vec<StepView> {
    let view = |id: &str, title: &str, status| StepView {
        id: id.into(),
        title: title.into(),
        parent: None,
        optional: false,
        status,
    };
    vec![
        view(
            "preflight",
            "preflight",
            StepStatus::Done { note: "ok".into() },
        ),
        view(
            "scale-up",
            "promote the database, scale up",
            StepStatus::AwaitingApproval,
        ),
        view("dns", "move DNS to the standby", StepStatus::Pending),
    ]
}

/// The screen's words in order, borders dropped: a wrapped line reads whole.
fn flat(text: &str) -> String {
    text.replace(['┃', '│'], " ")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

fn app_with(run: RunView) -> App {
    let mut app = App::new(built_in_estate(), "SIMULATION".into(), true, Instant::now());
    app.run = Some(run);
    app.now = Instant::now();
    app
}

#[test]
fn the_waiting_run_names_the_command_the_time_left_and_the_whole_plan() {
    let mut run = RunView::new(1.0);
    run.apply(RunEvent::Started {
        run_id: wait().run_id,
        runbook: "failover".into(),
        mode: RunMode::Live,
        resumed: false,
        drill: false,
        journal: "j".into(),
        steps: steps(),
    });
    run.apply(RunEvent::AwaitingApproval(wait()));
    let mut app = app_with(run);
    for (w, h) in [(80, 24), (160, 48)] {
        app.screen = Some((w, h));
        let text = render_at(&app, w, h);
        eprintln!("{w}×{h}:\n{text}");
        let words = flat(&text);
        assert!(text.contains("WAITING FOR APPROVAL"), "{text}");
        assert!(
            words.contains("waiting for approval by another operator"),
            "{text}"
        );
        assert!(words.contains("drconsole approve 20260301T130200Z-failover-1f43 scale-up"));
        assert!(words.contains("time left 30 min") || words.contains("time left 29 min"));
        assert!(
            words.contains("DATA LOSS"),
            "the loss stays in view: {text}"
        );
        assert!(text.contains("⧗"), "the step's mark: {text}");
    }
    // The step cannot be skipped while it waits: only abort leaves it.
    assert_eq!(app.apply_command(Command::Skip), None);
    assert!(app.typing.is_none());
    assert_eq!(
        app.apply_command(Command::Abort),
        Some(Effect::Run(RunCommand::Abort))
    );
}

#[test]
fn a_following_console_approves_by_typing_the_step_id() {
    let holder = Holder {
        progress: Progress {
            steps: steps(),
            ..Default::default()
        },
        ..Holder::me("alice", "failover", &wait().run_id)
    };
    let mut run = RunView::following(&holder);
    run.apply(RunEvent::AwaitingApproval(wait()));
    assert!(matches!(run.question, Some(Question::Approval { .. })));
    let mut app = app_with(run);
    app.screen = Some((80, 24));
    let text = render_at(&app, 80, 24);
    eprintln!("{text}");
    assert!(text.contains("APPROVAL REQUESTED"), "{text}");
    let words = flat(&text);
    assert!(words.contains("confirmed by alice@laptop"), "{text}");
    assert!(words.contains("a then type scale-up"), "{text}");

    assert_eq!(app.apply_command(Command::Approve), None);
    for c in "scale-up".chars() {
        assert_eq!(
            app.type_key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE)),
            None
        );
    }
    let text = render_at(&app, 80, 24);
    assert!(text.contains("scale-up█"), "what is typed shows: {text}");
    assert_eq!(
        app.type_key(KeyEvent::new(KeyCode::Enter, KeyModifiers::NONE)),
        Some(Effect::Run(RunCommand::Approve {
            step: "scale-up".into()
        }))
    );
    // The time left counts down with the clock.
    app.now += Duration::from_secs(29 * 60);
    let shown = flat(&render_at(&app, 80, 24));
    assert!(
        shown.contains("time left 60 s") || shown.contains("time left 59 s"),
        "{shown}"
    );
}

#[test]
fn a_console_not_following_any_run_cannot_approve() {
    let mut app = app_with(RunView::new(1.0));
    assert_eq!(app.apply_command(Command::Approve), None);
    assert!(app.typing.is_none());
    assert!(
        app.notice
            .as_ref()
            .is_some_and(|(n, _)| n.contains("follow their run")),
        "{:?}",
        app.notice
    );
}

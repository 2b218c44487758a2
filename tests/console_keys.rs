//! Scripted key sequences against the real app state and event loop handlers, on the
//! simulator with tokio's paused clock: no change reaches the backend without a deliberate
//! confirmation; Enter alone confirms nothing; a wrong region name does not confirm an
//! irreversible step; read-only makes no call whatever is pressed; a crashed run resumes.

#[path = "common/counting.rs"]
mod counting;
#[path = "common/screen.rs"]
mod screen;

use std::sync::Arc;
use std::time::{Duration, Instant};

use counting::Counting;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use drconsole::app::{App, PickItem, Question};
use drconsole::backend::Action;
use drconsole::backend::sim::{SimClock, Simulator, built_in_estate};
use drconsole::console::{Input, Loop};
use drconsole::poll::PollControl;
use drconsole::runbook::{Journal, RunContext, RunMode, RunOutcome, StepStatus};
use drconsole::ui::theme::Theme;
use tempfile::TempDir;
use tokio::sync::mpsc;

struct Console {
    app: App,
    event_loop: Loop,
    backend: Arc<Counting>,
    sim: Arc<Simulator>,
    dir: TempDir,
    _input: mpsc::UnboundedSender<Input>,
}

/// A console over a new simulated estate, or over `resume`'s estate and state directory
/// (a console started again after a crash: AWS kept its state, the disk kept the journal).
fn console(read_only: bool, resume: Option<(Arc<Simulator>, TempDir)>) -> Console {
    console_of(built_in_estate(), read_only, resume)
}

/// [`console`] over `estate`.
fn console_of(
    estate: drconsole::config::Estate,
    read_only: bool,
    resume: Option<(Arc<Simulator>, TempDir)>,
) -> Console {
    let (sim, dir) = match resume {
        Some((sim, dir)) => (sim, Some(dir)),
        None => {
            let clock = SimClock::manual();
            let sim = Simulator::new(estate.clone(), 3, clock.clone());
            // The simulator's clock follows tokio's paused clock.
            tokio::spawn(async move {
                loop {
                    tokio::time::sleep(Duration::from_secs(1)).await;
                    clock.advance(Duration::from_secs(1));
                }
            });
            (sim, None)
        }
    };
    let backend = Counting::new(sim.clone());
    let dir = dir.unwrap_or_else(|| tempfile::tempdir().expect("tempdir"));
    let mut app = App::new(estate.clone(), "SIMULATION".into(), true, Instant::now());
    app.read_only = read_only;
    let runner = (!read_only).then(|| {
        let mut ctx = RunContext::new(Arc::new(estate), backend.clone(), RunMode::Live);
        ctx.audit_path = dir.path().join("audit.jsonl");
        ctx.state_dir = dir.path().to_path_buf();
        ctx.user = "commander".into();
        ctx
    });
    if let Some(ctx) = &runner {
        app.unfinished = Journal::find_unfinished(&ctx.state_dir).expect("journals");
    }
    let (input_tx, input_rx) = mpsc::unbounded_channel();
    let (_poll_tx, poll_rx) = mpsc::unbounded_channel();
    Console {
        app,
        event_loop: Loop {
            input: input_rx,
            polls: poll_rx,
            control: PollControl::default(),
            simulator: Some(sim.clone()),
            runner,
            run: None,
            theme: Theme::dark(),
            evaluations: None,
            chores: Default::default(),
        },
        backend,
        sim,
        dir,
        _input: input_tx,
    }
}

fn key(code: KeyCode) -> Input {
    let mods = match code {
        KeyCode::Char(c) if c.is_ascii_uppercase() => KeyModifiers::SHIFT,
        _ => KeyModifiers::NONE,
    };
    Input::Key(KeyEvent::new(code, mods))
}

impl Console {
    /// One poll of every scope, as the pollers would deliver it.
    async fn poll_once(&mut self) {
        use drconsole::backend::Backend;
        use drconsole::model::{Scope, Side};
        use drconsole::poll::{PollEvent, Reading};
        let at = Instant::now();
        for side in Side::BOTH {
            let r = self.sim.read_region(side).await.expect("read");
            self.app.apply_poll(PollEvent::Finished {
                scope: Scope::Region(side),
                at,
                result: Ok(Reading::Region(Box::new(r))),
            });
        }
        let g = self.sim.read_global().await.expect("read");
        self.app.apply_poll(PollEvent::Finished {
            scope: Scope::Global,
            at,
            result: Ok(Reading::Global(g)),
        });
        self.app.now = at;
    }
    fn press(&mut self, code: KeyCode) {
        self.event_loop.handle_input(key(code), &mut self.app);
    }
    fn type_text(&mut self, text: &str) {
        for c in text.chars() {
            self.press(KeyCode::Char(c));
        }
    }
    /// Applies the run's events for `secs` seconds of (paused) time.
    async fn pump(&mut self, secs: u64) {
        let until = tokio::time::Instant::now() + Duration::from_secs(secs);
        loop {
            let Some(handle) = self.event_loop.run.as_mut() else {
                tokio::time::sleep_until(until).await;
                return;
            };
            match tokio::time::timeout_at(until, handle.events.recv()).await {
                Ok(Some(ev)) => self.event_loop.apply_run_event(ev, &mut self.app),
                Ok(None) => self.event_loop.engine_gone(&mut self.app),
                Err(_) => return,
            }
        }
    }
    /// Pumps until the engine asks something (or the run ends), at most ten minutes.
    async fn until_question(&mut self) -> Option<Question> {
        for _ in 0..600 {
            if let Some(q) = self.app.run.as_ref().and_then(|r| r.question.clone()) {
                return Some(q);
            }
            if self.app.run.as_ref().is_some_and(|r| r.finished()) {
                return None;
            }
            self.pump(1).await;
        }
        None
    }
    fn start(&mut self, runbook: &str) {
        self.press(KeyCode::Char('x'));
        let picker = self.app.picker.as_ref().expect("picker open");
        let idx = picker
            .items
            .iter()
            .position(|i| *i == PickItem::Start(runbook.into()))
            .expect("runbook listed");
        for _ in 0..idx {
            self.press(KeyCode::Down);
        }
        self.press(KeyCode::Enter);
        assert!(self.app.run.is_some(), "Enter in the picker starts the run");
    }
    fn audit(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("audit.jsonl")).unwrap_or_default()
    }
}

/// The whole screen as text, with the run id and wall-clock times masked.
fn screen(c: &Console) -> String {
    let mut out = screen::render(&c.app);
    if let Some(run) = c.app.run.as_ref().filter(|r| !r.run_id.is_empty()) {
        out = out.replace(&run.run_id, "RUN-ID");
    }
    mask_clock_times(&out)
}

use screen::mask_clock_times;

fn confirm_prompt(q: Option<Question>) -> drconsole::runbook::ConfirmPrompt {
    match q {
        Some(Question::Confirm(p)) => p,
        other => panic!("expected a confirmation prompt, got {other:?}"),
    }
}

/// The default failover writes the endpoint first (reversible: `y` confirms it); returns the
/// number of calls made by then.
async fn confirm_endpoint(c: &mut Console) -> usize {
    let prompt = confirm_prompt(c.until_question().await);
    assert_eq!(prompt.step, "endpoint", "{prompt:?}");
    assert_eq!(prompt.type_to_confirm, None, "{prompt:?}");
    assert_eq!(
        c.backend.count(),
        0,
        "no call before the first confirmation"
    );
    c.press(KeyCode::Char('y'));
    c.pump(2).await;
    let made = c.backend.count();
    assert!(
        c.backend
            .actions()
            .iter()
            .all(|a| matches!(a, Action::WriteEndpoint { .. })),
        "{:?}",
        c.backend.actions()
    );
    assert_eq!(made, 1, "the endpoint parameter, written once");
    made
}

#[tokio::test(start_paused = true)]
async fn nothing_changes_without_a_deliberate_confirmation() {
    let mut c = console(false, None);
    c.start("failover");
    let base = confirm_endpoint(&mut c).await;
    // The preflight check passes on its own, the endpoint is written; the parallel group
    // with the promotion asks.
    let prompt = confirm_prompt(c.until_question().await);
    // The primary still takes writes the replica has not applied: the region's name and
    // DISCARD are typed to accept losing them.
    assert_eq!(prompt.type_to_confirm.as_deref(), Some("us-west-2 DISCARD"));
    assert!(!prompt.discards.is_empty(), "{prompt:?}");
    assert!(
        prompt
            .calls
            .iter()
            .any(|p| p.call == "rds:PromoteReadReplica")
    );

    c.poll_once().await;
    let shown = screen(&c);
    assert!(shown.contains("┏ CONFIRM"), "{shown}");
    assert!(shown.contains(" scale-up: promote the database"), "{shown}");
    assert!(
        shown.contains("rds:PromoteReadReplica orders-db-replica (standby)"),
        "{shown}"
    );
    insta::assert_snapshot!("mid_failover_awaiting_promotion", shown);

    // Enter, navigation, refresh, pause and help keys confirm nothing.
    for code in [
        KeyCode::Enter,
        KeyCode::Enter,
        KeyCode::Char('j'),
        KeyCode::Tab,
        KeyCode::Char('r'),
        KeyCode::Char('?'),
        KeyCode::Char('?'),
        KeyCode::Enter,
    ] {
        c.press(code);
    }
    c.pump(60).await;
    assert_eq!(c.backend.count(), base, "no call before confirmation");

    // `y` asks for the region; a wrong name does not confirm.
    c.press(KeyCode::Char('y'));
    c.type_text("us-east-1");
    c.press(KeyCode::Enter);
    c.pump(60).await;
    assert_eq!(
        c.backend.count(),
        base,
        "the wrong region name confirms nothing"
    );
    assert!(
        c.audit().contains("confirm_refused"),
        "the refusal is audited"
    );

    // Nor does an empty name.
    c.press(KeyCode::Char('y'));
    c.press(KeyCode::Enter);
    c.pump(10).await;
    assert_eq!(c.backend.count(), base);

    // Nor does the region alone, without accepting the loss.
    c.press(KeyCode::Char('y'));
    c.type_text("us-west-2");
    c.press(KeyCode::Enter);
    c.pump(10).await;
    assert_eq!(
        c.backend.count(),
        base,
        "the loss must be accepted in words"
    );

    // The right phrase does.
    c.press(KeyCode::Char('y'));
    c.type_text("us-west-2 DISCARD");
    c.press(KeyCode::Enter);
    c.pump(2).await;
    let actions = c.backend.actions();
    assert!(
        actions
            .iter()
            .any(|a| matches!(a, Action::PromoteReplica { .. })),
        "{actions:?}"
    );
    let after_group = c.backend.count();
    assert!(
        c.audit().contains("\"user\":\"commander\""),
        "the confirmation names the user"
    );

    // The next mutating step (register targets) again waits for `y`; Enter does nothing.
    let prompt = confirm_prompt(c.until_question().await);
    assert_eq!(prompt.type_to_confirm, None);
    assert_eq!(
        c.backend.count(),
        after_group,
        "no call while the next step asks"
    );
    c.press(KeyCode::Enter);
    c.pump(30).await;
    assert_eq!(
        c.backend.count(),
        after_group,
        "Enter alone does not confirm"
    );
    c.press(KeyCode::Char('y'));
    c.pump(5).await;
    assert!(
        c.backend.count() > after_group,
        "y confirms a reversible step"
    );
}

#[tokio::test(start_paused = true)]
async fn read_only_makes_no_call_whatever_keys_are_pressed() {
    let mut c = console(true, None);
    let keys: Vec<KeyCode> = "xyYtsAaDLTS\n"
        .chars()
        .map(KeyCode::Char)
        .chain([KeyCode::Enter, KeyCode::Esc, KeyCode::Tab, KeyCode::Down])
        .chain("us-west-2".chars().map(KeyCode::Char))
        .chain([KeyCode::Enter])
        .collect();
    for _ in 0..3 {
        for k in &keys {
            c.press(*k);
        }
        c.pump(30).await;
    }
    assert_eq!(c.backend.count(), 0);
    assert!(c.app.run.is_none() && c.app.picker.is_none() && c.app.typing.is_none());
    assert!(c.event_loop.run.is_none());
    assert_eq!(c.audit(), "", "read-only writes no action to the audit log");
}

#[tokio::test(start_paused = true)]
async fn skip_needs_a_typed_reason_and_abort_stops_the_run() {
    let mut c = console(false, None);
    c.start("failover");
    let base = confirm_endpoint(&mut c).await;
    confirm_prompt(c.until_question().await);
    // An empty reason is refused: the step still waits.
    c.press(KeyCode::Char('s'));
    c.press(KeyCode::Enter);
    c.pump(5).await;
    assert!(
        c.app
            .run
            .as_ref()
            .and_then(|r| r.question.as_ref())
            .is_some()
    );
    // A reason typed with keys that are bindings elsewhere (q, r, y) is just text.
    c.press(KeyCode::Char('s'));
    c.type_text("drill: db stays, try yq");
    assert!(!c.app.should_quit);
    c.press(KeyCode::Enter);
    c.pump(5).await;
    let run = c.app.run.as_ref().expect("run");
    let children: Vec<_> = run.steps.iter().filter(|s| s.parent.is_some()).collect();
    assert_eq!(children.len(), 3, "promote, ASGs, services");
    for child in children {
        assert!(
            matches!(&child.status, StepStatus::Skipped { reason } if reason == "drill: db stays, try yq"),
            "{:?}",
            child.status
        );
    }
    assert!(c.audit().contains("drill: db stays, try yq"));
    assert_eq!(c.backend.count(), base, "a skipped step makes no call");
    // Abort at the next question.
    confirm_prompt(c.until_question().await);
    c.press(KeyCode::Char('A'));
    c.pump(5).await;
    let summary = c
        .app
        .run
        .as_ref()
        .and_then(|r| r.summary.clone())
        .expect("finished");
    assert!(
        matches!(summary.outcome, RunOutcome::Aborted { .. }),
        "{:?}",
        summary.outcome
    );
    assert_eq!(c.backend.count(), base);
}

#[tokio::test(start_paused = true)]
async fn a_run_cut_off_mid_failover_is_offered_and_resumed_without_repeats() {
    let mut c = console(false, None);
    c.start("failover");
    confirm_endpoint(&mut c).await;
    confirm_prompt(c.until_question().await);
    c.press(KeyCode::Char('y'));
    c.type_text("us-west-2 DISCARD");
    c.press(KeyCode::Enter);
    c.pump(1).await;
    // Run until the next question: the group is done.
    confirm_prompt(c.until_question().await);
    let promotions = |c: &Console| {
        c.backend
            .actions()
            .iter()
            .filter(|a| matches!(a, Action::PromoteReplica { .. }))
            .count()
    };
    assert_eq!(promotions(&c), 1);
    let before = c.backend.count();
    // The console dies here.
    let handle = c.event_loop.run.take().expect("run");
    handle.task.abort();
    let _ = handle.task.await;
    let audit_before = c.audit();
    // A new console over the same estate and state directory offers to resume, first.
    let mut c = console(false, Some((c.sim, c.dir)));
    let unfinished = c.app.unfinished.clone().expect("unfinished run found");
    c.press(KeyCode::Char('x'));
    assert!(matches!(
        c.app.picker.as_ref().map(|p| &p.items[0]),
        Some(PickItem::Resume { run_id, .. }) if *run_id == unfinished.run_id
    ));
    c.press(KeyCode::Enter);
    assert!(
        c.audit().starts_with(&audit_before),
        "the audit log keeps every line"
    );
    let prompt = confirm_prompt(c.until_question().await);
    assert_eq!(
        prompt.step, "targets",
        "resumes at the step after the group"
    );
    assert_eq!(
        c.backend.count(),
        0,
        "nothing repeated (this console's backend counts anew)"
    );
    assert!(before > 0);
    c.press(KeyCode::Char('y'));
    c.pump(120).await;
    assert!(c.backend.count() > 0, "the resumed run goes on");
    assert_eq!(promotions(&c), 0, "the promotion is not made again");
}

#[tokio::test(start_paused = true)]
async fn quitting_mid_run_leaves_it_resumable() {
    let c = console(false, None);
    let Console {
        mut app,
        mut event_loop,
        dir,
        ..
    } = c;
    let (input_tx, input_rx) = mpsc::unbounded_channel();
    event_loop.input = input_rx;
    let task = tokio::spawn(async move {
        let mut terminal =
            ratatui::Terminal::new(ratatui::backend::TestBackend::new(160, 48)).expect("terminal");
        event_loop.run(&mut terminal, &mut app).await.expect("loop");
        app
    });
    for code in [KeyCode::Char('x'), KeyCode::Enter] {
        input_tx.send(key(code)).expect("send");
    }
    tokio::time::sleep(Duration::from_secs(30)).await;
    // The first q only warns while a run is in progress.
    input_tx.send(key(KeyCode::Char('q'))).expect("send");
    tokio::time::sleep(Duration::from_secs(1)).await;
    assert!(!task.is_finished(), "one q does not quit during a run");
    input_tx.send(key(KeyCode::Char('q'))).expect("send");
    let app = task.await.expect("loop ends");
    assert!(app.run.is_some());
    tokio::time::sleep(Duration::from_secs(30)).await;
    let unfinished = Journal::find_unfinished(dir.path()).expect("journals");
    assert!(unfinished.is_some(), "the run is not aborted by quitting");
}

#[tokio::test(start_paused = true)]
async fn a_signal_quits_mid_run_at_once_and_leaves_it_resumable() {
    let c = console(false, None);
    let Console {
        mut app,
        mut event_loop,
        dir,
        ..
    } = c;
    let (input_tx, input_rx) = mpsc::unbounded_channel();
    event_loop.input = input_rx;
    let task = tokio::spawn(async move {
        let mut terminal =
            ratatui::Terminal::new(ratatui::backend::TestBackend::new(160, 48)).expect("terminal");
        event_loop.run(&mut terminal, &mut app).await.expect("loop");
        app
    });
    for code in [KeyCode::Char('x'), KeyCode::Enter] {
        input_tx.send(key(code)).expect("send");
    }
    tokio::time::sleep(Duration::from_secs(30)).await;
    // Unlike q, one signal is enough, even during a run.
    input_tx.send(Input::Signal).expect("send");
    let app = task.await.expect("loop ends");
    assert!(app.run.is_some());
    tokio::time::sleep(Duration::from_secs(30)).await;
    let unfinished = Journal::find_unfinished(dir.path()).expect("journals");
    assert!(unfinished.is_some(), "the run is not aborted by the signal");
}

#[tokio::test]
async fn sigint_sigterm_and_sighup_reach_the_loop_as_signal_inputs() {
    let (tx, mut rx) = mpsc::unbounded_channel();
    drconsole::console::forward_signals(tx).expect("signal handlers");
    let pid = std::process::id().to_string();
    for name in ["-INT", "-TERM", "-HUP"] {
        let status = std::process::Command::new("kill")
            .args([name, &pid])
            .status()
            .expect("kill");
        assert!(status.success());
        let input = tokio::time::timeout(Duration::from_secs(10), rx.recv())
            .await
            .expect("the signal arrives")
            .expect("open");
        assert!(matches!(input, Input::Signal), "{name}: {input:?}");
    }
}

/// A `check` that panics: the engine's task dies on the first step.
#[derive(Debug, serde::Serialize, serde::Deserialize)]
struct Boom {}

impl drconsole::runbook::steps::Kind for Boom {
    const NAME: &'static str = "check";
}

#[async_trait::async_trait]
impl drconsole::runbook::steps::StepKind for Boom {
    fn title(&self) -> String {
        "boom".into()
    }
    fn validate(&self, _: &drconsole::config::Estate) -> Result<(), String> {
        Ok(())
    }
    fn default_timeout(&self) -> Duration {
        Duration::from_secs(60)
    }
    async fn preflight(
        &self,
        _: &drconsole::runbook::steps::StepCx<'_>,
    ) -> Result<drconsole::runbook::plan::StepPlan, drconsole::runbook::StepError> {
        panic!("boom: a bug in a step kind")
    }
    async fn verify(
        &self,
        _: &drconsole::runbook::steps::StepCx<'_>,
    ) -> Result<drconsole::runbook::plan::Verdict, drconsole::runbook::StepError> {
        panic!("boom")
    }
}

#[tokio::test(start_paused = true)]
async fn a_run_whose_engine_dies_says_so_and_is_offered_for_resume() {
    let mut c = console(false, None);
    let mut registry = drconsole::runbook::steps::Registry::builtin();
    registry.add::<Boom>();
    c.event_loop.runner.as_mut().expect("runner").registry = Arc::new(registry);
    c.start("failover");
    c.pump(5).await;
    let view = c.app.run.as_ref().expect("the run's pane");
    assert!(
        view.crashed
            .as_deref()
            .is_some_and(|r| r.contains("the engine failed")),
        "{:?}",
        view.crashed
    );
    assert!(view.finished(), "no longer shown as running");
    assert!(c.event_loop.run.is_none());
    assert_eq!(c.backend.count(), 0);
    let shown = screen(&c);
    assert!(shown.contains("the run stopped"), "{shown}");
    // Its journal is offered first under `x`.
    c.press(KeyCode::Esc);
    c.press(KeyCode::Char('x'));
    let picker = c.app.picker.as_ref().expect("picker open");
    assert!(
        matches!(picker.items.first(), Some(PickItem::Resume { .. })),
        "{:?}",
        picker.items
    );
}

#[tokio::test(start_paused = true)]
async fn run_keys_switch_the_view_filter_and_search_the_log_and_never_confirm() {
    let mut c = console(false, None);
    c.poll_once().await;
    c.start("failover");
    let base = confirm_endpoint(&mut c).await;
    confirm_prompt(c.until_question().await);
    c.poll_once().await;
    assert!(c.app.run_view());
    assert!(
        screen(&c).contains(" v dashboard"),
        "the footer shows the run's keys"
    );
    // v: the full dashboard, and back.
    c.press(KeyCode::Char('v'));
    let shown = screen(&c);
    assert!(
        shown.contains("Replication") && shown.contains("ECS services"),
        "{shown}"
    );
    c.press(KeyCode::Char('v'));
    assert!(screen(&c).contains("┏ CONFIRM"));
    // f: the step being asked about, then the next steps, then all again.
    c.press(KeyCode::Char('f'));
    let run = c.app.run.as_ref().expect("run");
    assert_eq!(run.log.step.as_deref(), Some("scale-up"));
    assert!(
        screen(&c).contains("Live log · step scale-up"),
        "{}",
        screen(&c)
    );
    let steps = run.steps.len();
    let mut seen = Vec::new();
    for _ in 0..steps {
        c.press(KeyCode::Char('f'));
        match c.app.run.as_ref().expect("run").log.step.clone() {
            Some(s) => seen.push(s),
            None => break,
        }
    }
    assert_eq!(c.app.run.as_ref().expect("run").log.step, None, "{seen:?}");
    assert!(
        seen.contains(&"dns".to_string()),
        "the later steps come in turn: {seen:?}"
    );
    // /: what is typed searches; y and s typed there are text, not commands.
    c.press(KeyCode::Char('/'));
    c.type_text("promotereadreplica ys");
    c.press(KeyCode::Backspace);
    c.press(KeyCode::Backspace);
    c.press(KeyCode::Backspace);
    c.press(KeyCode::Enter);
    let run = c.app.run.as_ref().expect("run");
    assert_eq!(run.log.search.as_deref(), Some("promotereadreplica"));
    let shown = screen(&c);
    assert!(shown.contains("/promotereadreplica"), "{shown}");
    assert!(
        shown.contains(" 1 of "),
        "one line of the log matches\n{shown}"
    );
    // Esc clears the search, and leaves the question asked.
    c.press(KeyCode::Esc);
    let run = c.app.run.as_ref().expect("run");
    assert_eq!(run.log.search, None);
    assert!(run.question.is_some());
    c.pump(30).await;
    assert_eq!(
        c.backend.count(),
        base,
        "no key of the run view confirmed anything"
    );
}

#[tokio::test(start_paused = true)]
async fn the_picker_says_what_each_runbook_does_and_whether_it_can_start() {
    let mut c = console(false, None);
    c.poll_once().await;
    c.press(KeyCode::Char('x'));
    let picker = c.app.picker.as_ref().expect("picker");
    let info = |name: &str| {
        let i = picker
            .items
            .iter()
            .position(|i| *i == PickItem::Start(name.into()))
            .expect("listed");
        picker.info[i].clone()
    };
    let failover = info("failover");
    assert!(failover.description.is_some());
    assert!(failover.steps >= 9, "{failover:?}");
    assert_eq!(failover.irreversible, ["promote the standby replica"]);
    assert_eq!(failover.ready, Ok(()));
    let failback = info("failback");
    let why = failback.ready.expect_err("no reverse replica yet");
    assert!(why.contains("run reprotect first"), "{why}");
    let reprotect = info("reprotect");
    assert!(
        reprotect
            .ready
            .as_ref()
            .is_err_and(|w| w.contains("run failover first")),
        "{reprotect:?}"
    );
    let shown = screen(&c);
    assert!(
        shown.contains("IRREVERSIBLE: promote the standby replica"),
        "{shown}"
    );
    assert!(shown.contains("— run failover first"), "{shown}");
}

#[tokio::test(start_paused = true)]
async fn the_question_scrolls_within_what_the_screen_shows() {
    let mut c = console(false, None);
    c.start("failover");
    confirm_prompt(c.until_question().await);
    c.app.run.as_mut().expect("run").prompt_max = Some(3);
    for _ in 0..10 {
        c.press(KeyCode::Down);
    }
    assert_eq!(c.app.run.as_ref().expect("run").prompt_scroll, 3);
    c.press(KeyCode::Up);
    assert_eq!(c.app.run.as_ref().expect("run").prompt_scroll, 2);
    // Tab gives the keys to the log: Up now goes back in it.
    c.press(KeyCode::Tab);
    c.press(KeyCode::Up);
    let run = c.app.run.as_ref().expect("run");
    assert_eq!((run.prompt_scroll, run.log.scroll), (2, 1));
}

#[tokio::test(start_paused = true)]
async fn a_second_console_is_refused_and_follows_the_run_read_only() {
    let mut a = console(false, None);
    a.poll_once().await;
    a.start("failover");
    let prompt = confirm_prompt(a.until_question().await);
    assert_eq!(prompt.step, "endpoint");

    let mut b = console(false, None);
    b.event_loop.runner.as_mut().unwrap().state_dir = a.dir.path().to_path_buf();
    b.event_loop.runner.as_mut().unwrap().user = "second".into();
    b.poll_once().await;
    b.start("failover");
    // (Both consoles are in this one process: the claim first waits five seconds for what
    // could be a run of this process letting its lock go.)
    b.pump(8).await;
    let view = b.app.run.as_ref().expect("the run view says why");
    assert!(
        matches!(
            view.locked,
            Some(drconsole::runbook::lock::Refusal::Held { .. })
        ),
        "{:?}",
        view.locked
    );
    let text = screen(&b);
    assert!(text.contains("NOT STARTED: LOCK HELD"), "{text}");
    assert!(text.contains("running by commander@"), "{text}");
    assert!(text.contains("press y to follow"), "{text}");

    b.press(KeyCode::Char('y'));
    b.pump(3).await;
    let view = b.app.run.as_ref().expect("following");
    assert!(view.is_following());
    assert!(
        view.steps
            .iter()
            .any(|s| s.id == "endpoint" && s.status == StepStatus::AwaitingConfirmation),
        "{:?}",
        view.steps
    );
    assert!(screen(&b).contains("FOLLOWING · READ-ONLY"));
    // Nothing here decides for the holder.
    b.press(KeyCode::Char('y'));
    b.press(KeyCode::Char('A'));
    assert!(
        b.app
            .notice
            .as_ref()
            .is_some_and(|n| n.0.contains("read-only")),
        "{:?}",
        b.app.notice
    );
    assert_eq!(b.backend.count(), 0, "the follower calls nothing");

    // The holder goes on; the follower sees it.
    a.press(KeyCode::Char('y'));
    a.pump(2).await;
    b.pump(3).await;
    let view = b.app.run.as_ref().unwrap();
    assert!(
        view.steps
            .iter()
            .any(|s| s.id == "endpoint" && matches!(s.status, StepStatus::Done { .. })),
        "{:?}",
        view.steps
    );
    b.press(KeyCode::Esc);
    assert!(b.app.run.is_none(), "Esc stops following");
    assert!(b.event_loop.run.is_none());
}

#[tokio::test(start_paused = true)]
async fn a_resume_refused_by_the_lock_stays_offered() {
    let mut a = console(false, None);
    a.poll_once().await;
    a.start("failover");
    confirm_prompt(a.until_question().await);

    // A second console on the same state directory finds the run in progress unfinished
    // and offers to resume it: the lock is what keeps it from running twice.
    let mut b = console(false, None);
    b.event_loop.runner.as_mut().unwrap().state_dir = a.dir.path().to_path_buf();
    b.app.unfinished = Journal::find_unfinished(a.dir.path()).unwrap();
    assert!(b.app.unfinished.is_some());
    b.poll_once().await;
    b.press(KeyCode::Char('x'));
    let idx = b
        .app
        .picker
        .as_ref()
        .unwrap()
        .items
        .iter()
        .position(|i| matches!(i, PickItem::Resume { .. }))
        .expect("resume offered");
    for _ in 0..idx {
        b.press(KeyCode::Down);
    }
    b.press(KeyCode::Enter);
    b.pump(8).await;
    assert!(
        b.app.run.as_ref().is_some_and(|r| r.locked.is_some()),
        "refused by the lock"
    );
    assert_eq!(b.backend.count(), 0);
    assert!(
        b.app.unfinished.is_some(),
        "the run is still offered for resuming"
    );
}

#[tokio::test(start_paused = true)]
async fn an_expired_lease_is_taken_over_only_after_typing_its_holder() {
    use drconsole::runbook::lock::{Holder, Refusal};
    let mut c = console(false, None);
    c.poll_once().await;
    // The run view as a refusal by an expired DynamoDB lease leaves it.
    let mut holder = Holder::me("carol", "failover", "run-of-carol");
    holder.host = "laptop".into();
    holder.expires_at = Some(chrono::Utc::now() - chrono::Duration::seconds(90));
    let mut view = drconsole::app::RunView::new(1.0);
    view.started_as = Some(PickItem::Start("failover".into()));
    view.apply(drconsole::runbook::RunEvent::Locked(Refusal::Held {
        holder: Box::new(holder),
        expired: true,
        shared: true,
    }));
    c.app.run = Some(view);
    let text = screen(&c);
    assert!(text.contains("press t and type"), "{text}");

    c.press(KeyCode::Char('t'));
    assert!(matches!(
        c.app.typing,
        Some(drconsole::app::Typing::TakeOver(_))
    ));
    c.type_text("carol@laptop");
    assert!(screen(&c).contains("take over the run lock of (type user@host): carol@laptop_"));
    assert!(c.event_loop.run.is_none(), "nothing starts while typing");
    c.press(KeyCode::Enter);
    assert!(
        c.event_loop.run.is_some(),
        "the refused run is started again"
    );
    assert_eq!(
        c.event_loop.runner.as_ref().unwrap().lock.take_over,
        None,
        "the typed take-over was for that one start"
    );
    let prompt = confirm_prompt(c.until_question().await);
    assert_eq!(prompt.step, "endpoint", "the failover runs");
}

#[tokio::test(start_paused = true)]
async fn a_drill_marked_in_the_list_is_recorded_and_a_finding_typed_reaches_both_reports() {
    let mut c = console(false, None);
    c.press(KeyCode::Char('x'));
    // `d` marks the run a drill; twice is a real incident again; a third time a drill.
    for expect in [true, false, true] {
        c.press(KeyCode::Char('d'));
        assert_eq!(c.app.picker.as_ref().map(|p| p.drill), Some(expect));
    }
    let idx = c
        .app
        .picker
        .as_ref()
        .and_then(|p| {
            p.items
                .iter()
                .position(|i| *i == PickItem::Start("failover".into()))
        })
        .expect("failover listed");
    for _ in 0..idx {
        c.press(KeyCode::Down);
    }
    c.press(KeyCode::Enter);
    confirm_prompt(c.until_question().await);
    let run = c.app.run.as_ref().expect("run");
    assert!(run.drill, "the run view says DRILL");
    assert!(screen(&c).contains(" DRILL "), "{}", screen(&c));
    let run_id = run.run_id.clone();
    // A finding before the run has finished is refused: no typing starts.
    c.press(KeyCode::Char('n'));
    assert!(c.app.typing.is_none());
    c.press(KeyCode::Char('A'));
    c.pump(5).await;
    assert!(c.app.run.as_ref().is_some_and(|r| r.summary.is_some()));

    // The journal and the run's first audit line record the drill, as `--drill` does.
    let journal =
        Journal::load(&Journal::dir(c.dir.path()).join(format!("{run_id}.json"))).expect("journal");
    assert!(journal.drill);
    let started = c
        .audit()
        .lines()
        .find(|l| l.contains("\"run_started\"") && l.contains(&run_id))
        .map(str::to_string)
        .expect("run_started");
    assert!(started.contains("\"drill\":true"), "{started}");

    // `n`, a line typed with keys bound elsewhere (q, y, A, d), Enter.
    c.press(KeyCode::Char('n'));
    let text = "replica lag alarm paged late; quorum yes, d/A keys ok";
    c.type_text(text);
    assert!(!c.app.should_quit);
    assert!(
        screen(&c).contains("finding (one line, audited)"),
        "{}",
        screen(&c)
    );
    c.press(KeyCode::Enter);
    assert!(c.app.typing.is_none());
    let chore = c
        .event_loop
        .next_chore()
        .await
        .expect("the finding's answer");
    c.event_loop.apply_chore(chore, &mut c.app);
    assert_eq!(
        c.app.run.as_ref().map(|r| r.findings.clone()),
        Some(vec![text.to_string()])
    );
    let line = c
        .audit()
        .lines()
        .find(|l| l.contains("\"finding\""))
        .map(str::to_string)
        .expect("an audited finding");
    assert!(line.contains(text) && line.contains(&run_id), "{line}");
    let md_path = journal.report_path_in(c.dir.path());
    let md = std::fs::read_to_string(&md_path).expect("report.md");
    assert!(md.contains("- kind: drill"), "{md}");
    assert!(md.contains("## Findings") && md.contains(text), "{md}");
    let html = std::fs::read_to_string(md_path.with_extension("html")).expect("report.html");
    assert!(html.contains("class=\"banner drill\">DRILL</p>"), "{html}");
    assert!(
        html.contains("replica lag alarm paged late"),
        "the finding: {html}"
    );
    // The audit chain still verifies with the finding in it.
    let path = c.dir.path().join("audit.jsonl");
    let bytes = std::fs::read(&path).expect("audit log");
    let report = drconsole::runbook::audit::verify::verify_bytes(&path, &bytes, None);
    assert_eq!(
        report.verdict(),
        drconsole::runbook::audit::verify::Verdict::Intact,
        "{report:?}"
    );

    // An empty finding adds nothing.
    c.press(KeyCode::Char('n'));
    c.press(KeyCode::Enter);
    assert!(c.app.typing.is_none());
    assert!(
        c.app
            .notice
            .as_ref()
            .is_some_and(|(n, _)| n.contains("needs some text")),
        "{:?}",
        c.app.notice
    );
    assert_eq!(c.audit().matches("\"finding\"").count(), 1);
}

/// The built-in estate with `[coordination] approval = "irreversible"`: on the simulator the
/// requests and approvals are files under the state directory's approvals/.
fn estate_needing_approval() -> drconsole::config::Estate {
    let mut estate = built_in_estate();
    estate.coordination = Some(
        toml::from_str("table = \"drconsole-runs\"\napproval = \"irreversible\"\n")
            .expect("[coordination]"),
    );
    estate
}

fn promotions(c: &Console) -> usize {
    c.backend
        .actions()
        .iter()
        .filter(|a| matches!(a, Action::PromoteReplica { .. }))
        .count()
}

#[tokio::test(start_paused = true)]
async fn a_following_console_approves_the_waiting_step_and_the_promotion_happens_once() {
    // Operator A confirms the promotion; the step waits for another operator.
    let mut a = console_of(estate_needing_approval(), false, None);
    a.poll_once().await;
    a.start("failover");
    confirm_endpoint(&mut a).await;
    let prompt = confirm_prompt(a.until_question().await);
    let phrase = prompt.type_to_confirm.clone().expect("typed");
    a.press(KeyCode::Char('y'));
    a.type_text(&phrase);
    a.press(KeyCode::Enter);
    a.pump(2).await;
    let step = match a.until_question().await {
        Some(Question::Approval { wait, .. }) => wait.step,
        other => panic!("expected the approval wait, got {other:?}"),
    };
    assert_eq!(step, prompt.step);
    a.pump(30).await;
    assert_eq!(promotions(&a), 0, "nothing is promoted before the approval");
    assert!(a.audit().contains("approval_requested"), "{}", a.audit());
    let files = std::fs::read_dir(a.dir.path().join("approvals"))
        .map(|d| d.count())
        .unwrap_or(0);
    assert!(files > 0, "the request is a file under approvals/");

    // Operator B, on the same estate and state directory, is refused the run and follows it.
    let mut b = console_of(estate_needing_approval(), false, None);
    b.event_loop.runner.as_mut().expect("runner").state_dir = a.dir.path().to_path_buf();
    b.event_loop.runner.as_mut().expect("runner").user = "second".into();
    b.poll_once().await;
    b.start("failover");
    b.pump(8).await;
    b.press(KeyCode::Char('y'));
    b.pump(3).await;
    let view = b.app.run.as_ref().expect("following");
    assert!(view.is_following());
    match &view.question {
        Some(Question::Approval { wait, .. }) => {
            assert_eq!(wait.step, step);
            assert!(wait.requested_by.starts_with("commander@"), "{wait:?}");
            assert!(
                wait.plan
                    .iter()
                    .any(|l| l.contains("rds:PromoteReadReplica")),
                "the approver sees the plan A confirmed: {:?}",
                wait.plan
            );
        }
        other => panic!("the follower shows the request, got {other:?}"),
    }
    let shown = screen(&b);
    assert!(shown.contains("APPROVAL REQUESTED"), "{shown}");

    // A wrong step id approves nothing.
    b.press(KeyCode::Char('a'));
    b.type_text("no-such-step");
    b.press(KeyCode::Enter);
    b.pump(3).await;
    a.pump(6).await;
    assert_eq!(promotions(&a), 0, "a wrong id approves nothing");
    assert!(!b.audit().contains("approval_given"));

    // `a`, the step id, Enter: approved, audited on B's side.
    b.press(KeyCode::Char('a'));
    b.type_text(&step);
    b.press(KeyCode::Enter);
    b.pump(3).await;
    let given = b
        .audit()
        .lines()
        .find(|l| l.contains("\"approval_given\""))
        .map(str::to_string)
        .expect("approval_given audited");
    assert!(
        given.contains("\"user\":\"second\"") && given.contains("\"from\":\"console\""),
        "{given}"
    );

    // A's run reads the approval and goes on: the promotion, once.
    a.pump(10).await;
    assert_eq!(promotions(&a), 1, "{:?}", a.backend.actions());
    let audit = a.audit();
    assert_eq!(audit.matches("\"approval_granted\"").count(), 1, "{audit}");

    // Approving again from the follower changes nothing on A's side.
    b.press(KeyCode::Char('a'));
    b.type_text(&step);
    b.press(KeyCode::Enter);
    b.pump(3).await;
    a.pump(60).await;
    assert_eq!(a.audit().matches("\"approval_granted\"").count(), 1);
    assert_eq!(promotions(&a), 1, "the promotion happens once");
    assert_eq!(promotions(&b), 0, "the follower calls nothing");
}

//! The interactive console: the event loop that wires the app, the screen, the pollers and
//! the runbook engine together, and the terminal it runs in. Input, poll results, run events
//! and a one-second tick go into the app; the screen is redrawn only when something changed.
//! Nothing here waits on the network.

pub mod fleet;
mod input;
mod terminal;

use std::sync::Arc;
use std::time::{Duration, Instant};

use crossterm::event::KeyEventKind;
use futures::FutureExt;
use ratatui::Terminal;
use tokio::sync::mpsc;

use crate::app::keys::{self, Command};
use crate::app::{App, Effect, PickItem, RunView};
use crate::backend::sim::Simulator;
use crate::model::Scope;
use crate::poll::{PollControl, PollEvent, Reading};
use crate::runbook::{self, RunContext, RunEvent, RunHandle};
use crate::ui::theme::Theme;
pub use input::{Input, forward_signals, spawn_input_thread};
pub use terminal::run_interactive;

/// Everything the loop needs besides the app itself.
pub struct Loop {
    pub input: mpsc::UnboundedReceiver<Input>,
    pub polls: mpsc::UnboundedReceiver<PollEvent>,
    pub control: PollControl,
    pub simulator: Option<Arc<Simulator>>,
    /// How runs are started; `None` in read-only mode.
    pub runner: Option<RunContext>,
    /// The run in progress, if any.
    pub run: Option<RunHandle>,
    /// How the screen is styled.
    pub theme: Theme,
    /// The runbooks' evaluations as they are made (see [`crate::evaluate::schedule`]).
    pub evaluations: Option<mpsc::UnboundedReceiver<Vec<crate::model::Evaluation>>>,
    /// File work done off the UI thread on the operator's behalf, and its answers.
    pub chores: Chores,
}

/// File work the loop hands to a blocking task (a finding: an audit line and both reports
/// written again, which reads the whole audit log), and the answers it sends back.
pub struct Chores {
    tx: mpsc::UnboundedSender<Chore>,
    rx: mpsc::UnboundedReceiver<Chore>,
}

impl Default for Chores {
    fn default() -> Chores {
        let (tx, rx) = mpsc::unbounded_channel();
        Chores { tx, rx }
    }
}

/// What a chore answered.
#[derive(Debug)]
pub enum Chore {
    /// A finding was added to run `run_id`'s report, or why not.
    Finding {
        run_id: String,
        text: String,
        result: Result<(), String>,
    },
}

/// The next evaluation; never resolves when none are made.
async fn next_evaluation(
    rx: &mut Option<mpsc::UnboundedReceiver<Vec<crate::model::Evaluation>>>,
) -> Option<Vec<crate::model::Evaluation>> {
    match rx {
        Some(rx) => rx.recv().await,
        None => std::future::pending().await,
    }
}

/// The next event of the run in progress; never resolves when there is none.
async fn next_run_event(run: &mut Option<RunHandle>) -> Option<RunEvent> {
    match run {
        Some(handle) => handle.events.recv().await,
        None => std::future::pending().await,
    }
}

impl Loop {
    /// A poll reaches the screen, and runs: what a run says about a region it does not call
    /// (the failed primary, in a failover) is this last poll.
    fn apply_poll(&mut self, event: PollEvent, app: &mut App) {
        if let (
            Some(ctx),
            PollEvent::Finished {
                scope: Scope::Region(side),
                result,
                ..
            },
        ) = (&self.runner, &event)
        {
            let reading = match result {
                Ok(Reading::Region(r)) => Ok((**r).clone()),
                Ok(_) => Err("unexpected reading".to_string()),
                Err(e) => Err(e.to_string()),
            };
            ctx.readings.offer(*side, reading);
        }
        app.apply_poll(event);
    }

    /// Runs until the user quits. Generic over the terminal backend so benchmarks can drive it.
    pub async fn run<B: ratatui::backend::Backend>(
        mut self,
        terminal: &mut Terminal<B>,
        app: &mut App,
    ) -> color_eyre::Result<()>
    where
        B::Error: Send + Sync + 'static,
    {
        let mut tick = tokio::time::interval(Duration::from_secs(1));
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        if let Some(sim) = &self.simulator {
            app.faults = sim.faults();
        }
        loop {
            if app.dirty {
                app.now = Instant::now();
                // The question's room depends on the screen: `y` is refused on one too small.
                app.screen = terminal.size().ok().map(|s| (s.width, s.height));
                let mut drawn = crate::ui::Drawn::default();
                terminal.draw(|f| drawn = crate::ui::draw_measured(f, app, &self.theme))?;
                if let Some(run) = app.run.as_mut() {
                    run.prompt_max = drawn.prompt_max;
                }
                app.dirty = false;
            }
            if app.should_quit {
                self.leave_run_resumable();
                return Ok(());
            }
            tokio::select! {
                input = self.input.recv() => match input {
                    Some(input) => self.handle_input(input, app),
                    None => return Ok(()),
                },
                Some(event) = self.polls.recv() => self.apply_poll(event, app),
                event = next_run_event(&mut self.run) => match event {
                    Some(event) => self.apply_run_event(event, app),
                    // The engine is gone: its last event has been applied.
                    None => self.engine_gone(app),
                },
                Some(chore) = self.chores.rx.recv() => self.apply_chore(chore, app),
                Some(evaluations) = next_evaluation(&mut self.evaluations) => {
                    app.evaluated = Some((evaluations, Instant::now()));
                    app.dirty = true;
                }
                _ = tick.tick() => { app.dirty = true; }
            }
            // Take whatever else has already arrived before drawing once.
            while let Ok(event) = self.polls.try_recv() {
                self.apply_poll(event, app);
            }
            while let Some(Ok(event)) = self.run.as_mut().map(|h| h.events.try_recv()) {
                self.apply_run_event(event, app);
            }
            while let Ok(input) = self.input.try_recv() {
                self.handle_input(input, app);
            }
        }
    }

    /// Quitting mid-run must not read as an abort: the engine takes a closed command channel
    /// for one. Its sender is leaked instead, so the run simply stops with the process and its
    /// journal stays unfinished, to be offered for resuming at the next start.
    fn leave_run_resumable(&mut self) {
        if let Some(handle) = self.run.take() {
            std::mem::forget(handle.commands);
        }
    }

    pub fn apply_run_event(&mut self, event: RunEvent, app: &mut App) {
        let finished = matches!(event, RunEvent::Finished(_));
        app.run
            .get_or_insert_with(RunView::default)
            .apply_at(event, Instant::now());
        app.dirty = true;
        if finished {
            // The estate has just changed: read it again now.
            self.control.refresh_now();
        }
    }

    /// The run's events ended. A run that did not finish died (a panic, an error): the pane
    /// says so with the reason, and its journal is offered for resuming under `x`.
    pub fn engine_gone(&mut self, app: &mut App) {
        let Some(handle) = self.run.take() else {
            return;
        };
        let Some(view) = app.run.as_mut() else {
            return;
        };
        if view.locked.is_some() {
            // A resume refused by the run lock: the run is still there to resume later.
            if let Ok(journal) = crate::runbook::Journal::load(&handle.journal)
                && journal.outcome.is_none()
            {
                app.unfinished = Some(journal);
            }
            return;
        }
        if view.finished() {
            return;
        }
        let reason = match handle.task.now_or_never() {
            Some(Err(e)) if e.is_panic() => format!("the engine failed: {e}"),
            Some(Err(e)) => format!("the engine stopped: {e}"),
            _ => "the engine stopped without finishing the run".into(),
        };
        view.apply(RunEvent::Crashed { reason });
        // Read once, here, when it happens: the journal the run kept so far.
        if let Ok(journal) = crate::runbook::Journal::load(&handle.journal) {
            app.unfinished = Some(journal);
        }
        app.dirty = true;
    }

    pub fn handle_input(&mut self, input: Input, app: &mut App) {
        match input {
            Input::Resize(w, h) => {
                app.dirty = true;
                // At once: a key read before the next frame must not answer a question that
                // no longer fits.
                app.screen = Some((w, h));
            }
            Input::Closed | Input::Signal => app.should_quit = true,
            Input::Key(key) if key.kind != KeyEventKind::Release => {
                if app.typing.is_some() {
                    let effect = app.type_key(key);
                    self.perform(effect, app);
                    return;
                }
                let command = keys::lookup(&key, app.simulation, app.read_only);
                if app.picker.is_some() {
                    if let Some(command) = command {
                        let effect = app.pick_key(command);
                        self.perform(effect, app);
                    }
                    return;
                }
                let Some(command) = command else {
                    if app.show_help {
                        app.show_help = false;
                        app.dirty = true;
                    }
                    return;
                };
                if command == Command::Quit && app.run_active() && !app.quit_armed {
                    app.quit_armed = true;
                    app.set_notice(
                        format!(
                            "a run is in progress: press {} again to quit (it can be resumed later)",
                            keys::key_of(Command::Quit)
                        ),
                        Instant::now(),
                    );
                    return;
                }
                let effect = app.apply_command(command);
                self.perform(effect, app);
            }
            Input::Key(_) => {}
        }
    }

    fn perform(&mut self, effect: Option<Effect>, app: &mut App) {
        match effect {
            Some(Effect::Refresh) => {
                self.control.refresh_now();
                app.set_notice("refreshing both regions".into(), Instant::now());
            }
            Some(Effect::Pause(paused)) => {
                self.control.set_paused(paused);
                if !paused {
                    self.control.refresh_now();
                }
            }
            Some(Effect::Fault(fault)) => {
                if let Some(sim) = &self.simulator {
                    let on = sim.toggle(fault);
                    app.faults = sim.faults();
                    app.set_notice(
                        format!("fault {fault:?} {}", if on { "ON" } else { "off" }),
                        Instant::now(),
                    );
                }
            }
            Some(Effect::StartRun { item, drill }) => self.start_run(item, drill, app),
            Some(Effect::Finding { run_id, text }) => self.add_finding(run_id, text, app),
            Some(Effect::Run(command)) => {
                if let Some(handle) = &self.run {
                    let _ = handle.commands.send(command);
                }
            }
            Some(Effect::Follow(holder, shared)) => {
                if let Some(ctx) = &self.runner {
                    self.run = Some(runbook::lock::follow::start(ctx, *holder, shared));
                    app.run = Some(RunView::new(1.0));
                    app.dashboard_in_run = false;
                    app.dirty = true;
                }
            }
            Some(Effect::Unfollow) => {
                self.run = None;
                app.dirty = true;
            }
            Some(Effect::TakeOver(typed)) => {
                let item = app.run.as_ref().and_then(|r| r.started_as.clone());
                let drill = app.run.as_ref().is_some_and(|r| r.drill);
                if let (Some(item), Some(ctx)) = (item, self.runner.as_mut()) {
                    ctx.lock.take_over = Some(typed);
                    self.start_run(item, drill, app);
                    if let Some(ctx) = self.runner.as_mut() {
                        ctx.lock.take_over = None;
                    }
                }
            }
            None => {}
        }
    }

    /// Adds a finding on a blocking task: the answer comes back as a [`Chore`].
    fn add_finding(&mut self, run_id: String, text: String, app: &mut App) {
        let Some(ctx) = &self.runner else {
            app.set_notice("read-only: no finding can be added".into(), Instant::now());
            return;
        };
        let (state_dir, audit_path) = (ctx.state_dir.clone(), ctx.audit_path.clone());
        let tx = self.chores.tx.clone();
        app.set_notice(
            format!("adding the finding to {run_id}'s report…"),
            Instant::now(),
        );
        tokio::task::spawn_blocking(move || {
            let result = runbook::report::add_finding(&state_dir, &audit_path, &run_id, &text);
            let _ = tx.send(Chore::Finding {
                run_id,
                text,
                result,
            });
        });
    }

    /// The next chore's answer, once it comes (what the loop would apply next).
    pub async fn next_chore(&mut self) -> Option<Chore> {
        self.chores.rx.recv().await
    }

    pub fn apply_chore(&mut self, chore: Chore, app: &mut App) {
        match chore {
            Chore::Finding {
                run_id,
                text,
                result,
            } => {
                let shown = app.run.as_mut().filter(|r| r.run_id == run_id);
                match result {
                    Ok(()) => {
                        let n = match shown {
                            Some(run) => {
                                run.findings.push(text);
                                run.findings.len()
                            }
                            None => 1,
                        };
                        app.set_notice(
                            format!("finding {n} added to {run_id}'s report (md and html)"),
                            Instant::now(),
                        );
                    }
                    Err(e) => app.set_notice(format!("finding NOT added: {e}"), Instant::now()),
                }
            }
        }
    }

    fn start_run(&mut self, item: PickItem, drill: bool, app: &mut App) {
        let Some(mut ctx) = self.runner.clone() else {
            app.set_notice(
                "read-only: runbooks are not available".into(),
                Instant::now(),
            );
            return;
        };
        // As last read by the pollers: the engine refuses a live run on them, and records them.
        ctx.accounts = app.accounts();
        ctx.drill = drill;
        let pace = ctx.pace.scale;
        let picked = item.clone();
        let started = match item {
            PickItem::Start(name) => runbook::start(ctx, &name),
            PickItem::Resume { .. } => match app.unfinished.take() {
                Some(journal) => runbook::resume(ctx, journal),
                None => return,
            },
        };
        match started {
            Ok(handle) => {
                let mut view = RunView::new(pace);
                view.started_as = Some(picked);
                view.drill = drill;
                app.run = Some(view);
                app.dashboard_in_run = false;
                self.run = Some(handle);
            }
            Err(e) => app.set_notice(format!("cannot start: {e}"), Instant::now()),
        }
    }
}

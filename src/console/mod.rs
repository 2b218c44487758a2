//! The interactive console: the event loop that wires the app, the screen, the pollers and
//! the runbook engine together, and the terminal it runs in. Input, poll results, run events
//! and a one-second tick go into the app; the screen is redrawn only when something changed.
//! Nothing here waits on the network.

pub mod fleet;
mod input;
pub mod machinery;
mod terminal;

use std::sync::Arc;
use std::time::{Duration, Instant};

use crossterm::event::KeyEventKind;
use ratatui::Terminal;
use tokio::sync::mpsc;

use crate::app::App;
use crate::backend::sim::Simulator;
use crate::poll::{PollControl, PollEvent};
use crate::runbook::{RunContext, RunEvent, RunHandle};
use crate::ui::theme::Theme;
pub use input::{Input, forward_signals, spawn_input_thread};
use machinery::{Machinery, next_run_event};
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

impl Loop {
    /// The estate's run machinery, borrowed for one call.
    fn machinery(&mut self) -> Machinery<'_> {
        Machinery {
            control: &self.control,
            simulator: self.simulator.as_ref(),
            runner: &mut self.runner,
            run: &mut self.run,
            chores: Some(&self.chores.tx),
        }
    }

    /// A poll reaches the screen, and runs (see [`Machinery::offer_poll`]).
    fn apply_poll(&mut self, event: PollEvent, app: &mut App) {
        self.machinery().offer_poll(&event);
        app.apply_poll(event);
    }

    /// Runs until the user quits. Generic over the terminal backend so benchmarks can drive it.
    pub async fn run<B: ratatui::backend::Backend>(
        mut self,
        terminal: &mut Terminal<B>,
        app: &mut App,
    ) -> std::io::Result<()>
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
                terminal
                    .draw(|f| drawn = crate::ui::draw_measured(f, app, &self.theme))
                    .map_err(std::io::Error::other)?;
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

    fn leave_run_resumable(&mut self) {
        machinery::leave_run_resumable(&mut self.run);
    }

    pub fn apply_run_event(&mut self, event: RunEvent, app: &mut App) {
        self.machinery().apply_run_event(event, app);
    }

    /// The run's events ended (see [`Machinery::engine_gone`]).
    pub fn engine_gone(&mut self, app: &mut App) {
        self.machinery().engine_gone(app);
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
                self.machinery().key(key, app);
            }
            Input::Key(_) => {}
        }
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
}

//! One estate's run machinery, shared by the one-estate console and each estate of the fleet
//! console: keys to the estate's [`App`], the effects they ask for (start or resume a run,
//! confirm, follow another operator's run, take over an expired lease, a fault), the run's
//! events back into the app, and the polls the run is told about. The loops own the parts
//! (the run context, the run in progress); this borrows them for one call.

use std::sync::Arc;
use std::time::Instant;

use crossterm::event::KeyEvent;
use futures::FutureExt;

use crate::app::keys::{self, Command};
use crate::app::{App, Effect, PickItem, RunView};
use crate::backend::sim::Simulator;
use crate::model::Scope;
use crate::poll::{PollControl, PollEvent, Reading};
use crate::runbook::{self, RunContext, RunEvent, RunHandle};

/// The parts of one estate's console that runs need, borrowed from the loop that owns them.
pub struct Machinery<'a> {
    pub control: &'a PollControl,
    pub simulator: Option<&'a Arc<Simulator>>,
    /// How runs are started; `None` in read-only mode.
    pub runner: &'a mut Option<RunContext>,
    /// The run in progress, if any.
    pub run: &'a mut Option<RunHandle>,
    /// Where file work done off the UI thread answers (a finding); `None` where the loop
    /// keeps no chores.
    pub chores: Option<&'a tokio::sync::mpsc::UnboundedSender<super::Chore>>,
}

/// The next event of the run in progress; never resolves when there is none.
pub async fn next_run_event(run: &mut Option<RunHandle>) -> Option<RunEvent> {
    match run {
        Some(handle) => handle.events.recv().await,
        None => std::future::pending().await,
    }
}

/// Quitting mid-run must not read as an abort: the engine takes a closed command channel
/// for one. Its sender is leaked instead, so the run simply stops with the process and its
/// journal stays unfinished, to be offered for resuming at the next start.
pub fn leave_run_resumable(run: &mut Option<RunHandle>) {
    if let Some(handle) = run.take() {
        std::mem::forget(handle.commands);
    }
}

impl Machinery<'_> {
    /// What a run says about a region it does not call (the failed primary, in a failover)
    /// is the last poll of it.
    pub fn offer_poll(&self, event: &PollEvent) {
        if let (
            Some(ctx),
            PollEvent::Finished {
                scope: Scope::Region(side),
                result,
                ..
            },
        ) = (self.runner.as_ref(), event)
        {
            let reading = match result {
                Ok(Reading::Region(r)) => Ok((**r).clone()),
                Ok(_) => Err("unexpected reading".to_string()),
                Err(e) => Err(e.to_string()),
            };
            ctx.readings.offer(*side, reading);
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

    /// A key pressed on the estate's screen: typed text, the runbook list, or a command of
    /// the key table. `q` during a run asks again first.
    pub fn key(&mut self, key: KeyEvent, app: &mut App) {
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

    pub fn perform(&mut self, effect: Option<Effect>, app: &mut App) {
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
                if let Some(sim) = self.simulator {
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
                if let Some(handle) = self.run.as_ref() {
                    let _ = handle.commands.send(command);
                }
            }
            Some(Effect::Follow(holder, shared)) => {
                if let Some(ctx) = self.runner.as_ref() {
                    *self.run = Some(runbook::lock::follow::start(ctx, *holder, shared));
                    app.run = Some(RunView::new(1.0));
                    app.dashboard_in_run = false;
                    app.dirty = true;
                }
            }
            Some(Effect::Unfollow) => {
                *self.run = None;
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

    /// Adds a finding on a blocking task: the answer comes back as a [`super::Chore`].
    fn add_finding(&mut self, run_id: String, text: String, app: &mut App) {
        let (Some(ctx), Some(tx)) = (self.runner.as_ref(), self.chores) else {
            app.set_notice("no finding can be added here".into(), Instant::now());
            return;
        };
        let (state_dir, audit_path) = (ctx.state_dir.clone(), ctx.audit_path.clone());
        let tx = tx.clone();
        app.set_notice(
            format!("adding the finding to {run_id}'s report…"),
            Instant::now(),
        );
        tokio::task::spawn_blocking(move || {
            let result = runbook::report::add_finding(&state_dir, &audit_path, &run_id, &text);
            let _ = tx.send(super::Chore::Finding {
                run_id,
                text,
                result,
            });
        });
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
                *self.run = Some(handle);
            }
            Err(e) => app.set_notice(format!("cannot start: {e}"), Instant::now()),
        }
    }
}

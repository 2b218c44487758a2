//! An estate opened from the overview: its keys go to its own console (the one-estate run
//! machinery, [`Machinery`]); `Esc` with nothing of its own to close returns to the overview
//! while its run goes on; its run's events reach its app whether it is open or not.

use std::future::poll_fn;
use std::task::Poll;

use crossterm::event::{KeyCode, KeyEvent};

use super::FleetLoop;
use crate::app::App;
use crate::app::fleet::{BatchState, FleetApp};
use crate::app::keys::{self, Command};
use crate::console::machinery::Machinery;
use crate::runbook::{RunEvent, RunHandle};

/// The next event of any estate's run, with the estate; never resolves while none runs.
pub(super) async fn next_run_event(runs: &mut [Option<RunHandle>]) -> (usize, Option<RunEvent>) {
    poll_fn(|cx| {
        for (i, run) in runs.iter_mut().enumerate() {
            if let Some(handle) = run
                && let Poll::Ready(event) = handle.events.poll_recv(cx)
            {
                return Poll::Ready((i, event));
            }
        }
        Poll::Pending
    })
    .await
}

/// Whether `Esc` means something on the estate's own screen: closing the runbook list or
/// the help, cancelling what is typed, clearing the log's filter, or stopping following
/// another operator's run. Otherwise it returns to the overview.
fn esc_is_local(app: &App) -> bool {
    app.typing.is_some()
        || app.picker.is_some()
        || app.show_help
        || app.run.as_ref().is_some_and(|r| {
            (r.is_following() && !r.finished())
                || (app.run_view() && (r.log.step.is_some() || r.log.search.is_some()))
        })
}

impl FleetLoop {
    /// Estate `i`'s run machinery, borrowed for one call.
    pub(super) fn machinery(&mut self, i: usize) -> Machinery<'_> {
        if i >= self.runs.len() {
            self.runs.resize_with(i + 1, || None);
        }
        if i >= self.runners.len() {
            self.runners.resize_with(i + 1, || None);
        }
        Machinery {
            control: &self.control,
            simulator: self.simulators.get(i),
            runner: &mut self.runners[i],
            run: &mut self.runs[i],
            chores: None,
        }
    }

    pub(super) fn apply_run_event(
        &mut self,
        i: usize,
        event: Option<RunEvent>,
        fleet: &mut FleetApp,
    ) {
        let Some(app) = fleet.apps.get_mut(i) else {
            return;
        };
        let mut m = self.machinery(i);
        match event {
            Some(event) => m.apply_run_event(event, app),
            // The engine is gone: its last event has been applied.
            None => m.engine_gone(app),
        }
        fleet.dirty = true;
    }

    /// Every run event that has already arrived, of every estate.
    pub(super) fn pump_runs(&mut self, fleet: &mut FleetApp) {
        for i in 0..self.runs.len() {
            loop {
                let event = match self.runs[i].as_mut().map(|h| h.events.try_recv()) {
                    Some(Ok(event)) => Some(event),
                    Some(Err(tokio::sync::mpsc::error::TryRecvError::Disconnected)) => None,
                    _ => break,
                };
                let gone = event.is_none();
                self.apply_run_event(i, event, fleet);
                if gone {
                    break;
                }
            }
        }
    }

    /// A key on the open estate's screen.
    pub(super) fn estate_key(&mut self, i: usize, key: KeyEvent, fleet: &mut FleetApp) {
        let in_batch = matches!(
            fleet.batch.get(i),
            Some(Some(BatchState::Queued | BatchState::Running(_)))
        );
        let app = &mut fleet.apps[i];
        if key.code == KeyCode::Esc && !esc_is_local(app) {
            fleet.open = None;
            fleet.quit_armed = false;
            self.opened(fleet);
            return;
        }
        let command = keys::lookup(&key, app.simulation, app.read_only);
        let free = app.typing.is_none() && app.picker.is_none();
        if free && command == Some(Command::Quit) {
            self.quit(fleet);
            return;
        }
        fleet.quit_armed = false;
        // The evacuation's run of this estate holds its run lock: its own runbooks wait.
        if free && in_batch && command == Some(Command::Runbooks) {
            app.set_notice(
                "the evacuation is running this estate: its runbooks wait until it ends".into(),
                std::time::Instant::now(),
            );
            return;
        }
        self.machinery(i).key(key, app);
        // `Ctrl-C` while typing quits the one-estate console: here, the fleet console.
        if app.should_quit {
            app.should_quit = false;
            fleet.should_quit = true;
        }
    }

    /// Quits, asking again first while any estate's own run is in progress.
    pub(super) fn quit(&mut self, fleet: &mut FleetApp) {
        let running: Vec<&str> = fleet
            .apps
            .iter()
            .filter(|a| a.run_active())
            .map(|a| a.estate.name.as_str())
            .collect();
        if running.is_empty() || fleet.quit_armed {
            fleet.should_quit = true;
            return;
        }
        fleet.quit_armed = true;
        fleet.notice = Some(format!(
            "a run is in progress in {}: press q again to quit (it can be resumed later)",
            running.join(", ")
        ));
    }

    pub(super) fn leave_runs_resumable(&mut self) {
        for run in &mut self.runs {
            crate::console::machinery::leave_run_resumable(run);
        }
    }
}

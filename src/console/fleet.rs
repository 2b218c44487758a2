//! The console on several estates: the fleet overview, each estate's dashboard behind
//! `Enter`, and the evacuation of a region (`x`), whose runs go on in the background while
//! the overview shows each estate's progress.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};
use ratatui::Terminal;
use tokio::sync::{mpsc, watch};

use super::{Input, forward_signals, spawn_input_thread};
use crate::app::fleet::{BatchState, FleetApp};
use crate::app::keys::{self, Command};
use crate::backend::sim::Simulator;
use crate::poll::PollControl;
use crate::poll::fleet::FleetEvent;
use crate::runbook::api::ShownLoss;
use crate::runbook::batch::{BatchMember, BatchProgress, SharedOut, ShownLosses, run_batch};
use crate::runbook::headless::HeadlessOptions;
use crate::ui::theme::Theme;

pub struct FleetLoop {
    pub input: mpsc::UnboundedReceiver<Input>,
    pub polls: mpsc::UnboundedReceiver<FleetEvent>,
    pub control: PollControl,
    /// Each estate's simulator, in simulation (indexed like the estates).
    pub simulators: Vec<Arc<Simulator>>,
    /// The estates' backends, for an evacuation.
    pub members: Vec<BatchMember>,
    /// How an evacuation's runs are made (confirmed by the typed phrase).
    pub run_options: HeadlessOptions,
    pub concurrency: usize,
    pub theme: Theme,
    /// Tells the pollers which estate's dashboard is open (read whole, at once, then every
    /// cycle).
    pub open: Option<watch::Sender<Option<usize>>>,
    progress_tx: mpsc::UnboundedSender<BatchProgress>,
    progress: mpsc::UnboundedReceiver<BatchProgress>,
}

impl FleetLoop {
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        input: mpsc::UnboundedReceiver<Input>,
        polls: mpsc::UnboundedReceiver<FleetEvent>,
        control: PollControl,
        simulators: Vec<Arc<Simulator>>,
        members: Vec<BatchMember>,
        run_options: HeadlessOptions,
        concurrency: usize,
        theme: Theme,
    ) -> FleetLoop {
        let (progress_tx, progress) = mpsc::unbounded_channel();
        FleetLoop {
            input,
            polls,
            control,
            simulators,
            members,
            run_options,
            concurrency,
            theme,
            open: None,
            progress_tx,
            progress,
        }
    }

    /// The pollers' open-estate sender ([`crate::poll::fleet::spawn_fleet`]).
    pub fn with_open(mut self, open: watch::Sender<Option<usize>>) -> FleetLoop {
        self.open = Some(open);
        self
    }

    /// Tells the pollers which estate is open now.
    fn opened(&self, fleet: &FleetApp) {
        if let Some(tx) = &self.open {
            tx.send_if_modified(|o| {
                let changed = *o != fleet.open;
                *o = fleet.open;
                changed
            });
        }
    }

    /// Runs until the user quits. Generic over the terminal backend so tests can drive it.
    pub async fn run<B: ratatui::backend::Backend>(
        mut self,
        terminal: &mut Terminal<B>,
        fleet: &mut FleetApp,
    ) -> color_eyre::Result<()>
    where
        B::Error: Send + Sync + 'static,
    {
        let mut tick = tokio::time::interval(Duration::from_secs(1));
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            if fleet.dirty {
                let now = Instant::now();
                fleet.now = now;
                for a in &mut fleet.apps {
                    a.now = now;
                }
                let size = terminal.size().ok().map(|s| (s.width, s.height));
                if let Some(i) = fleet.open {
                    fleet.apps[i].screen = size;
                }
                terminal.draw(|f| crate::ui::fleet::draw(f, fleet, &self.theme))?;
                fleet.dirty = false;
            }
            if fleet.should_quit {
                return Ok(());
            }
            tokio::select! {
                input = self.input.recv() => match input {
                    Some(input) => self.handle_input(input, fleet),
                    None => return Ok(()),
                },
                Some(event) = self.polls.recv() => apply_poll(event, fleet),
                Some(p) = self.progress.recv() => apply_progress(p, fleet),
                _ = tick.tick() => { fleet.dirty = true; }
            }
            while let Ok(event) = self.polls.try_recv() {
                apply_poll(event, fleet);
            }
            while let Ok(p) = self.progress.try_recv() {
                apply_progress(p, fleet);
            }
        }
    }

    /// Applies the evacuation's progress that has arrived.
    pub fn pump_progress(&mut self, fleet: &mut FleetApp) {
        while let Ok(p) = self.progress.try_recv() {
            apply_progress(p, fleet);
        }
    }

    pub fn handle_input(&mut self, input: Input, fleet: &mut FleetApp) {
        match input {
            Input::Resize(..) => fleet.dirty = true,
            Input::Closed | Input::Signal => fleet.should_quit = true,
            Input::Key(key) if key.kind != KeyEventKind::Release => {
                self.key(key, fleet);
                fleet.dirty = true;
            }
            Input::Key(_) => {}
        }
    }

    fn key(&mut self, key: KeyEvent, fleet: &mut FleetApp) {
        let ctrl_c =
            key.code == KeyCode::Char('c') && key.modifiers.contains(KeyModifiers::CONTROL);
        if ctrl_c {
            fleet.should_quit = true;
            return;
        }
        if fleet.evacuation.is_some() {
            self.evacuation_key(key, fleet);
            return;
        }
        if fleet.filtering {
            match key.code {
                KeyCode::Char(c) => fleet.filter.push(c),
                KeyCode::Backspace => {
                    fleet.filter.pop();
                }
                KeyCode::Enter => fleet.filtering = false,
                KeyCode::Esc => {
                    fleet.filter.clear();
                    fleet.filtering = false;
                }
                _ => {}
            }
            fleet.selected = 0;
            return;
        }
        if let Some(i) = fleet.open {
            if key.code == KeyCode::Esc {
                fleet.open = None;
                self.opened(fleet);
                return;
            }
            let app = &mut fleet.apps[i];
            match keys::lookup(&key, app.simulation, true) {
                Some(Command::Quit) => fleet.should_quit = true,
                Some(Command::Refresh) => self.control.refresh_now(),
                Some(Command::Fault(fault)) => {
                    if let Some(sim) = self.simulators.get(i) {
                        sim.toggle(fault);
                        app.faults = sim.faults();
                    }
                }
                Some(
                    c @ (Command::Help
                    | Command::NextPanel
                    | Command::PrevPanel
                    | Command::Up
                    | Command::Down
                    | Command::PageUp
                    | Command::PageDown
                    | Command::Top
                    | Command::Bottom),
                ) => {
                    let _ = app.apply_command(c);
                }
                _ => {}
            }
            return;
        }
        fleet.notice = None;
        match key.code {
            KeyCode::Char('q') => fleet.should_quit = true,
            KeyCode::Up | KeyCode::Char('k') => fleet.select(-1),
            KeyCode::Down | KeyCode::Char('j') => fleet.select(1),
            KeyCode::Enter => {
                fleet.open = fleet.selected_estate();
                self.opened(fleet);
            }
            KeyCode::Char('/') => fleet.filtering = true,
            KeyCode::Esc => fleet.filter.clear(),
            KeyCode::Char('r') => self.control.refresh_now(),
            KeyCode::Char('x') if fleet.read_only => {
                fleet.notice = Some("read-only: runbooks are not available".into());
            }
            KeyCode::Char('x') if fleet.batch_running() => {
                fleet.notice = Some("an evacuation is running".into());
            }
            KeyCode::Char('x') => {
                let offered = fleet.offer_evacuation().is_some();
                if !offered {
                    fleet.notice = Some("the selected estate's active region is not known".into());
                }
            }
            _ => {}
        }
    }

    fn evacuation_key(&mut self, key: KeyEvent, fleet: &mut FleetApp) {
        let confirmed = fleet.evacuation_confirmed();
        let Some(e) = fleet.evacuation.as_mut() else {
            return;
        };
        match key.code {
            KeyCode::Esc => fleet.evacuation = None,
            KeyCode::Backspace => {
                e.typed.pop();
            }
            KeyCode::Char(c) => e.typed.push(c),
            KeyCode::Enter if confirmed => {
                if let Some(e) = fleet.evacuation.take() {
                    self.start_evacuation(e.runbook, e.estates, e.shown, fleet);
                }
            }
            KeyCode::Enter => {
                let phrase = e.phrase();
                e.typed.clear();
                fleet.notice = Some(format!("not confirmed: type {phrase} exactly"));
            }
            _ => {}
        }
    }

    /// Every chosen estate's run, confirmed once by the typed phrase, in the background. The
    /// phrase accepts, per estate, the loss it showed: an estate whose loss at its promotion
    /// is unknown or larger stops there (its row and the batch report say why). Each estate's
    /// unfinished run is resumed, never abandoned: its lock is claimed before its journal is
    /// changed, and a run live on this machine keeps it.
    fn start_evacuation(
        &mut self,
        runbook: String,
        estates: Vec<usize>,
        shown: Vec<ShownLoss>,
        fleet: &mut FleetApp,
    ) {
        let members: Vec<BatchMember> = estates
            .iter()
            .filter_map(|i| self.members.get(*i).cloned())
            .collect();
        for (i, b) in fleet.batch.iter_mut().enumerate() {
            *b = estates.contains(&i).then_some(BatchState::Queued);
        }
        let mut opts = self.run_options.clone();
        opts.yes = true;
        opts.allow_irreversible = true;
        opts.new_run = false;
        let shown: ShownLosses = shown.into_iter().map(Some).collect();
        let sink: SharedOut = Arc::new(Mutex::new(Box::new(std::io::sink())));
        let (tx, mut rx) = mpsc::unbounded_channel();
        let forward = self.progress_tx.clone();
        // Progress arrives by position in the batch: map it back to the estate.
        tokio::spawn(async move {
            while let Some(p) = rx.recv().await {
                let at = |i: usize| estates.get(i).copied().unwrap_or(usize::MAX);
                let p = match p {
                    BatchProgress::Started { estate } => {
                        BatchProgress::Started { estate: at(estate) }
                    }
                    BatchProgress::Line { estate, line } => BatchProgress::Line {
                        estate: at(estate),
                        line,
                    },
                    BatchProgress::Finished { estate, code } => BatchProgress::Finished {
                        estate: at(estate),
                        code,
                    },
                };
                if forward.send(p).is_err() {
                    return;
                }
            }
        });
        let concurrency = self.concurrency;
        let control = self.control.clone();
        tokio::spawn(async move {
            run_batch(members, shown, &runbook, opts, concurrency, sink, Some(tx)).await;
            control.refresh_now();
        });
        fleet.notice = Some("evacuation started".into());
    }
}

/// A poll reaches its estate's dashboard.
pub fn apply_poll(event: FleetEvent, fleet: &mut FleetApp) {
    fleet.apply_poll(event);
}

/// An evacuation's progress reaches the overview.
pub fn apply_progress(p: BatchProgress, fleet: &mut FleetApp) {
    let (estate, state) = match p {
        BatchProgress::Started { estate } => (estate, BatchState::Running("starting".into())),
        BatchProgress::Line { estate, line } => {
            (estate, BatchState::Running(line.trim().to_string()))
        }
        BatchProgress::Finished { estate, code } => (estate, BatchState::Done(code)),
    };
    if let Some(slot) = fleet.batch.get_mut(estate) {
        *slot = Some(state);
        fleet.dirty = true;
    }
}

/// Runs the fleet console on the process's terminal, giving it back however it ends.
pub async fn run_fleet_interactive(
    event_loop: FleetLoop,
    input: mpsc::UnboundedSender<Input>,
    fleet: &mut FleetApp,
) -> color_eyre::Result<()> {
    forward_signals(input.clone())?;
    let mut terminal = ratatui::init();
    spawn_input_thread(input);
    let result = event_loop.run(&mut terminal, fleet).await;
    ratatui::restore();
    result
}

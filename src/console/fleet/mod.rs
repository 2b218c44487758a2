//! The console on several estates: the fleet overview, each estate's own console behind
//! `Enter` (its runbooks, confirmations, run view and follow mode, with the one-estate
//! console's run machinery), and the evacuation of a region (`x`), whose runs go on in the
//! background while the overview shows each estate's progress.

mod estate;
mod evacuate;
mod reask;

use std::sync::Arc;
use std::time::{Duration, Instant};

use crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};
use ratatui::Terminal;
use tokio::sync::{mpsc, watch};

use super::{Input, forward_signals, spawn_input_thread};
use crate::app::fleet::FleetApp;
use crate::backend::sim::Simulator;
use crate::poll::PollControl;
use crate::poll::fleet::FleetEvent;
use crate::runbook::batch::{BatchMember, BatchProgress};
use crate::runbook::headless::HeadlessOptions;
use crate::runbook::{RunContext, RunHandle};
use crate::ui::theme::Theme;
use evacuate::PlanMsg;

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
    /// How each estate's own runs are started (as in its one-estate console); `None` (or
    /// missing) in read-only mode.
    pub runners: Vec<Option<RunContext>>,
    /// Each estate's own run in progress: it goes on while the overview is shown.
    pub runs: Vec<Option<RunHandle>>,
    progress_tx: mpsc::UnboundedSender<BatchProgress>,
    progress: mpsc::UnboundedReceiver<BatchProgress>,
    plans_tx: mpsc::UnboundedSender<PlanMsg>,
    plans: mpsc::UnboundedReceiver<PlanMsg>,
    /// Which offer of an evacuation the plans read belong to: a cancelled offer's are dropped.
    offer: u64,
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
        let (plans_tx, plans) = mpsc::unbounded_channel();
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
            runners: Vec::new(),
            runs: Vec::new(),
            progress_tx,
            progress,
            plans_tx,
            plans,
            offer: 0,
        }
    }

    /// The pollers' open-estate sender ([`crate::poll::fleet::spawn_fleet`]).
    pub fn with_open(mut self, open: watch::Sender<Option<usize>>) -> FleetLoop {
        self.open = Some(open);
        self
    }

    /// Each estate's run context (indexed like the estates; `None`: read-only).
    pub fn with_runners(mut self, runners: Vec<Option<RunContext>>) -> FleetLoop {
        self.runs = runners.iter().map(|_| None).collect();
        self.runners = runners;
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
    ) -> std::io::Result<()>
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
                let mut drawn = crate::ui::Drawn::default();
                if let Some(i) = fleet.open {
                    fleet.apps[i].screen = size;
                }
                terminal
                    .draw(|f| drawn = crate::ui::fleet::draw_measured(f, fleet, &self.theme))
                    .map_err(std::io::Error::other)?;
                if let Some(run) = fleet.open.and_then(|i| fleet.apps[i].run.as_mut()) {
                    run.prompt_max = drawn.prompt_max;
                }
                fleet.dirty = false;
            }
            if fleet.should_quit {
                self.leave_runs_resumable();
                return Ok(());
            }
            tokio::select! {
                input = self.input.recv() => match input {
                    Some(input) => self.handle_input(input, fleet),
                    None => return Ok(()),
                },
                Some(event) = self.polls.recv() => self.apply_poll(event, fleet),
                Some(p) = self.progress.recv() => self.apply_progress(p, fleet),
                Some(m) = self.plans.recv() => self.apply_plan(m, fleet),
                (i, event) = estate::next_run_event(&mut self.runs) => {
                    self.apply_run_event(i, event, fleet);
                }
                _ = tick.tick() => { fleet.dirty = true; }
            }
            while let Ok(event) = self.polls.try_recv() {
                self.apply_poll(event, fleet);
            }
            self.pump_progress(fleet);
        }
    }

    /// Applies what has arrived besides input and polls: the evacuation's progress, plans,
    /// and each estate's own run's events.
    pub fn pump_progress(&mut self, fleet: &mut FleetApp) {
        while let Ok(p) = self.progress.try_recv() {
            self.apply_progress(p, fleet);
        }
        while let Ok(m) = self.plans.try_recv() {
            self.apply_plan(m, fleet);
        }
        self.pump_runs(fleet);
    }

    /// A poll reaches its estate's dashboard, and its run.
    pub fn apply_poll(&mut self, event: FleetEvent, fleet: &mut FleetApp) {
        self.machinery(event.estate).offer_poll(&event.event);
        fleet.apply_poll(event);
    }

    pub fn handle_input(&mut self, input: Input, fleet: &mut FleetApp) {
        match input {
            Input::Resize(w, h) => {
                fleet.dirty = true;
                if let Some(i) = fleet.open {
                    fleet.apps[i].screen = Some((w, h));
                }
            }
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
        if fleet.reask_open && !fleet.reasks.is_empty() {
            self.reask_key(key, fleet);
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
            fleet.refiltered();
            return;
        }
        if let Some(i) = fleet.open {
            self.estate_key(i, key, fleet);
            return;
        }
        fleet.notice = None;
        if key.code != KeyCode::Char('q') {
            fleet.quit_armed = false;
        }
        match key.code {
            KeyCode::Char('q') => self.quit(fleet),
            KeyCode::Up | KeyCode::Char('k') => fleet.select(-1),
            KeyCode::Down | KeyCode::Char('j') => fleet.select(1),
            KeyCode::PageUp => fleet.page(-1),
            KeyCode::PageDown => fleet.page(1),
            KeyCode::Home | KeyCode::Char('g') => fleet.first(),
            KeyCode::End | KeyCode::Char('G') => fleet.last(),
            KeyCode::Enter => {
                fleet.open = fleet.selected_estate();
                if let Some(i) = fleet.open {
                    fleet.apps[i].dirty = true;
                }
                self.opened(fleet);
            }
            KeyCode::Char('/') => fleet.filtering = true,
            KeyCode::Esc => {
                fleet.filter.clear();
                fleet.refiltered();
            }
            KeyCode::Char('r') => self.control.refresh_now(),
            KeyCode::Char('d') if !fleet.reasks.is_empty() => fleet.reask_open = true,
            KeyCode::Char('x') => self.offer_evacuation(fleet),
            _ => {}
        }
    }
}

/// Runs the fleet console on the process's terminal, giving it back however it ends.
pub async fn run_fleet_interactive(
    event_loop: FleetLoop,
    input: mpsc::UnboundedSender<Input>,
    fleet: &mut FleetApp,
) -> std::io::Result<()> {
    forward_signals(input.clone())?;
    let mut terminal = ratatui::init();
    spawn_input_thread(input);
    let result = event_loop.run(&mut terminal, fleet).await;
    ratatui::restore();
    result
}

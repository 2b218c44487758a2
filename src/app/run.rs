//! The interactive event loop: input, poll results and a one-second tick go into the app;
//! the screen is redrawn only when something changed. Nothing here waits on the network.

use std::sync::Arc;
use std::time::{Duration, Instant};

use crossterm::event::{Event, KeyEvent, KeyEventKind};
use ratatui::Terminal;
use tokio::sync::mpsc;

use super::App;
use super::keys;
use super::update::Effect;
use crate::backend::sim::Simulator;
use crate::poll::{PollControl, PollEvent};

/// What the loop reacts to besides poll results.
#[derive(Debug, Clone)]
pub enum Input {
    Key(KeyEvent),
    Resize,
    /// The input source is gone.
    Closed,
}

/// Everything the loop needs besides the app itself.
pub struct Loop {
    pub input: mpsc::UnboundedReceiver<Input>,
    pub polls: mpsc::UnboundedReceiver<PollEvent>,
    pub control: PollControl,
    pub simulator: Option<Arc<Simulator>>,
}

impl Loop {
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
                terminal.draw(|f| crate::ui::draw(f, app))?;
                app.dirty = false;
            }
            if app.should_quit {
                return Ok(());
            }
            tokio::select! {
                input = self.input.recv() => match input {
                    Some(input) => self.handle_input(input, app),
                    None => return Ok(()),
                },
                Some(event) = self.polls.recv() => app.apply_poll(event),
                _ = tick.tick() => { app.dirty = true; }
            }
            // Take whatever else has already arrived before drawing once.
            while let Ok(event) = self.polls.try_recv() {
                app.apply_poll(event);
            }
            while let Ok(input) = self.input.try_recv() {
                self.handle_input(input, app);
            }
        }
    }

    pub fn handle_input(&mut self, input: Input, app: &mut App) {
        match input {
            Input::Resize => app.dirty = true,
            Input::Closed => app.should_quit = true,
            Input::Key(key) if key.kind != KeyEventKind::Release => {
                let Some(command) = keys::lookup(&key, app.simulation) else {
                    if app.show_help {
                        app.show_help = false;
                        app.dirty = true;
                    }
                    return;
                };
                match app.apply_command(command) {
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
                    None => {}
                }
            }
            Input::Key(_) => {}
        }
    }
}

/// Reads terminal events on a plain thread (crossterm's read blocks) and forwards them.
pub fn spawn_input_thread(tx: mpsc::UnboundedSender<Input>) {
    std::thread::spawn(move || {
        loop {
            if tx.is_closed() {
                return;
            }
            match crossterm::event::poll(Duration::from_millis(250)) {
                Ok(true) => {
                    let input = match crossterm::event::read() {
                        Ok(Event::Key(k)) => Input::Key(k),
                        Ok(Event::Resize(..)) => Input::Resize,
                        Ok(_) => continue,
                        Err(_) => Input::Closed,
                    };
                    let closed = matches!(input, Input::Closed);
                    if tx.send(input).is_err() || closed {
                        return;
                    }
                }
                Ok(false) => {}
                Err(_) => {
                    let _ = tx.send(Input::Closed);
                    return;
                }
            }
        }
    });
}

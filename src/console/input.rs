//! Where the loop's input comes from: the terminal (read on a plain thread, since crossterm's
//! read blocks) and the process signals that ask the console to stop.

use std::time::Duration;

use crossterm::event::{Event, KeyEvent};
use tokio::signal::unix::{SignalKind, signal};
use tokio::sync::mpsc;

/// What the loop reacts to besides poll results.
#[derive(Debug, Clone)]
pub enum Input {
    Key(KeyEvent),
    /// The terminal's new size: columns, rows.
    Resize(u16, u16),
    /// The input source is gone.
    Closed,
    /// SIGINT, SIGTERM or SIGHUP: quit now, as a second `q` would. A run in progress is left
    /// resumable, and the terminal is given back on the way out.
    Signal,
}

/// Reads terminal events on a plain thread and forwards them.
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
                        Ok(Event::Resize(w, h)) => Input::Resize(w, h),
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

/// Turns SIGINT, SIGTERM and SIGHUP into [`Input::Signal`]. The handlers are installed before
/// this returns (from then on these signals no longer kill the process outright), so a signal
/// sent afterwards is never lost. Must be called within a tokio runtime.
pub fn forward_signals(tx: mpsc::UnboundedSender<Input>) -> std::io::Result<()> {
    let mut interrupt = signal(SignalKind::interrupt())?;
    let mut terminate = signal(SignalKind::terminate())?;
    let mut hangup = signal(SignalKind::hangup())?;
    tokio::spawn(async move {
        loop {
            tokio::select! {
                Some(()) = interrupt.recv() => {}
                Some(()) = terminate.recv() => {}
                Some(()) = hangup.recv() => {}
                else => return,
            }
            if tx.send(Input::Signal).is_err() {
                return;
            }
        }
    });
    Ok(())
}

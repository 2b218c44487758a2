//! Where the loop's input comes from: the terminal, read on a plain thread (crossterm's read
//! blocks).

use std::time::Duration;

use crossterm::event::{Event, KeyEvent};
use tokio::sync::mpsc;

/// What the loop reacts to besides poll results.
#[derive(Debug, Clone)]
pub enum Input {
    Key(KeyEvent),
    Resize,
    /// The input source is gone.
    Closed,
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

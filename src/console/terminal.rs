//! The real terminal: taken over for the loop and given back however the loop ends.

use tokio::sync::mpsc;

use super::{App, Input, Loop, forward_signals, spawn_input_thread};

/// Runs the loop on the process's terminal until the user quits, the input closes, or a
/// SIGINT/SIGTERM/SIGHUP arrives; in every case the terminal leaves raw mode and the alternate
/// screen before this returns. `input` is the sending side of `event_loop.input`.
///
/// A panic restores the terminal too: `ratatui::init` installs a panic hook that restores it
/// and then calls the hook installed before (color-eyre's), which prints the report.
pub async fn run_interactive(
    event_loop: Loop,
    input: mpsc::UnboundedSender<Input>,
    app: &mut App,
) -> std::io::Result<()> {
    // Installed before raw mode, so that no signal can leave the terminal raw.
    forward_signals(input.clone())?;
    let mut terminal = ratatui::init();
    spawn_input_thread(input);
    let result = event_loop.run(&mut terminal, app).await;
    ratatui::restore();
    result
}

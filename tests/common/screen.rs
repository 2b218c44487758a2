//! Renders the whole dashboard on a 160x48 test terminal and returns it as text.
#![allow(dead_code)]

use drconsole::app::App;
use drconsole::ui::theme::Theme;
use ratatui::Terminal;
use ratatui::backend::TestBackend;

pub const W: u16 = 160;
pub const H: u16 = 48;

pub fn render(app: &App) -> String {
    let mut terminal = Terminal::new(TestBackend::new(W, H)).expect("terminal");
    terminal
        .draw(|f| drconsole::ui::draw(f, app, &Theme::dark()))
        .expect("draw");
    let buffer = terminal.backend().buffer().clone();
    let mut out = String::new();
    for y in 0..H {
        let mut line = String::new();
        for x in 0..W {
            line.push_str(buffer[(x, y)].symbol());
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

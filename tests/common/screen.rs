//! Renders the whole screen on a test terminal and returns it as text.
#![allow(dead_code)]

use drconsole::app::App;
use drconsole::ui::theme::Theme;
use ratatui::Terminal;
use ratatui::backend::TestBackend;

pub const W: u16 = 160;
pub const H: u16 = 48;

/// The sizes the console is designed for: a laptop over SSH, a half screen, a large screen.
pub const SIZES: [(u16, u16); 3] = [(80, 24), (120, 40), (200, 60)];

pub fn render(app: &App) -> String {
    render_at(app, W, H)
}

/// The screen at `w`×`h`, each row's trailing blanks trimmed.
pub fn render_at(app: &App, w: u16, h: u16) -> String {
    let mut out = String::new();
    for row in cells_at(app, w, h) {
        out.push_str(row.concat().trim_end());
        out.push('\n');
    }
    out
}

/// The screen at `w`×`h`, cell by cell.
pub fn cells_at(app: &App, w: u16, h: u16) -> Vec<Vec<String>> {
    let mut terminal = Terminal::new(TestBackend::new(w, h)).expect("terminal");
    terminal
        .draw(|f| drconsole::ui::draw(f, app, &Theme::dark()))
        .expect("draw");
    let buffer = terminal.backend().buffer().clone();
    (0..h)
        .map(|y| {
            (0..w)
                .map(|x| buffer[(x, y)].symbol().to_string())
                .collect()
        })
        .collect()
}

/// Replaces every `HH:MM:SS` with `hh:mm:ss`.
pub fn mask_clock_times(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < chars.len() {
        let is_time = i + 8 <= chars.len()
            && chars[i..i + 8].iter().enumerate().all(|(k, c)| {
                if k == 2 || k == 5 {
                    *c == ':'
                } else {
                    c.is_ascii_digit()
                }
            });
        if is_time {
            out.push_str("hh:mm:ss");
            i += 8;
        } else {
            out.push(chars[i]);
            i += 1;
        }
    }
    out
}

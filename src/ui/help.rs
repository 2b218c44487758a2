//! The help overlay, generated from the key table.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph};

use super::theme::Theme;
use crate::app::App;
use crate::app::keys::BINDINGS;

pub fn draw(frame: &mut Frame, area: Rect, app: &App, theme: &Theme) {
    let t = theme;
    let bindings: Vec<_> = BINDINGS
        .iter()
        .filter(|b| b.available(app.simulation, app.read_only))
        .collect();
    // On a short screen, each key with its footer word, in two columns.
    let rows: Vec<Line> = if bindings.len() as u16 + 4 > area.height {
        let half = bindings.len().div_ceil(2);
        (0..half)
            .map(|i| {
                let mut spans = Vec::new();
                for b in [bindings.get(i), bindings.get(i + half)]
                    .into_iter()
                    .flatten()
                {
                    spans.push(Span::styled(format!(" {:<14}", b.label()), t.focus));
                    spans.push(Span::styled(format!("{:<22}", b.hint), t.text));
                }
                Line::from(spans)
            })
            .collect()
    } else {
        bindings
            .iter()
            .map(|b| {
                Line::from(vec![
                    Span::styled(format!(" {:<16}", b.label()), t.focus),
                    Span::styled(b.help, t.text),
                ])
            })
            .collect()
    };
    let height = (rows.len() as u16 + 4).min(area.height);
    let width = 84.min(area.width);
    let [_, mid, _] = Layout::vertical([
        Constraint::Fill(1),
        Constraint::Length(height),
        Constraint::Fill(1),
    ])
    .areas(area);
    let [_, popup, _] = Layout::horizontal([
        Constraint::Fill(1),
        Constraint::Length(width),
        Constraint::Fill(1),
    ])
    .areas(mid);
    frame.render_widget(Clear, popup);
    let mut lines = rows;
    lines.push(Line::from(Span::styled(
        " any key closes this help",
        t.muted,
    )));
    frame.render_widget(
        Paragraph::new(lines).block(
            Block::default()
                .borders(Borders::ALL)
                .border_style(t.focus)
                .title(Span::styled(" keys ", t.title)),
        ),
        popup,
    );
}

//! Footer: the most useful keys, or the latest notice.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use crate::app::App;

pub fn draw(frame: &mut Frame, area: Rect, app: &App) {
    let t = &app.theme;
    let line = match &app.notice {
        Some((text, at)) if app.now.saturating_duration_since(*at).as_secs() < 5 => {
            Line::from(Span::styled(format!(" {text}"), t.warning))
        }
        _ => {
            let mut spans = Vec::new();
            let keys: &[(&str, &str)] = if app.simulation {
                &[
                    ("?", "help"),
                    ("Tab", "panel"),
                    ("↑↓", "scroll"),
                    ("r", "refresh"),
                    ("p", "pause"),
                    ("D/L/T/S", "faults"),
                    ("q", "quit"),
                ]
            } else {
                &[
                    ("?", "help"),
                    ("Tab", "panel"),
                    ("↑↓", "scroll"),
                    ("r", "refresh"),
                    ("p", "pause"),
                    ("q", "quit"),
                ]
            };
            for (k, what) in keys {
                spans.push(Span::styled(format!(" {k}"), t.focus));
                spans.push(Span::styled(format!(" {what} "), t.muted));
            }
            Line::from(spans)
        }
    };
    frame.render_widget(Paragraph::new(line), area);
}

//! Footer: the most useful keys, or the latest notice.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::theme::Theme;
use crate::app::App;

pub fn draw(frame: &mut Frame, area: Rect, app: &App, theme: &Theme) {
    let t = theme;
    let line = match &app.notice {
        Some((text, at)) if app.now.saturating_duration_since(*at).as_secs() < 5 => {
            Line::from(Span::styled(format!(" {text}"), t.warning))
        }
        _ => {
            let mut spans = Vec::new();
            let waiting = app.run.as_ref().and_then(|r| r.question.as_ref());
            let keys: &[(&str, &str)] = if app.typing.is_some() {
                &[
                    ("Enter", "submit"),
                    ("Esc", "cancel"),
                    ("Backspace", "erase"),
                ]
            } else if let Some(q) = waiting {
                match q {
                    crate::app::Question::Confirm(_) => &[
                        ("y", "confirm"),
                        ("s", "skip"),
                        ("A", "abort"),
                        ("?", "help"),
                        ("Tab", "panel"),
                        ("q", "quit"),
                    ],
                    crate::app::Question::Decide { .. } => &[
                        ("t", "retry"),
                        ("s", "skip"),
                        ("A", "abort"),
                        ("?", "help"),
                        ("q", "quit"),
                    ],
                }
            } else if app.simulation && !app.read_only {
                &[
                    ("?", "help"),
                    ("x", "runbooks"),
                    ("Tab", "panel"),
                    ("↑↓", "scroll"),
                    ("r", "refresh"),
                    ("p", "pause"),
                    ("D/L/T/S", "faults"),
                    ("q", "quit"),
                ]
            } else if !app.read_only {
                &[
                    ("?", "help"),
                    ("x", "runbooks"),
                    ("Tab", "panel"),
                    ("↑↓", "scroll"),
                    ("r", "refresh"),
                    ("p", "pause"),
                    ("q", "quit"),
                ]
            } else if app.simulation {
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

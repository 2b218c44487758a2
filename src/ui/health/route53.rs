//! The global health panel: where the DNS record points, and each Route 53 health check.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::fitted;
use crate::app::{App, FeedState, Panel};
use crate::ui;
use crate::ui::theme::Theme;

pub(super) fn draw_route53(frame: &mut Frame, area: Rect, app: &App, theme: &Theme) {
    let t = theme;
    let state = app.global_state();
    let block = ui::block(
        app,
        theme,
        Panel::Health,
        Line::from(Span::styled(" Route 53 ", t.title)),
        Some(ui::freshness(theme, state, app.global.age(app.now))),
    );
    let mut lines = Vec::new();
    if state == FeedState::Unreachable {
        lines.push(Line::from(Span::styled(
            format!(
                " UNREACHABLE: {}",
                app.global.error.as_deref().unwrap_or("")
            ),
            t.unreachable,
        )));
    }
    if let Some(g) = &app.global.data {
        match &g.dns {
            Some(Ok(d)) => lines.extend(ui::dns::lines(d, theme, state)),
            Some(Err(e)) => lines.push(Line::from(Span::styled(format!(" DNS: {e}"), t.critical))),
            None => {}
        }
        match &g.health_checks {
            Ok(checks) => {
                for c in checks {
                    let (mark, style) = match c.healthy {
                        Some(true) => ("healthy", t.healthy),
                        Some(false) => ("UNHEALTHY", t.critical),
                        None => ("no status", t.muted),
                    };
                    let detail = match &c.error {
                        Some(e) => e.clone(),
                        None => format!("{}/{} checkers ok", c.checkers_ok, c.checkers_total),
                    };
                    lines.push(Line::from(vec![
                        Span::styled(
                            format!(" {:<14}", c.label),
                            ui::data_style(theme, state, t.text),
                        ),
                        Span::styled(format!("{mark:<10}"), ui::data_style(theme, state, style)),
                        Span::styled(detail, t.muted),
                    ]));
                }
            }
            Err(e) => lines.push(Line::from(Span::styled(format!(" {e}"), t.critical))),
        }
    }
    let width = area.width.saturating_sub(2) as usize;
    frame.render_widget(Paragraph::new(fitted(lines, width)).block(block), area);
}

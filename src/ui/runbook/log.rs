//! The live log of the run, newest last.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use crate::app::RunView;
use crate::runbook::Level;
use crate::ui::theme::Theme;

use super::block;

pub(super) fn draw_log(frame: &mut Frame, area: Rect, theme: &Theme, run: &RunView) {
    let t = theme;
    let outer = block(
        theme,
        " Live log ".into(),
        Some(Span::styled(format!(" {} lines ", run.log.len()), t.muted)),
    );
    let inner = outer.inner(area);
    frame.render_widget(outer, area);
    let room = inner.height as usize;
    let end = run.log.len().saturating_sub(run.log_scroll);
    let start = end.saturating_sub(room);
    let active = run.active_step();
    let lines: Vec<Line> = run
        .log
        .range(start..end)
        .map(|l| {
            let style = match l.level {
                Level::Info if l.step.is_some() && l.step.as_deref() == active => t.focus,
                Level::Info => t.text,
                Level::Warn => t.warning,
                Level::Error => t.critical,
            };
            Line::from(vec![
                Span::styled(l.utc.format("%H:%M:%S ").to_string(), t.muted),
                Span::styled(l.to_string(), style),
            ])
        })
        .collect();
    frame.render_widget(Paragraph::new(lines), inner);
}

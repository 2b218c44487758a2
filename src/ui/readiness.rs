//! Standby readiness at a glance: the verdict and the checklist behind it.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::theme::Theme;
use crate::app::{App, FeedState, Panel};
use crate::model::Side;
use crate::readiness::{Check, Verdict};

pub fn draw(frame: &mut Frame, area: Rect, app: &App, theme: &Theme) {
    let t = theme;
    let readiness = app.readiness();
    let side = readiness.side.as_str().to_uppercase();
    let (verdict, style) = match readiness.verdict {
        Verdict::Ready => (format!("{side} READY"), t.healthy),
        Verdict::Degraded => (format!("{side} DEGRADED"), t.critical),
        Verdict::Unknown => (format!("{side} UNKNOWN"), t.warning),
    };
    // A verdict is only as good as the data behind it.
    let fresh =
        app.state_of(readiness.side) == FeedState::Fresh && app.global_state() == FeedState::Fresh;
    let (verdict, style) = if fresh {
        (format!(" {verdict} "), style)
    } else {
        (format!(" {verdict} · data not fresh "), t.stale)
    };
    let block = super::block(
        app,
        theme,
        Panel::Readiness,
        Line::from(Span::styled(
            if readiness.side == Side::Standby {
                " Standby readiness "
            } else {
                " Failback readiness "
            },
            t.title,
        )),
        Some(Span::styled(verdict, style)),
    );
    let lines: Vec<Line> = readiness
        .items
        .iter()
        .map(|i| {
            let (mark, style) = match i.check {
                Check::Pass => ("✔", t.healthy),
                Check::Warn => ("!", t.warning),
                Check::Fail => ("✘", t.critical),
                Check::Unknown => ("?", t.muted),
            };
            Line::from(vec![
                Span::styled(format!(" {mark} "), style),
                Span::styled(format!("{:<29}", i.label), t.text),
                Span::styled(i.detail.clone(), style),
            ])
        })
        .collect();
    frame.render_widget(Paragraph::new(lines).block(block), area);
}

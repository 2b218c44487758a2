//! Standby readiness at a glance: the verdict and the checklist behind it.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph};

use super::fit;
use super::theme::Theme;
use crate::app::{App, FeedState, Panel};
use crate::model::{Evaluation, Outcome, Side};
use crate::readiness::{Check, Item, Readiness, Verdict};

/// The panel's frame: its title (shortened when the verdict would not fit beside it) and the
/// verdict, marked when the data behind it is not fresh.
fn panel<'a>(app: &App, theme: &Theme, readiness: &Readiness, width: u16) -> Block<'a> {
    let t = theme;
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
    } else if fit::width(&verdict) + 20 <= width as usize {
        (format!(" {verdict} · data not fresh "), t.stale)
    } else {
        (format!(" {verdict} · stale "), t.stale)
    };
    let long = if readiness.side == Side::Standby {
        " Standby readiness "
    } else {
        " Failback readiness "
    };
    let room = (width as usize).saturating_sub(fit::width(&verdict) + 3);
    let title = [long, " Readiness ", ""]
        .into_iter()
        .find(|t| fit::width(t) <= room)
        .unwrap_or("");
    super::block(
        app,
        theme,
        Panel::Readiness,
        Line::from(Span::styled(title, t.title)),
        Some(Span::styled(verdict, style)),
    )
}

fn outcome_mark(theme: &Theme, outcome: Outcome) -> (&'static str, Style) {
    match outcome {
        Outcome::Passed => ("✔", theme.healthy),
        Outcome::ActionRequired => ("✘", theme.critical),
        Outcome::NotEvaluated => ("?", theme.muted),
    }
}

/// One line per evaluated runbook: `✘ failover  action required: database: … · 4m ago`.
fn evaluation_lines<'a>(
    theme: &Theme,
    evaluations: &[(Evaluation, std::time::Duration)],
    pad: usize,
    width: usize,
) -> Vec<Line<'a>> {
    evaluations
        .iter()
        .map(|(e, age)| {
            let (mark, style) = outcome_mark(theme, e.outcome);
            let spans = vec![
                Span::styled(format!(" {mark} "), style),
                Span::styled(
                    format!("{:<pad$}", fit::truncate(&e.runbook, pad.saturating_sub(1))),
                    theme.text,
                ),
                Span::styled(e.headline(), style),
                Span::styled(
                    format!(" · {}", crate::timefmt::age(Some(*age))),
                    theme.muted,
                ),
            ];
            Line::from(fit::truncate_spans(spans, width))
        })
        .collect()
}

fn mark(theme: &Theme, check: Check) -> (&'static str, Style) {
    let t = theme;
    match check {
        Check::Pass => ("✔", t.healthy),
        Check::Warn => ("!", t.warning),
        Check::Fail => ("✘", t.critical),
        Check::Unknown => ("?", t.muted),
    }
}

pub fn draw(frame: &mut Frame, area: Rect, app: &App, theme: &Theme) {
    let t = theme;
    let readiness = app.readiness();
    let block = panel(app, theme, &readiness, area.width);
    let width = block.inner(area).width as usize;
    // Labels in a column as wide as the longest, but never more than half the panel.
    let longest = readiness
        .items
        .iter()
        .map(|i| fit::width(&i.label))
        .max()
        .unwrap_or(0);
    let pad = (longest + 1).min(width / 2);
    let lines: Vec<Line> = readiness
        .items
        .iter()
        .map(|i| {
            let (mark, style) = mark(theme, i.check);
            let spans = vec![
                Span::styled(format!(" {mark} "), style),
                Span::styled(
                    format!("{:<pad$}", fit::truncate(&i.label, pad.saturating_sub(1))),
                    t.text,
                ),
                Span::styled(i.detail.clone(), style),
            ];
            Line::from(fit::truncate_spans(spans, width))
        })
        .collect();
    let mut lines = lines;
    lines.extend(evaluation_lines(theme, &app.evaluations(), pad, width));
    frame.render_widget(Paragraph::new(lines).block(block), area);
}

/// What is not passing, one line each, then how many pass.
pub fn draw_summary(frame: &mut Frame, area: Rect, app: &App, theme: &Theme) {
    let t = theme;
    let readiness = app.readiness();
    let block = panel(app, theme, &readiness, area.width);
    let inner = block.inner(area);
    let width = inner.width as usize;
    let rows = inner.height as usize;
    let not_passing: Vec<&Item> = readiness
        .items
        .iter()
        .filter(|i| i.check != Check::Pass)
        .collect();
    let passing = readiness.items.len() - not_passing.len();
    let mut lines: Vec<Line> = Vec::new();
    // The evaluations first: one line each, worth more than a passing count.
    let evaluations = app.evaluations();
    let rows = rows.saturating_sub(evaluations.len().min(rows / 2));
    let room = if passing > 0 {
        rows.saturating_sub(1)
    } else {
        rows
    };
    for (n, i) in not_passing.iter().enumerate() {
        if n + 1 == room && not_passing.len() > room {
            lines.push(Line::from(Span::styled(
                format!(" … {} more not passing", not_passing.len() - n),
                t.warning,
            )));
            break;
        }
        let (mark, style) = mark(theme, i.check);
        lines.push(Line::from(fit::truncate_spans(
            vec![
                Span::styled(format!(" {mark} "), style),
                Span::styled(format!("{}: ", i.label), t.text),
                Span::styled(i.detail.clone(), style),
            ],
            width,
        )));
    }
    if passing > 0 {
        lines.push(Line::from(vec![
            Span::styled(" ✔ ", t.healthy),
            Span::styled(
                if not_passing.is_empty() {
                    format!("all {passing} checks pass")
                } else {
                    format!("{passing} of {} pass", readiness.items.len())
                },
                t.text,
            ),
        ]));
    }
    let shown = evaluations.len().min(inner.height as usize / 2);
    let pad = evaluations
        .iter()
        .map(|(e, _)| fit::width(&e.runbook) + 1)
        .max()
        .unwrap_or(0);
    lines.extend(evaluation_lines(theme, &evaluations[..shown], pad, width));
    frame.render_widget(Paragraph::new(lines).block(block), area);
}

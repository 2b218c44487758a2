//! The live log of the run, newest last: a waiting step's one line with how long it has
//! waited; narrowed to one step (`f`) or to what a search (`/`) finds.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::{block, focused};
use crate::app::keys::{Command, key_of};
use crate::app::{App, LogEntry, RunPane, RunView, Typing};
use crate::runbook::report::secs;
use crate::runbook::{Level, StepStatus};
use crate::ui::fit;
use crate::ui::theme::Theme;

/// From this width each line also shows its UTC time.
const WITH_CLOCK: u16 = 70;
/// From this many rows, long lines wrap instead of being cut.
const WRAP_FROM: usize = 10;

pub(super) fn draw_log(frame: &mut Frame, area: Rect, app: &App, theme: &Theme, run: &RunView) {
    let t = theme;
    let typing = match &app.typing {
        Some(Typing::Search(text)) => Some(text.as_str()),
        _ => None,
    };
    let members = run
        .log
        .step
        .as_deref()
        .map(|s| run.members_of(s))
        .unwrap_or_default();
    let rows = area.height.saturating_sub(2) as usize;
    // Steps still waiting keep their line at the bottom, updated in place, with how long
    // they have waited so far; the rest of the log scrolls above them.
    let waiting: Vec<&str> = run
        .steps
        .iter()
        .filter(|s| matches!(s.status, StepStatus::Verifying))
        .map(|s| s.id.as_str())
        .collect();
    let query = typing.or(run.log.search.as_deref());
    let live: Vec<&LogEntry> = run
        .log
        .live(&waiting)
        .into_iter()
        .filter(|e| run.log.shows(e, &members, query))
        .take(rows / 2)
        .collect();
    let room = rows - live.len();
    let (mut shown, total) = run.log.visible(&members, typing, room + live.len());
    shown.retain(|e| !live.iter().any(|l| std::ptr::eq(*l, *e)));
    let skip = shown.len().saturating_sub(room);
    let shown: Vec<&LogEntry> = shown.into_iter().skip(skip).collect();
    let elapsed = run.elapsed(app.now);
    let mut title = vec![Span::styled(" Live log ", t.title)];
    if let Some(step) = &run.log.step {
        title.push(Span::styled(format!("· step {step} "), t.focus));
    }
    match (typing, &run.log.search) {
        (Some(text), _) => title.push(Span::styled(format!("· /{text}█ "), t.focus)),
        (None, Some(text)) => title.push(Span::styled(format!("· /{text} "), t.focus)),
        _ => {}
    }
    let filtered = run.log.step.is_some() || typing.is_some() || run.log.search.is_some();
    let count = if filtered {
        format!(" {total} of {} lines ", run.log.len())
    } else {
        format!(" {} lines ", run.log.len())
    };
    let mut outer = block(
        theme,
        Line::from(title),
        Some(Span::styled(count, t.muted)),
        focused(run, RunPane::Log),
    );
    if run.log.scroll > 0 {
        outer = outer.title_bottom(
            Line::from(Span::styled(
                format!(
                    " {} newer line(s) below · {} follows ",
                    run.log.scroll.min(total),
                    key_of(Command::Bottom)
                ),
                t.warning,
            ))
            .right_aligned(),
        );
    } else if filtered {
        outer = outer.title_bottom(
            Line::from(Span::styled(
                format!(" {} clears ", key_of(Command::Cancel)),
                t.muted,
            ))
            .right_aligned(),
        );
    }
    let inner = outer.inner(area);
    frame.render_widget(outer, area);
    let width = inner.width as usize;
    let clock = area.width >= WITH_CLOCK;
    let active = run.active_step();
    // A tall pane wraps long lines (the newest at the bottom); a short one cuts them, to keep
    // more lines in view.
    let mut lines: Vec<Line> = if room >= WRAP_FROM {
        let wrapped: Vec<Line> = shown
            .into_iter()
            .flat_map(|e| fit::wrap(&Line::from(spans(e, theme, active, clock)), width, 4))
            .collect();
        let skip = wrapped.len().saturating_sub(room);
        wrapped.into_iter().skip(skip).collect()
    } else {
        shown
            .into_iter()
            .map(|e| Line::from(fit::truncate_spans(spans(e, theme, active, clock), width)))
            .collect()
    };
    if !live.is_empty() {
        lines.resize(room, Line::default());
    }
    for e in live {
        let waited = match (e.waiting_since, elapsed) {
            (Some(since), Some(now)) => (now - since).max(0.0),
            _ => e.waited().unwrap_or_default(),
        };
        let step = e.line.step.as_deref().unwrap_or_default();
        let text = e
            .line
            .text
            .strip_prefix("waiting: ")
            .unwrap_or(&e.line.text);
        let s = vec![
            Span::styled(format!("⧗ {:>7} ", secs(waited)), t.warning),
            Span::styled(format!("{step}: {text}"), t.focus),
        ];
        lines.push(Line::from(fit::truncate_spans(s, width)));
    }
    frame.render_widget(Paragraph::new(lines), inner);
}

/// A log line's spans; a waiting line says how long the step waited, as of its latest reading.
fn spans<'a>(e: &LogEntry, theme: &Theme, active: Option<&str>, clock: bool) -> Vec<Span<'a>> {
    let t = theme;
    let l = &e.line;
    let style = match l.level {
        Level::Info if l.step.is_some() && l.step.as_deref() == active => t.focus,
        Level::Info => t.text,
        Level::Warn => t.warning,
        Level::Error => t.critical,
    };
    let mut spans = Vec::new();
    if clock {
        spans.push(Span::styled(l.utc.format("%H:%M:%S ").to_string(), t.muted));
    }
    spans.push(Span::styled(l.to_string(), style));
    if let Some(waited) = e.waited() {
        spans.push(Span::styled(format!(" · {}", secs(waited)), t.warning));
    }
    spans
}

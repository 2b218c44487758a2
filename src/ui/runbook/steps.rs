//! The run's steps with their state marks, the active one kept in view; the frame carries the
//! runbook's name, its state and the RTO clock.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::{block, clock, focused};
use crate::app::{App, RunPane, RunView};
use crate::runbook::{RunMode, RunOutcome, StepStatus};
use crate::ui::fit;
use crate::ui::theme::Theme;

fn status_mark(theme: &Theme, status: &StepStatus) -> (&'static str, Style) {
    let t = theme;
    match status {
        StepStatus::Pending => ("·", t.muted),
        StepStatus::Preflight => ("…", t.text),
        StepStatus::AwaitingConfirmation => ("?", t.warning),
        StepStatus::AwaitingApproval => ("⧗", t.warning),
        StepStatus::Running => ("▶", t.warning),
        StepStatus::Verifying => ("◔", t.warning),
        StepStatus::Done { .. } => ("✔", t.healthy),
        StepStatus::Failed { .. } => ("✘", t.critical),
        StepStatus::Skipped { .. } => ("↷", t.muted),
        StepStatus::DryRun { .. } => ("○", t.muted),
    }
}

/// The frame's tag: the run's state and its clock.
fn tag<'a>(app: &App, theme: &Theme, run: &RunView) -> Vec<Span<'a>> {
    let t = theme;
    let state = match (&run.summary, &run.crashed) {
        (Some(s), _) => match s.outcome {
            RunOutcome::Completed => Span::styled(" COMPLETED ", t.healthy),
            RunOutcome::Aborted { .. } => Span::styled(" ABORTED ", t.critical),
        },
        (None, Some(_)) => Span::styled(" STOPPED ", t.critical),
        (None, None) if run.locked.is_some() => {
            Span::styled(" NOT STARTED: LOCK HELD ", t.critical)
        }
        (None, None) if run.follow_over => Span::styled(" FOLLOWED: OVER ", t.muted),
        (None, None) if run.is_following() => Span::styled(" FOLLOWING · READ-ONLY ", t.warning),
        (None, None) => match run.mode {
            Some(RunMode::DryRun) => Span::styled(" DRY RUN ", t.warning),
            _ => Span::styled(" running ", t.warning),
        },
    };
    let mut spans = Vec::new();
    if run.drill {
        spans.push(Span::styled(" DRILL ", t.badge));
        spans.push(Span::raw(" "));
    }
    spans.push(state);
    spans.extend(clock::span(app, theme, run));
    spans
}

pub(super) fn draw_steps(frame: &mut Frame, area: Rect, app: &App, theme: &Theme, run: &RunView) {
    let t = theme;
    let tag = tag(app, theme, run);
    let tag_w: usize = tag.iter().map(|s| fit::width(&s.content)).sum();
    let room = (area.width as usize).saturating_sub(tag_w + 3);
    let resumed = if run.resumed { " (resumed)" } else { "" };
    let forms = [
        format!(" Runbook {}{resumed} · {} ", run.runbook, run.run_id),
        format!(" Runbook {}{resumed} ", run.runbook),
        format!(" {} ", run.runbook),
    ];
    let title = forms
        .iter()
        .find(|f| fit::width(f) <= room)
        .cloned()
        .unwrap_or_else(|| fit::truncate(&forms[2], room));
    let mut outer = block(
        theme,
        Line::from(Span::styled(title, t.title)),
        None,
        focused(run, RunPane::Steps),
    )
    .title_top(Line::from(tag).right_aligned());
    let inner = outer.inner(area);
    let width = inner.width as usize;
    let active = run.active_step();
    let lines: Vec<Line> = run
        .steps
        .iter()
        .map(|s| {
            let (mark, style) = status_mark(theme, &s.status);
            let indent = if s.parent.is_some() { "   " } else { " " };
            let mut spans = vec![
                Span::raw(indent),
                Span::styled(format!("{mark} "), style),
                Span::styled(
                    format!("{} ", s.title),
                    if active == Some(s.id.as_str()) {
                        t.focus
                    } else {
                        t.text
                    },
                ),
                Span::styled(s.status.label().to_string(), style),
            ];
            if s.optional {
                spans.push(Span::styled(" (optional)", t.muted));
            }
            if let Some(n) = s.status.note().filter(|n| !n.is_empty()) {
                spans.push(Span::styled(format!(": {n}"), t.muted));
            }
            Line::from(fit::truncate_spans(spans, width))
        })
        .collect();
    // Keep the active step in view, a little below the top, unless scrolled by hand.
    let rows = inner.height as usize;
    let max = lines.len().saturating_sub(rows);
    let pos = active
        .and_then(|a| run.steps.iter().position(|s| s.id == a))
        .unwrap_or(0);
    let first = run
        .steps_scroll
        .unwrap_or_else(|| pos.saturating_sub(rows.saturating_sub(1) / 3))
        .min(max);
    if max > 0 {
        outer = outer.title_bottom(
            Line::from(Span::styled(
                format!(
                    " steps {}–{} of {} ",
                    first + 1,
                    (first + rows).min(lines.len()),
                    lines.len()
                ),
                t.muted,
            ))
            .right_aligned(),
        );
    }
    frame.render_widget(outer, area);
    let shown: Vec<Line> = lines.into_iter().skip(first).take(rows).collect();
    frame.render_widget(Paragraph::new(shown), inner);
}

//! The run's steps with their state marks, and the question the engine waits on beneath them.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};

use crate::app::{App, RunView};
use crate::runbook::{RunMode, RunOutcome, StepStatus};
use crate::ui::theme::Theme;

use super::block;
use super::question::question_lines;

fn status_mark(theme: &Theme, status: &StepStatus) -> (&'static str, Style) {
    let t = theme;
    match status {
        StepStatus::Pending => ("·", t.muted),
        StepStatus::Preflight => ("…", t.text),
        StepStatus::AwaitingConfirmation => ("?", t.warning),
        StepStatus::Running => ("▶", t.warning),
        StepStatus::Verifying => ("◔", t.warning),
        StepStatus::Done { .. } => ("✔", t.healthy),
        StepStatus::Failed { .. } => ("✘", t.critical),
        StepStatus::Skipped { .. } => ("↷", t.muted),
        StepStatus::DryRun { .. } => ("○", t.muted),
    }
}

pub(super) fn draw_steps(frame: &mut Frame, area: Rect, app: &App, theme: &Theme, run: &RunView) {
    let t = theme;
    let mode = match run.mode {
        Some(RunMode::DryRun) => " DRY RUN ",
        _ => "",
    };
    let tag = match &run.summary {
        Some(s) => Some(match s.outcome {
            RunOutcome::Completed => Span::styled(" COMPLETED ", t.healthy),
            RunOutcome::Aborted { .. } => Span::styled(" ABORTED ", t.critical),
        }),
        None => Some(Span::styled(format!("{mode} running "), t.warning)),
    };
    let title = format!(
        " Runbook {}{} · {} ",
        run.runbook,
        if run.resumed { " (resumed)" } else { "" },
        run.run_id
    );
    let outer = block(theme, title, tag);
    let inner = outer.inner(area);
    frame.render_widget(outer, area);

    let mut question = question_lines(app, theme, run);
    let room = inner.height.saturating_sub(2) as usize;
    if question.len() > room && room > 1 {
        let hidden = question.len() - room + 1;
        question.truncate(room - 1);
        question.push(Line::from(Span::styled(
            format!("  … {hidden} more line(s): every planned call is also in the live log"),
            t.muted,
        )));
    }
    // The question comes first: the steps list keeps at least two rows.
    let q_height = (question.len() as u16).min(inner.height.saturating_sub(2));
    let [steps_area, q_area] =
        Layout::vertical([Constraint::Min(2), Constraint::Length(q_height)]).areas(inner);
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
            let note = match &s.status {
                StepStatus::Failed { error } => Some(error.as_str()),
                StepStatus::Skipped { reason } => Some(reason.as_str()),
                other => other.note(),
            };
            if let Some(n) = note.filter(|n| !n.is_empty()) {
                spans.push(Span::styled(format!(": {n}"), t.muted));
            }
            Line::from(spans)
        })
        .collect();
    // Keep the active step in view.
    let pos = active
        .and_then(|a| run.steps.iter().position(|s| s.id == a))
        .unwrap_or(0);
    let room = steps_area.height as usize;
    let scroll = pos.saturating_sub(room.saturating_sub(2)) as u16;
    frame.render_widget(Paragraph::new(lines).scroll((scroll, 0)), steps_area);
    frame.render_widget(Paragraph::new(question).wrap(Wrap { trim: false }), q_area);
}

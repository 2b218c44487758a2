//! The action pane: the run's steps with their state, the question the engine is waiting on
//! (the exact calls, current → target, warnings, how to confirm), and the live log. The keys
//! it names come from the key tables.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph, Wrap};

use super::theme::Theme;
use crate::app::keys::{Command, Edit, edit_key, key_of, keys_of};
use crate::app::{App, PickItem, Question, RunView, Typing};
use crate::runbook::{Level, RunMode, RunOutcome, StepStatus};

/// Whether the pane takes room on screen.
pub fn shown(app: &App) -> bool {
    app.run.is_some() || app.picker.is_some() || (app.unfinished.is_some() && !app.read_only)
}

pub fn draw(frame: &mut Frame, area: Rect, app: &App, theme: &Theme) {
    let [left, right] =
        Layout::horizontal([Constraint::Percentage(62), Constraint::Percentage(38)]).areas(area);
    match &app.run {
        Some(run) => {
            draw_steps(frame, left, app, theme, run);
            draw_log(frame, right, theme, run);
        }
        None => draw_idle(frame, area, app, theme),
    }
    if app.picker.is_some() {
        draw_picker(frame, left, app, theme);
    }
}

fn block<'a>(theme: &Theme, title: String, tag: Option<Span<'a>>) -> ratatui::widgets::Block<'a> {
    let mut b = ratatui::widgets::Block::bordered()
        .border_style(theme.focus)
        .title(Span::styled(title, theme.title));
    if let Some(tag) = tag {
        b = b.title_top(Line::from(tag).right_aligned());
    }
    b
}

fn draw_idle(frame: &mut Frame, area: Rect, app: &App, theme: &Theme) {
    let t = theme;
    let mut lines = Vec::new();
    if let Some(j) = &app.unfinished {
        let done = j.steps.iter().filter(|s| s.status.is_final()).count();
        lines.push(Line::from(Span::styled(
            format!(
                " UNFINISHED RUN {} ({}): {done} of {} steps finished when the console stopped",
                j.run_id,
                j.runbook,
                j.steps.len()
            ),
            t.warning,
        )));
        lines.push(Line::from(Span::styled(
            format!(
                " press {} and choose \"resume\": completed steps are not repeated",
                key_of(Command::Runbooks)
            ),
            t.text,
        )));
    }
    frame.render_widget(
        Paragraph::new(lines).block(block(theme, " Runbook ".into(), None)),
        area,
    );
}

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

fn draw_steps(frame: &mut Frame, area: Rect, app: &App, theme: &Theme, run: &RunView) {
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

fn question_lines<'a>(app: &App, theme: &Theme, run: &RunView) -> Vec<Line<'a>> {
    let t = theme;
    let key = |k: String| Span::styled(format!(" {k} "), t.badge);
    let mut lines = Vec::new();
    if let Some(summary) = &run.summary {
        lines.push(Line::from(Span::styled(
            format!(
                " RTO {} · skipped {} · report {}",
                summary
                    .rto
                    .map(crate::timefmt::dur)
                    .unwrap_or_else(|| "not reached".into()),
                summary.skipped.len(),
                summary
                    .report
                    .as_ref()
                    .map(|p| p.display().to_string())
                    .unwrap_or_else(|| "not written".into())
            ),
            t.title,
        )));
        lines.push(Line::from(vec![
            key(key_of(Command::Cancel)),
            Span::styled(" close   ", t.muted),
            key(key_of(Command::Runbooks)),
            Span::styled(" another runbook", t.muted),
        ]));
        return lines;
    }
    match &run.question {
        None => {}
        Some(Question::Confirm(p)) => {
            lines.push(Line::from(Span::styled(
                format!(" CONFIRM {}: {}", p.step, p.title),
                t.danger,
            )));
            match (&p.type_to_confirm, &app.typing) {
                (Some(region), Some(Typing::Region(typed))) => lines.push(Line::from(vec![
                    Span::styled(
                        format!(
                            "  IRREVERSIBLE: type {region} and press {}: ",
                            edit_key(Edit::Submit)
                        ),
                        t.danger,
                    ),
                    Span::styled(format!("{typed}█"), t.title),
                    Span::styled(format!("  ({} cancels)", edit_key(Edit::Cancel)), t.muted),
                ])),
                (Some(region), _) => lines.push(Line::from(vec![
                    Span::styled("  IRREVERSIBLE ", t.danger),
                    key(key_of(Command::Confirm)),
                    Span::styled(format!(" then type {region} to confirm · "), t.text),
                    key(key_of(Command::Skip)),
                    Span::styled(" skip · ", t.text),
                    key(key_of(Command::Abort)),
                    Span::styled(" abort", t.text),
                ])),
                (None, _) => lines.push(Line::from(vec![
                    Span::raw("  "),
                    key(key_of(Command::Confirm)),
                    Span::styled(
                        if p.instruction.is_some() {
                            " done, continue · "
                        } else {
                            " confirm · "
                        },
                        t.text,
                    ),
                    key(key_of(Command::Skip)),
                    Span::styled(" skip · ", t.text),
                    key(key_of(Command::Abort)),
                    Span::styled(
                        format!(" abort   ({} does not confirm)", key_of(Command::Select)),
                        t.text,
                    ),
                ])),
            }
            for w in &p.warnings {
                lines.push(Line::from(Span::styled(format!("  ⚠ {w}"), t.warning)));
            }
            if let Some(i) = &p.instruction {
                lines.push(Line::from(Span::styled(format!("  MANUAL: {i}"), t.title)));
            }
            for c in &p.changes {
                lines.push(Line::from(Span::styled(format!("  {c}"), t.text)));
            }
            for c in &p.calls {
                lines.push(Line::from(vec![
                    Span::styled("  call ", t.muted),
                    Span::styled(
                        c.describe.clone(),
                        if c.irreversible { t.critical } else { t.text },
                    ),
                ]));
            }
        }
        Some(Question::Decide {
            step,
            error,
            optional,
            needs_primary,
        }) => {
            lines.push(Line::from(Span::styled(
                format!(" FAILED {step}: {error}"),
                t.critical,
            )));
            if *needs_primary {
                lines.push(Line::from(Span::styled(
                    "  this step needs the primary region, which is unreachable: skip it to go on",
                    t.warning,
                )));
            } else if *optional {
                lines.push(Line::from(Span::styled("  the step is optional", t.muted)));
            }
            lines.push(Line::from(vec![
                Span::raw("  "),
                key(key_of(Command::Retry)),
                Span::styled(" retry · ", t.text),
                key(key_of(Command::Skip)),
                Span::styled(" skip (with a reason) · ", t.text),
                key(key_of(Command::Abort)),
                Span::styled(" abort", t.text),
            ]));
        }
    }
    if let Some(Typing::SkipReason(reason)) = &app.typing {
        lines.push(Line::from(vec![
            Span::styled("  reason for skipping: ", t.warning),
            Span::styled(format!("{reason}█"), t.title),
            Span::styled(
                format!(
                    "  ({} skips, {} cancels)",
                    edit_key(Edit::Submit),
                    edit_key(Edit::Cancel)
                ),
                t.muted,
            ),
        ]));
    }
    lines
}

fn draw_log(frame: &mut Frame, area: Rect, theme: &Theme, run: &RunView) {
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

fn draw_picker(frame: &mut Frame, area: Rect, app: &App, theme: &Theme) {
    let Some(picker) = &app.picker else { return };
    let t = theme;
    let height = (picker.items.len() as u16 + 4).min(area.height);
    let popup = Rect {
        height,
        width: area.width.min(70),
        ..area
    };
    frame.render_widget(Clear, popup);
    let mut lines: Vec<Line> = picker
        .items
        .iter()
        .enumerate()
        .map(|(i, item)| {
            let text = match item {
                PickItem::Start(name) => format!(" {name}"),
                PickItem::Resume { run_id, runbook } => format!(" resume {runbook} ({run_id})"),
            };
            let style = if i == picker.selected {
                t.focus.add_modifier(ratatui::style::Modifier::REVERSED)
            } else {
                t.text
            };
            Line::from(Span::styled(text, style))
        })
        .collect();
    lines.push(Line::from(Span::styled(
        format!(
            " {} choose · {} start ({}) · {} close",
            keys_of(&[Command::Up, Command::Down]),
            key_of(Command::Select),
            if app.dry_run {
                "DRY RUN: no call"
            } else {
                "each step still asks"
            },
            key_of(Command::Cancel)
        ),
        t.muted,
    )));
    frame.render_widget(
        Paragraph::new(lines).block(block(theme, " Start a runbook ".into(), None)),
        popup,
    );
}

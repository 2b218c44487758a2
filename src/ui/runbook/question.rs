//! The question the engine is waiting on: the exact calls, current → target, warnings, and how
//! to confirm.

use ratatui::text::{Line, Span};

use crate::app::keys::{Command, Edit, edit_key, key_of};
use crate::app::{App, Question, RunView, Typing};
use crate::ui::theme::Theme;

pub(super) fn question_lines<'a>(app: &App, theme: &Theme, run: &RunView) -> Vec<Line<'a>> {
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

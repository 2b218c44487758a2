//! What the pane shows once a run has ended: its outcome, the RTO against the objective, the
//! report, and the findings added to it.

use ratatui::text::{Line, Span};

use super::Question;
use crate::app::keys::{Command, Edit, edit_key, key_of};
use crate::app::{App, RunView, Typing};
use crate::runbook::RunOutcome;
use crate::ui::runbook::clock;
use crate::ui::theme::Theme;

/// A run that has ended: its outcome, the RTO against the objective, the report.
pub(super) fn finished<'a>(app: &App, theme: &Theme, run: &RunView, q: &mut Question<'a>) {
    let t = theme;
    let Some(summary) = &run.summary else { return };
    let key = |k: String| Span::styled(format!(" {k} "), t.badge);
    q.title = match &summary.outcome {
        RunOutcome::Completed => Line::from(Span::styled(" COMPLETED ", t.healthy)),
        RunOutcome::Aborted { .. } => Line::from(Span::styled(" ABORTED ", t.critical)),
    };
    if let RunOutcome::Aborted { reason } = &summary.outcome {
        q.pinned
            .push(Line::from(Span::styled(format!(" {reason}"), t.critical)));
    }
    q.pinned.push(clock::rto_line(app, theme, summary));
    q.pinned.push(clock::felt_line(app, theme, summary));
    q.pinned.push(Line::from(Span::styled(
        format!(
            " skipped {} · report {}",
            summary.skipped.len(),
            summary
                .report
                .as_ref()
                .map(|p| p.display().to_string())
                .unwrap_or_else(|| "not written".into())
        ),
        t.text,
    )));
    if run.drill {
        q.pinned.push(Line::from(Span::styled(
            " a drill: the report says so",
            t.text,
        )));
    }
    if let Some(last) = run.findings.last() {
        q.pinned.push(Line::from(Span::styled(
            format!(" finding {} added: {last}", run.findings.len()),
            t.text,
        )));
    }
    if let Some(Typing::Finding(typed)) = &app.typing {
        q.pinned.push(Line::from(vec![
            Span::styled(" finding (one line, audited): ", t.warning),
            Span::styled(format!("{typed}█"), t.title),
        ]));
        q.pinned.push(Line::from(Span::styled(
            format!(
                " {} adds it to the report · {} cancels",
                edit_key(Edit::Submit),
                edit_key(Edit::Cancel)
            ),
            t.muted,
        )));
        return;
    }
    let mut keys = vec![
        Span::raw(" "),
        key(key_of(Command::Cancel)),
        Span::styled(" close  ", t.muted),
    ];
    if !run.is_following() {
        keys.push(key(key_of(Command::Finding)));
        keys.push(Span::styled(" add a finding  ", t.muted));
    }
    keys.push(key(key_of(Command::Runbooks)));
    keys.push(Span::styled(" another runbook", t.muted));
    q.pinned.push(Line::from(keys));
}

//! The question of a step (or group) awaiting confirmation: how to answer it, what confirming
//! throws away, then every warning, call and change.

use ratatui::text::{Line, Span};

use super::Question;
use crate::app::keys::{Command, Edit, edit_key, key_of};
use crate::app::{App, Typing};
use crate::ui::theme::Theme;

/// A step (or group) awaiting confirmation.
pub(super) fn confirm<'a>(
    app: &App,
    theme: &Theme,
    p: &crate::runbook::ConfirmPrompt,
    q: &mut Question<'a>,
) {
    let t = theme;
    let key = |k: String| Span::styled(format!(" {k} "), t.badge);
    q.title = Line::from(Span::styled(" CONFIRM ", t.danger));
    q.pinned.push(Line::from(Span::styled(
        format!(" {}: {}", p.step, p.title),
        t.danger,
    )));
    match (&p.type_to_confirm, &app.typing) {
        (Some(phrase), Some(Typing::Region(typed))) => q.pinned.push(Line::from(vec![
            Span::styled(
                format!(
                    " IRREVERSIBLE: type {phrase} and press {}: ",
                    edit_key(Edit::Submit)
                ),
                t.danger,
            ),
            Span::styled(format!("{typed}█"), t.title),
            Span::styled(format!("  ({} cancels)", edit_key(Edit::Cancel)), t.muted),
        ])),
        (Some(phrase), _) => q.pinned.push(Line::from(vec![
            Span::styled(" IRREVERSIBLE ", t.danger),
            key(key_of(Command::Confirm)),
            Span::styled(" then type ", t.text),
            Span::styled(phrase.clone(), t.title),
            Span::styled(" · ", t.text),
            key(key_of(Command::Skip)),
            Span::styled(" skip · ", t.text),
            key(key_of(Command::Abort)),
            Span::styled(" abort", t.text),
        ])),
        (None, _) => q.pinned.push(Line::from(vec![
            Span::raw(" "),
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
    // What confirming throws away is never scrolled out of sight.
    for d in &p.discards {
        q.pinned.push(Line::from(Span::styled(
            format!(" DATA LOSS {d}"),
            t.danger,
        )));
    }
    if let Some(i) = &p.instruction {
        q.pinned
            .push(Line::from(Span::styled(format!(" MANUAL: {i}"), t.title)));
    }
    for w in p.warnings.iter().filter(|w| !w.contains("DATA LOSS")) {
        q.body
            .push(Line::from(Span::styled(format!(" ⚠ {w}"), t.warning)));
    }
    for c in &p.calls {
        q.body.push(Line::from(vec![
            Span::styled(" call ", t.muted),
            Span::styled(
                c.describe.clone(),
                if c.irreversible { t.critical } else { t.text },
            ),
            Span::styled(if c.irreversible { "  IRREVERSIBLE" } else { "" }, t.danger),
        ]));
    }
    for c in &p.changes {
        q.body
            .push(Line::from(Span::styled(format!(" {c}"), t.text)));
    }
}

//! Footer: the keys of the current mode (from the key tables), as many as fit, or the latest
//! notice.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::theme::Theme;
use crate::app::keys::{self, Command, Edit};
use crate::app::{App, Question};

pub fn draw(frame: &mut Frame, area: Rect, app: &App, theme: &Theme) {
    let t = theme;
    let line = match &app.notice {
        Some((text, at)) if app.now.saturating_duration_since(*at).as_secs() < 5 => {
            Line::from(Span::styled(format!(" {text}"), t.warning))
        }
        _ if matches!(app.typing, Some(crate::app::Typing::TakeOver(_))) => {
            let typed = app.typing.as_ref().map(|t| t.text()).unwrap_or("");
            Line::from(vec![
                Span::styled(" take over the run lock of (type user@host): ", t.danger),
                Span::styled(format!("{typed}_"), t.focus),
                Span::styled("  Enter take over · Esc cancel", t.muted),
            ])
        }
        _ => {
            // Whole hints only, in the table's order of importance: those that do not fit are
            // left out, never cut.
            let mut spans = Vec::new();
            let mut used = 0;
            for (k, what) in hints(app) {
                let hint = super::fit::width(&k) + super::fit::width(what) + 3;
                if used + hint > area.width as usize {
                    break;
                }
                used += hint;
                spans.push(Span::styled(format!(" {k}"), t.focus));
                spans.push(Span::styled(format!(" {what} "), t.muted));
            }
            Line::from(spans)
        }
    };
    frame.render_widget(Paragraph::new(line), area);
}

/// The keys worth showing now, each with its hint word.
fn hints(app: &App) -> Vec<(String, &'static str)> {
    use Command::*;
    if app.typing.is_some() {
        return keys::EDITING
            .iter()
            .filter(|b| b.edit != Edit::Quit)
            .map(|b| (keys::edit_key(b.edit), b.hint))
            .collect();
    }
    let question = app.run.as_ref().and_then(|r| r.question.as_ref());
    let finished = app.run.as_ref().is_some_and(|r| r.finished());
    let groups: &[&[Command]] = match (app.run_view(), question) {
        (_, Some(Question::Confirm(_))) if app.picker.is_none() => &[
            &[Confirm],
            &[Skip],
            &[Abort],
            &[Down, PageDown],
            &[NextPanel],
            &[ToggleView],
            &[FilterLog],
            &[SearchLog],
            &[Help],
            &[Quit],
        ],
        (_, Some(Question::Approval { .. }))
            if app.run.as_ref().is_some_and(|r| r.is_following()) =>
        {
            &[
                &[Approve],
                &[Cancel],
                &[Down, PageDown],
                &[FilterLog],
                &[Help],
                &[Quit],
            ]
        }
        (_, Some(Question::Approval { .. })) if app.picker.is_none() => &[
            &[Abort],
            &[Down, PageDown],
            &[ToggleView],
            &[FilterLog],
            &[SearchLog],
            &[Help],
            &[Quit],
        ],
        (_, Some(Question::Decide { .. })) if app.picker.is_none() => &[
            &[Retry],
            &[Skip],
            &[Abort],
            &[ToggleView],
            &[FilterLog],
            &[SearchLog],
            &[Help],
            &[Quit],
        ],
        (true, _) if finished && app.run.as_ref().is_some_and(|r| r.summary.is_some()) => &[
            &[Cancel],
            &[Finding],
            &[Runbooks],
            &[ToggleView],
            &[NextPanel],
            &[Up, Down],
            &[FilterLog],
            &[SearchLog],
            &[Help],
            &[Quit],
        ],
        (true, _) if finished => &[
            &[Cancel],
            &[Runbooks],
            &[ToggleView],
            &[NextPanel],
            &[Up, Down],
            &[FilterLog],
            &[SearchLog],
            &[Help],
            &[Quit],
        ],
        (true, _) => &[
            &[Abort],
            &[ToggleView],
            &[NextPanel],
            &[Up, Down],
            &[FilterLog],
            &[SearchLog],
            &[Help],
            &[Quit],
        ],
        (false, _) if app.run.is_some() => &[
            &[ToggleView],
            &[Help],
            &[NextPanel],
            &[Up, Down],
            &[Refresh],
            &[TogglePause],
            &[Quit],
            keys::FAULTS,
        ],
        (false, _) if app.picker.is_some() => &[
            &[Up, Down],
            &[Select],
            &[ToggleDrill],
            &[Cancel],
            &[Help],
            &[Quit],
        ],
        (false, _) => &[
            &[Help],
            &[Runbooks],
            &[NextPanel],
            &[Up, Down],
            &[Refresh],
            &[TogglePause],
            &[Quit],
            keys::FAULTS,
        ],
    };
    groups
        .iter()
        .filter_map(|group| {
            let first = keys::binding(*group.first()?)?;
            first
                .available(app.simulation, app.read_only)
                .then(|| (keys::keys_of(group), first.hint))
        })
        .collect()
}

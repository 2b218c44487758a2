//! Footer: the most useful keys (from the key tables), or the latest notice.

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
        _ => {
            let mut spans = Vec::new();
            for (k, what) in hints(app) {
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
    let groups: &[&[Command]] = match app.run.as_ref().and_then(|r| r.question.as_ref()) {
        Some(Question::Confirm(_)) => &[
            &[Confirm],
            &[Skip],
            &[Abort],
            &[Help],
            &[NextPanel],
            &[Quit],
        ],
        Some(Question::Decide { .. }) => &[&[Retry], &[Skip], &[Abort], &[Help], &[Quit]],
        None => &[
            &[Help],
            &[Runbooks],
            &[NextPanel],
            &[Up, Down],
            &[Refresh],
            &[TogglePause],
            keys::FAULTS,
            &[Quit],
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

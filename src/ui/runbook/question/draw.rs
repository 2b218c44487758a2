//! The question drawn in its pane: the pinned rows always shown, the body scrolling in what is
//! left, and where the scroll stands.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::Question;
use crate::app::keys::{Command, key_of};
use crate::app::{App, RunPane, RunView};
use crate::ui::Drawn;
use crate::ui::runbook::{block, focused};
use crate::ui::theme::Theme;

/// Draws the question in `area`; returns how far its body can scroll there.
pub(in crate::ui::runbook) fn draw_question(
    frame: &mut Frame,
    area: Rect,
    _app: &App,
    theme: &Theme,
    run: &RunView,
    q: &Question,
) -> Drawn {
    if q.is_empty() || area.height < 3 {
        return Drawn::default();
    }
    let t = theme;
    let width = area.width.saturating_sub(2) as usize;
    let (pinned, body) = q.rows(width);
    let inner_rows = area.height.saturating_sub(2) as usize;
    // The pinned rows always show; the body scrolls in what is left (at least one row).
    let pinned_shown = pinned
        .len()
        .min(inner_rows.saturating_sub(usize::from(!body.is_empty())));
    let room = inner_rows - pinned_shown;
    let max = body.len().saturating_sub(room);
    let from = run.prompt_scroll.min(max);
    let mut lines: Vec<Line> = pinned.into_iter().take(pinned_shown).collect();
    lines.extend(body.iter().skip(from).take(room).cloned());
    let mut outer = block(theme, q.title.clone(), None, focused(run, RunPane::Prompt));
    if max > 0 {
        let below = max - from;
        let text = if below > 0 {
            format!(
                " rows {}–{} of {} · ↓ {below} more: {} ",
                from + 1,
                from + room,
                body.len(),
                crate::app::keys::keys_of(&[Command::Down, Command::PageDown])
            )
        } else {
            format!(" end · {} back up ", key_of(Command::Up))
        };
        outer = outer.title_bottom(Line::from(Span::styled(text, t.warning)).right_aligned());
    }
    frame.render_widget(Paragraph::new(lines).block(outer), area);
    Drawn {
        prompt_max: Some(max),
    }
}

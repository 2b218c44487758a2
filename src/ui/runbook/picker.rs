//! The runbook picker: what can be started or resumed.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph};

use crate::app::keys::{Command, key_of, keys_of};
use crate::app::{App, PickItem};
use crate::ui::theme::Theme;

use super::block;

pub(super) fn draw_picker(frame: &mut Frame, area: Rect, app: &App, theme: &Theme) {
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

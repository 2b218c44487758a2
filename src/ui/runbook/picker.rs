//! The runbook picker: what can be started or resumed, each entry with its description, its
//! number of steps, the steps that cannot be undone, and whether it could start now.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Modifier;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::block;
use crate::app::keys::{Command, key_of, keys_of};
use crate::app::{App, PickInfo, PickItem};
use crate::ui::fit::{truncate_spans, wrap};
use crate::ui::theme::Theme;

/// Draws the list in a box of its own at the top of `area`, as tall as it needs.
pub(super) fn draw_picker(frame: &mut Frame, area: Rect, app: &App, theme: &Theme) {
    let Some(picker) = &app.picker else { return };
    let t = theme;
    let mut title = vec![Span::styled(" Start a runbook ", t.title)];
    if picker.drill {
        title.push(Span::styled(" DRILL ", t.badge));
        title.push(Span::raw(" "));
    }
    let outer = block(theme, Line::from(title), None, true);
    let inner = outer.inner(area);
    let width = inner.width as usize;
    let mut lines: Vec<Line> = Vec::new();
    let mut selected_row = 0;
    for (i, item) in picker.items.iter().enumerate() {
        let info = picker.info.get(i).cloned().unwrap_or_default();
        let chosen = i == picker.selected;
        if chosen {
            selected_row = lines.len();
        }
        let name = match item {
            PickItem::Start(name) => name.clone(),
            PickItem::Resume { run_id, runbook } => format!("resume {runbook} ({run_id})"),
        };
        let name_style = if chosen {
            t.focus.add_modifier(Modifier::REVERSED)
        } else {
            t.title
        };
        let mut first = vec![
            Span::styled(if chosen { "▶ " } else { "  " }, t.focus),
            Span::styled(name, name_style),
        ];
        if let Some(d) = &info.description {
            first.push(Span::styled(format!(" — {d}"), t.muted));
        }
        lines.push(Line::from(truncate_spans(first, width)));
        lines.extend(wrap(&facts(theme, &info), width, 6));
    }
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
    // Whether the run is a drill is said before it starts, and recorded from its first line.
    let (mark, what) = if picker.drill {
        (
            Span::styled(" DRILL ", t.badge),
            format!(
                " the run is a drill · {} again: a real incident",
                key_of(Command::ToggleDrill)
            ),
        )
    } else {
        (
            Span::styled(" real incident ", t.text),
            format!(
                "· {} marks it a drill (game day)",
                key_of(Command::ToggleDrill)
            ),
        )
    };
    lines.push(Line::from(truncate_spans(
        vec![Span::raw(" "), mark, Span::styled(what, t.muted)],
        width,
    )));
    let height = (lines.len() as u16 + 2).min(area.height);
    let popup = Rect { height, ..area };
    frame.render_widget(ratatui::widgets::Clear, popup);
    // Keep the chosen entry in view on a short screen.
    let rows = height.saturating_sub(2) as usize;
    let skip = selected_row.saturating_sub(rows.saturating_sub(4));
    frame.render_widget(
        Paragraph::new(lines.into_iter().skip(skip).collect::<Vec<_>>()).block(outer),
        popup,
    );
}

/// `11 steps · IRREVERSIBLE: promote … · ✔ can start now`, or why it cannot.
fn facts<'a>(theme: &Theme, info: &PickInfo) -> Line<'a> {
    let t = theme;
    let mut spans = vec![Span::styled(format!("    {} steps", info.steps), t.text)];
    if !info.irreversible.is_empty() {
        spans.push(Span::styled(" · IRREVERSIBLE: ", t.danger));
        spans.push(Span::styled(info.irreversible.join(", "), t.danger));
    }
    match &info.ready {
        Ok(()) => spans.push(Span::styled(" · ✔ preconditions hold now", t.healthy)),
        Err(why) => spans.push(Span::styled(format!(" · ✘ {why}"), t.critical)),
    }
    Line::from(spans)
}

//! The action pane: the run's steps with their state, the question the engine is waiting on
//! (the exact calls, current → target, warnings, how to confirm), and the live log. The keys
//! it names come from the key tables.

mod log;
mod picker;
mod question;
mod steps;

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::theme::Theme;
use crate::app::App;
use crate::app::keys::{Command, key_of};

use log::draw_log;
use picker::draw_picker;
use steps::draw_steps;

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

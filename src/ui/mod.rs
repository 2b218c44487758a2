//! Rendering: a pure function of the app state. No I/O, no waiting, no AWS types.

mod footer;
mod header;
mod health;
mod help;
mod readiness;
mod region;
mod replication;
mod runbook;
mod scaling;
pub mod theme;

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, BorderType, Borders};

use crate::app::{App, Panel};
use crate::poll::FeedState;
use crate::timefmt;
use theme::Theme;

pub fn draw(frame: &mut Frame, app: &App, theme: &Theme) {
    let area = frame.area();
    let health_rows = health::height(app);
    // Room for the header row and a one-line banner when a region is unreachable.
    let asg_rows = (app.estate.asgs.len() as u16 + 4).max(5);
    let [header, top, services, asgs, health, footer] = Layout::vertical([
        Constraint::Length(2),
        Constraint::Length(9),
        Constraint::Min(6),
        Constraint::Length(asg_rows),
        Constraint::Length(health_rows),
        Constraint::Length(1),
    ])
    .areas(area);
    header::draw(frame, header, app, theme);
    let [repl, ready] =
        Layout::horizontal([Constraint::Percentage(62), Constraint::Percentage(38)]).areas(top);
    replication::draw(frame, repl, app, theme);
    readiness::draw(frame, ready, app, theme);
    if runbook::shown(app) {
        // During a run the action pane comes first; the services keep a few rows.
        let rows = (app.estate.services().len() as u16 + 3).clamp(5, 8);
        let [svc, pane] =
            Layout::vertical([Constraint::Max(rows), Constraint::Min(10)]).areas(services);
        scaling::draw_services(frame, svc, app, theme);
        runbook::draw(frame, pane, app, theme);
    } else {
        scaling::draw_services(frame, services, app, theme);
    }
    scaling::draw_asgs(frame, asgs, app, theme);
    health::draw(frame, health, app, theme);
    footer::draw(frame, footer, app, theme);
    if app.show_help {
        help::draw(frame, area, app, theme);
    }
}

/// A panel's frame: its title, focus highlight, and a right-hand tag for freshness.
pub fn block<'a>(
    app: &App,
    theme: &Theme,
    panel: Panel,
    title: Line<'a>,
    tag: Option<Span<'a>>,
) -> Block<'a> {
    let focused = app.focus == panel;
    let border = if focused { theme.focus } else { theme.muted };
    let mut block = Block::default()
        .borders(Borders::ALL)
        .border_type(if focused {
            BorderType::Thick
        } else {
            BorderType::Rounded
        })
        .border_style(border)
        .title(title);
    if let Some(tag) = tag {
        block = block.title_top(Line::from(tag).right_aligned());
    }
    block
}

/// `fresh 3s` / `STALE 24s` / `UNREACHABLE` / `loading…`, styled by state.
pub fn freshness<'a>(
    theme: &Theme,
    state: FeedState,
    age: Option<std::time::Duration>,
) -> Span<'a> {
    let t = theme;
    match state {
        FeedState::Loading => Span::styled(" loading… ", t.muted),
        FeedState::Fresh => Span::styled(format!(" {} ", timefmt::age(age)), t.healthy),
        FeedState::Stale => Span::styled(format!(" STALE {} ", timefmt::age(age)), t.warning),
        FeedState::Unreachable => Span::styled(" UNREACHABLE ", t.unreachable),
    }
}

/// The style data is drawn in: dimmed when it is not fresh.
pub fn data_style(theme: &Theme, state: FeedState, style: Style) -> Style {
    match state {
        FeedState::Fresh => style,
        _ => theme.stale,
    }
}

/// Splits an area into a primary (left) and standby (right) half.
pub fn halves(area: Rect) -> [Rect; 2] {
    Layout::horizontal([Constraint::Percentage(50), Constraint::Percentage(50)]).areas(area)
}

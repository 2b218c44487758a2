//! Rendering: a pure function of the app state. No I/O, no waiting, no AWS types.

mod dashboard;
mod dns;
mod fit;
pub mod fleet;
mod fleet_plan;
mod footer;
mod header;
mod health;
mod help;
mod readiness;
mod region;
mod replication;
mod runbook;
mod scaling;
mod strip;
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

/// What a frame tells the loop about itself: how far the question can scroll on this screen.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Drawn {
    pub prompt_max: Option<usize>,
}

pub fn draw(frame: &mut Frame, app: &App, theme: &Theme) {
    draw_measured(frame, app, theme);
}

/// Draws the screen: the run view while a run is shown (unless the dashboard was asked for),
/// else the dashboard; the help overlay on top.
pub fn draw_measured(frame: &mut Frame, app: &App, theme: &Theme) -> Drawn {
    let area = frame.area();
    let drawn = if app.run_view() {
        runbook::draw_view(frame, area, app, theme)
    } else {
        dashboard::draw(frame, area, app, theme);
        Drawn::default()
    };
    if app.show_help {
        help::draw(frame, area, app, theme);
    }
    drawn
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

/// `fresh 3s` / `STALE 24s` / `UNREACHABLE` / `THROTTLED 12s` / `loading…`, styled by state.
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
        FeedState::Throttled => {
            Span::styled(format!(" THROTTLED {} ", timefmt::age(age)), t.warning)
        }
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

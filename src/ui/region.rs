//! The frame of a per-region panel half: region name and role, and its data's freshness.

use ratatui::text::{Line, Span};
use ratatui::widgets::Block;

use super::theme::Theme;
use crate::app::{App, FeedState, Panel};
use crate::model::Side;

pub fn side_style(theme: &Theme, side: Side) -> ratatui::style::Style {
    match side {
        Side::Primary => theme.primary,
        Side::Standby => theme.standby,
    }
}

pub fn title<'a>(app: &App, theme: &Theme, side: Side, what: &str) -> Line<'a> {
    Line::from(vec![
        Span::raw(" "),
        Span::styled(
            format!(
                "{} {}",
                side.as_str().to_uppercase(),
                app.estate.region(side).region
            ),
            side_style(theme, side),
        ),
        Span::styled(format!(" · {what} "), theme.title),
    ])
}

pub fn block<'a>(app: &App, theme: &Theme, panel: Panel, side: Side, what: &str) -> Block<'a> {
    let feed = app.region(side);
    let state = app.state_of(side);
    super::block(
        app,
        theme,
        panel,
        title(app, theme, side, what),
        Some(super::freshness(theme, state, feed.age(app.now))),
    )
}

/// Lines that explain why a region's values are missing or old: drawn above its data.
pub fn banner<'a>(app: &App, theme: &Theme, side: Side) -> Vec<Line<'a>> {
    let feed = app.region(side);
    match app.state_of(side) {
        FeedState::Unreachable => vec![Line::from(vec![
            Span::styled(
                format!(" UNREACHABLE: {} ", feed.error.as_deref().unwrap_or("")),
                theme.unreachable,
            ),
            Span::styled(
                match feed.age(app.now) {
                    Some(_) => format!(" data below is {}", crate::timefmt::age(feed.age(app.now))),
                    None => " never read".to_string(),
                },
                theme.stale,
            ),
        ])],
        FeedState::Loading => vec![Line::from(Span::styled(" loading…", theme.muted))],
        _ => Vec::new(),
    }
}

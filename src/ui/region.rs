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

/// The title of a region's panel in `room` columns: `PRIMARY us-east-1 · ECS services`, or
/// without the region's name, or the side alone, whichever fits first.
pub fn title<'a>(app: &App, theme: &Theme, side: Side, what: &str, room: usize) -> Line<'a> {
    let label = side.as_str().to_uppercase();
    let region = &app.estate.region(side).region;
    // `what` may say a shorter name after a `|`: `Auto Scaling groups|ASGs`.
    let (what, short) = what.split_once('|').unwrap_or((what, what));
    let forms = [
        (format!("{label} {region}"), format!(" · {what} ")),
        (label.clone(), format!(" · {what} ")),
        (label.clone(), format!(" · {short} ")),
        (label, " ".to_string()),
    ];
    let fits = |(a, b): &(String, String)| 1 + super::fit::width(a) + super::fit::width(b) <= room;
    let (a, b) = forms.iter().find(|f| fits(f)).unwrap_or(&forms[3]).clone();
    Line::from(vec![
        Span::raw(" "),
        Span::styled(a, side_style(theme, side)),
        Span::styled(b, theme.title),
    ])
}

/// A region panel's frame, `width` columns wide: its title fitted beside the freshness tag.
pub fn block<'a>(
    app: &App,
    theme: &Theme,
    panel: Panel,
    side: Side,
    what: &str,
    width: u16,
) -> Block<'a> {
    let feed = app.region(side);
    let mut state = app.state_of(side);
    let mut age = feed.age(app.now);
    // Services and target health read in turn (the fleet) say their own, older, age.
    if let Some(older) = app
        .services_age(side)
        .filter(|_| matches!(panel, Panel::Services | Panel::Health))
    {
        age = Some(older);
        if state == FeedState::Fresh && older > app.interval() * 2 {
            state = FeedState::Stale;
        }
    }
    let tag = super::freshness(theme, state, age);
    let room = (width as usize).saturating_sub(super::fit::width(&tag.content) + 3);
    super::block(
        app,
        theme,
        panel,
        title(app, theme, side, what, room),
        Some(tag),
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
        FeedState::Throttled => vec![Line::from(vec![
            Span::styled(" THROTTLED by AWS: busy, not down; ", theme.warning),
            Span::styled(
                match feed.age(app.now) {
                    Some(age) => format!("data below is {}", crate::timefmt::age(Some(age))),
                    None => "not read yet".to_string(),
                },
                theme.stale,
            ),
        ])],
        FeedState::Loading => vec![Line::from(Span::styled(" loading…", theme.muted))],
        _ => Vec::new(),
    }
}

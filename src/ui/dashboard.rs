//! The dashboard's layout, by the terminal's size. Tall enough, every panel is drawn in full
//! and the ECS and ASG panels take the rows they need (the replication panel's lag history
//! takes what is left); short, the replication, readiness and health panels collapse to
//! summaries that keep the lag figure and every verdict in view.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};

use super::theme::Theme;
use super::{footer, header, health, readiness, replication, runbook, scaling};
use crate::app::{App, FeedState};
use crate::model::Side;

/// Below this many rows, panels collapse to summaries.
pub const SHORT: u16 = 34;

/// The replication row grows with the screen up to this height (a taller lag history says
/// nothing more); rows beyond go to the live log of a run, if one is shown.
const TOP_MAX: u16 = 16;

/// Rows a banner takes above a region's tables while a region is unreachable, throttled or
/// loading.
fn banner_rows(app: &App) -> u16 {
    u16::from(Side::BOTH.iter().any(|s| {
        matches!(
            app.state_of(*s),
            FeedState::Unreachable | FeedState::Throttled | FeedState::Loading
        )
    }))
}

/// Rows a region table needs: borders, banner, its header row and one row per entry.
pub fn table_rows(app: &App, entries: usize) -> u16 {
    2 + banner_rows(app) + 1 + entries.max(1) as u16
}

pub fn draw(frame: &mut Frame, area: Rect, app: &App, theme: &Theme) {
    let short = area.height < SHORT;
    let idle = if runbook::idle_shown(app) {
        runbook::idle_rows(short)
    } else {
        0
    };
    let services_need = table_rows(app, app.estate.services().len());
    let asgs = table_rows(app, app.estate.asgs.len());
    let health = if short { 3 } else { health::height(app) };
    let top_min = if short {
        4
    } else {
        ((app.readiness().items.len() + app.evaluations().len()) as u16 + 2).max(9)
    };
    let body = area.height.saturating_sub(3);
    let room = body.saturating_sub(top_min + asgs + health + idle);
    let services = services_need.min(room).max(4);
    let top = if short {
        top_min
    } else {
        (room - services.min(room) + top_min).min(TOP_MAX.max(top_min))
    };
    let [head, top_area, idle_area, svc, asg, hlth, spare, foot] = Layout::vertical([
        Constraint::Length(2),
        Constraint::Length(top),
        Constraint::Length(idle),
        Constraint::Length(services),
        Constraint::Length(asgs),
        Constraint::Length(health),
        Constraint::Min(0),
        Constraint::Length(1),
    ])
    .areas(area);
    if let Some(run) = &app.run
        && spare.height >= 4
    {
        runbook::draw_log_pane(frame, spare, app, theme, run);
    }
    header::draw(frame, head, app, theme);
    let split = match area.width {
        0..110 => 60,
        110..160 => 56,
        _ => 62,
    };
    let [repl, ready] = Layout::horizontal([
        Constraint::Percentage(split),
        Constraint::Percentage(100 - split),
    ])
    .areas(top_area);
    if short {
        replication::draw_summary(frame, repl, app, theme);
        readiness::draw_summary(frame, ready, app, theme);
    } else {
        replication::draw(frame, repl, app, theme);
        readiness::draw(frame, ready, app, theme);
    }
    if idle > 0 {
        runbook::draw_idle(frame, idle_area, app, theme);
    }
    scaling::draw_services(frame, svc, app, theme);
    scaling::draw_asgs(frame, asg, app, theme);
    if short {
        health::draw_summary(frame, hlth, app, theme);
    } else {
        health::draw(frame, hlth, app, theme);
    }
    footer::draw(frame, foot, app, theme);
    if app.picker.is_some() {
        // The list takes the panels below the replication row, in a pane of its own.
        let below = Rect {
            y: svc.y,
            height: foot.y.saturating_sub(svc.y),
            ..area
        };
        runbook::draw_picker_pane(frame, below, app, theme);
    }
}

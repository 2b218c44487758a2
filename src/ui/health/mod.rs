//! Health: Route 53 health checks and where the DNS record points (global), and per region
//! the ALB target health and CloudWatch alarm states.

mod route53;
mod summary;
mod targets;

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::Line;

use super::theme::Theme;
use crate::app::App;
use crate::model::Side;
use route53::draw_route53;
pub use summary::draw_summary;
use targets::draw_region;

pub fn height(app: &App) -> u16 {
    let dns = app
        .estate
        .dns
        .as_ref()
        .map_or(0, |d| super::dns::height(d.is_failover_routing()));
    let global = app.estate.health_checks.len() + dns + 1;
    let per_region = Side::BOTH
        .iter()
        .map(|side| {
            app.estate.target_groups.len()
                + app
                    .estate
                    .alarms
                    .iter()
                    .filter(|a| a.region == *side)
                    .count()
        })
        .max()
        .unwrap_or(0)
        + 2;
    (global.max(per_region) as u16 + 2).clamp(5, 14)
}

pub fn draw(frame: &mut Frame, area: Rect, app: &App, theme: &Theme) {
    let [global, regions] =
        Layout::horizontal([Constraint::Percentage(30), Constraint::Percentage(70)]).areas(area);
    draw_route53(frame, global, app, theme);
    for (side, half) in Side::BOTH.into_iter().zip(super::halves(regions)) {
        draw_region(frame, half, app, theme, side);
    }
}

/// Lines cut with `…` to the panel's width.
fn fitted(lines: Vec<Line<'_>>, width: usize) -> Vec<Line<'_>> {
    lines
        .into_iter()
        .map(|l| Line::from(super::fit::truncate_spans(l.spans, width)))
        .collect()
}

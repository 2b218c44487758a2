//! Health: Route 53 health checks and where the DNS record points (global), and per region
//! the ALB target health and CloudWatch alarm states.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::region;
use super::theme::Theme;
use crate::app::{App, FeedState, Panel};
use crate::model::{AlarmState, Side};

pub fn height(app: &App) -> u16 {
    let global = app.estate.health_checks.len() + usize::from(app.estate.dns.is_some()) + 1;
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

fn draw_route53(frame: &mut Frame, area: Rect, app: &App, theme: &Theme) {
    let t = theme;
    let state = app.global_state();
    let block = super::block(
        app,
        theme,
        Panel::Health,
        Line::from(Span::styled(" Route 53 ", t.title)),
        Some(super::freshness(theme, state, app.global.age(app.now))),
    );
    let mut lines = Vec::new();
    if state == FeedState::Unreachable {
        lines.push(Line::from(Span::styled(
            format!(
                " UNREACHABLE: {}",
                app.global.error.as_deref().unwrap_or("")
            ),
            t.unreachable,
        )));
    }
    if let Some(g) = &app.global.data {
        match &g.dns {
            Some(Ok(d)) => {
                let (target, style) = match d.points_at {
                    Some(Side::Primary) => ("primary", t.primary),
                    Some(Side::Standby) => ("standby", t.standby),
                    None => ("unknown value", t.critical),
                };
                lines.push(Line::from(vec![
                    Span::styled(
                        format!(" {} → ", d.record),
                        super::data_style(theme, state, t.text),
                    ),
                    Span::styled(target, super::data_style(theme, state, style)),
                ]));
            }
            Some(Err(e)) => lines.push(Line::from(Span::styled(format!(" DNS: {e}"), t.critical))),
            None => {}
        }
        match &g.health_checks {
            Ok(checks) => {
                for c in checks {
                    let (mark, style) = match c.healthy {
                        Some(true) => ("healthy", t.healthy),
                        Some(false) => ("UNHEALTHY", t.critical),
                        None => ("no status", t.muted),
                    };
                    let detail = match &c.error {
                        Some(e) => e.clone(),
                        None => format!("{}/{} checkers ok", c.checkers_ok, c.checkers_total),
                    };
                    lines.push(Line::from(vec![
                        Span::styled(
                            format!(" {:<14}", c.label),
                            super::data_style(theme, state, t.text),
                        ),
                        Span::styled(
                            format!("{mark:<10}"),
                            super::data_style(theme, state, style),
                        ),
                        Span::styled(detail, t.muted),
                    ]));
                }
            }
            Err(e) => lines.push(Line::from(Span::styled(format!(" {e}"), t.critical))),
        }
    }
    frame.render_widget(Paragraph::new(lines).block(block), area);
}

fn draw_region(frame: &mut Frame, area: Rect, app: &App, theme: &Theme, side: Side) {
    let t = theme;
    let block = region::block(app, theme, Panel::Health, side, "targets · alarms");
    let state = app.state_of(side);
    let mut lines = region::banner(app, theme, side);
    if let Some(r) = &app.region(side).data {
        match &r.target_groups {
            Ok(groups) => {
                for g in groups {
                    if let Some(e) = &g.error {
                        lines.push(Line::from(Span::styled(
                            format!(" tg {}: {e}", g.name),
                            t.critical,
                        )));
                        continue;
                    }
                    let style = if g.healthy == 0 {
                        t.critical
                    } else if g.unhealthy > 0 {
                        t.warning
                    } else {
                        t.healthy
                    };
                    lines.push(Line::from(vec![
                        Span::styled(
                            format!(" tg {:<12}", g.name),
                            super::data_style(theme, state, t.text),
                        ),
                        Span::styled(
                            format!("{} healthy", g.healthy),
                            super::data_style(theme, state, style),
                        ),
                        Span::styled(
                            format!(" · {} unhealthy · {} initial", g.unhealthy, g.other),
                            super::data_style(theme, state, t.muted),
                        ),
                    ]));
                }
            }
            Err(e) => lines.push(Line::from(Span::styled(
                format!(" targets: {e}"),
                t.critical,
            ))),
        }
        match &r.alarms {
            Ok(alarms) => {
                for a in alarms {
                    let (text, style) = match a.state {
                        AlarmState::Ok => ("OK", t.healthy),
                        AlarmState::Alarm => ("ALARM", t.critical),
                        AlarmState::InsufficientData => ("INSUFFICIENT_DATA", t.warning),
                        AlarmState::Missing => ("no such alarm", t.critical),
                    };
                    lines.push(Line::from(vec![
                        Span::styled(
                            format!(" alarm {:<22} ", a.name),
                            super::data_style(theme, state, t.text),
                        ),
                        Span::styled(text, super::data_style(theme, state, style)),
                    ]));
                }
            }
            Err(e) => lines.push(Line::from(Span::styled(
                format!(" alarms: {e}"),
                t.critical,
            ))),
        }
    }
    frame.render_widget(Paragraph::new(lines).block(block), area);
}

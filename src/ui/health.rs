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

/// One line per panel: where DNS points and how many checks are healthy; per region, its
/// target groups and alarms, naming only what is not well.
pub fn draw_summary(frame: &mut Frame, area: Rect, app: &App, theme: &Theme) {
    let t = theme;
    let [global, regions] =
        Layout::horizontal([Constraint::Percentage(34), Constraint::Percentage(66)]).areas(area);
    let state = app.global_state();
    let block = super::block(
        app,
        theme,
        Panel::Health,
        Line::from(Span::styled(" Route 53 ", t.title)),
        Some(super::freshness(theme, state, app.global.age(app.now))),
    );
    let width = block.inner(global).width as usize;
    let mut spans = Vec::new();
    match app.global.data.as_ref() {
        _ if state == FeedState::Unreachable => {
            spans.push(Span::styled(" UNREACHABLE", t.unreachable))
        }
        None => spans.push(Span::styled(" loading…", t.muted)),
        Some(g) => {
            match &g.dns {
                Some(Ok(d)) => spans.extend(super::dns::summary(d, theme, state)),
                Some(Err(_)) => spans.push(Span::styled(" DNS unreadable", t.critical)),
                None => {}
            }
            match &g.health_checks {
                Ok(checks) if !checks.is_empty() => {
                    let ok = checks.iter().filter(|c| c.healthy == Some(true)).count();
                    let style = if ok == checks.len() {
                        t.healthy
                    } else {
                        t.critical
                    };
                    spans.push(Span::styled(
                        format!(" · {ok}/{} ok", checks.len()),
                        super::data_style(theme, state, style),
                    ));
                }
                Ok(_) => {}
                Err(_) => spans.push(Span::styled(" · checks unreadable", t.critical)),
            }
        }
    }
    frame.render_widget(
        Paragraph::new(Line::from(super::fit::truncate_spans(spans, width))).block(block),
        global,
    );
    for (side, half) in Side::BOTH.into_iter().zip(super::halves(regions)) {
        let block = region::block(app, theme, Panel::Health, side, "health", half.width);
        let width = block.inner(half).width as usize;
        let line = Line::from(super::fit::truncate_spans(
            region_summary(app, theme, side),
            width,
        ));
        frame.render_widget(Paragraph::new(line).block(block), half);
    }
}

/// A region's targets and alarms in a few words: counts when all is well, names when not.
fn region_summary<'a>(app: &App, theme: &Theme, side: Side) -> Vec<Span<'a>> {
    let t = theme;
    let state = app.state_of(side);
    let Some(r) = &app.region(side).data else {
        return match state {
            FeedState::Unreachable => vec![Span::styled(" UNREACHABLE", t.unreachable)],
            FeedState::Throttled => vec![Span::styled(" THROTTLED by AWS", t.warning)],
            _ => vec![Span::styled(" loading…", t.muted)],
        };
    };
    let style = |s| super::data_style(theme, state, s);
    let mut spans = Vec::new();
    if state == FeedState::Unreachable {
        spans.push(Span::styled(" UNREACHABLE, as of before:", t.unreachable));
    }
    if state == FeedState::Throttled {
        spans.push(Span::styled(" THROTTLED, as last read:", t.warning));
    }
    match &r.target_groups {
        Ok(groups) => {
            let bad: Vec<_> = groups
                .iter()
                .filter(|g| g.error.is_some() || g.healthy == 0 || g.unhealthy > 0)
                .collect();
            if bad.is_empty() && !groups.is_empty() {
                let healthy: u32 = groups.iter().map(|g| g.healthy).sum();
                spans.push(Span::styled(format!(" tg {healthy} ok"), style(t.healthy)));
            }
            for g in bad {
                spans.push(Span::styled(
                    format!(
                        " tg {} {}/{} healthy",
                        g.name,
                        g.healthy,
                        g.healthy + g.unhealthy + g.other
                    ),
                    style(if g.healthy == 0 {
                        t.critical
                    } else {
                        t.warning
                    }),
                ));
            }
        }
        Err(_) => spans.push(Span::styled(" targets unreadable", t.critical)),
    }
    match &r.alarms {
        Ok(alarms) => {
            let bad: Vec<_> = alarms
                .iter()
                .filter(|a| a.state != AlarmState::Ok)
                .collect();
            if bad.is_empty() && !alarms.is_empty() {
                spans.push(Span::styled(" · alarms OK".to_string(), style(t.healthy)));
            }
            for a in bad {
                spans.push(Span::styled(
                    format!(" · {} {}", a.name, a.state),
                    style(if a.state == AlarmState::InsufficientData {
                        t.warning
                    } else {
                        t.critical
                    }),
                ));
            }
        }
        Err(_) => spans.push(Span::styled(" · alarms unreadable", t.critical)),
    }
    spans
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
            Some(Ok(d)) => lines.extend(super::dns::lines(d, theme, state)),
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
    let width = area.width.saturating_sub(2) as usize;
    frame.render_widget(Paragraph::new(fitted(lines, width)).block(block), area);
}

/// Lines cut with `…` to the panel's width.
fn fitted(lines: Vec<Line<'_>>, width: usize) -> Vec<Line<'_>> {
    lines
        .into_iter()
        .map(|l| Line::from(super::fit::truncate_spans(l.spans, width)))
        .collect()
}

fn draw_region(frame: &mut Frame, area: Rect, app: &App, theme: &Theme, side: Side) {
    let t = theme;
    let block = region::block(
        app,
        theme,
        Panel::Health,
        side,
        "targets · alarms|health",
        area.width,
    );
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
                    let style = match a.state {
                        AlarmState::Ok => t.healthy,
                        AlarmState::InsufficientData => t.warning,
                        AlarmState::Alarm | AlarmState::Missing => t.critical,
                    };
                    let text = a.state.to_string();
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
    let width = area.width.saturating_sub(2) as usize;
    frame.render_widget(Paragraph::new(fitted(lines, width)).block(block), area);
}

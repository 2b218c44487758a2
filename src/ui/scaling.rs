//! Capacity per region: ECS services (desired / running / pending, deployment) and
//! Auto Scaling groups (min / max / desired, InService).

use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Row, Table};

use super::region;
use super::theme::Theme;
use crate::app::keys::{self, Command};
use crate::app::{App, FeedState, Panel};
use crate::model::{AsgReading, Deployment, ServiceReading, Side};

pub fn draw_services(frame: &mut Frame, area: Rect, app: &App, theme: &Theme) {
    for (side, half) in Side::BOTH.into_iter().zip(super::halves(area)) {
        let block = region::block(app, theme, Panel::Services, side, "ECS services");
        let inner = block.inner(half);
        frame.render_widget(block, half);
        let data = app.region(side).data.as_ref().map(|r| &r.services);
        body(frame, inner, app, theme, side, data, service_table);
    }
}

pub fn draw_asgs(frame: &mut Frame, area: Rect, app: &App, theme: &Theme) {
    for (side, half) in Side::BOTH.into_iter().zip(super::halves(area)) {
        let block = region::block(app, theme, Panel::Asgs, side, "Auto Scaling groups");
        let inner = block.inner(half);
        frame.render_widget(block, half);
        let data = app.region(side).data.as_ref().map(|r| &r.asgs);
        body(frame, inner, app, theme, side, data, asg_table);
    }
}

type TableFn<T> = fn(&App, &Theme, Side, &[T], FeedState, Rect) -> Table<'static>;

/// Banner (unreachable / loading), then the section's error or its table.
fn body<T>(
    frame: &mut Frame,
    area: Rect,
    app: &App,
    theme: &Theme,
    side: Side,
    data: Option<&crate::model::Section<Vec<T>>>,
    table: TableFn<T>,
) {
    let banner = region::banner(app, theme, side);
    let top = banner.len() as u16;
    frame.render_widget(Paragraph::new(banner), area);
    let rest = Rect {
        y: area.y + top.min(area.height),
        height: area.height.saturating_sub(top),
        ..area
    };
    match data {
        None => {}
        Some(Err(e)) => frame.render_widget(
            Paragraph::new(Span::styled(format!(" {e}"), theme.critical)),
            rest,
        ),
        Some(Ok(rows)) => {
            let state = app.state_of(side);
            frame.render_widget(table(app, theme, side, rows, state, rest), rest);
        }
    }
}

fn visible<T>(rows: &[T], scroll: usize, height: Rect) -> &[T] {
    let mut room = height.height.saturating_sub(1) as usize;
    if rows.len() > room {
        room = room.saturating_sub(1); // the "n of m" footer
    }
    let start = scroll.min(rows.len().saturating_sub(room));
    &rows[start..rows.len().min(start + room)]
}

fn service_style(theme: &Theme, s: &ServiceReading) -> Style {
    let t = theme;
    if !s.exists() || s.deployment == Deployment::Failed {
        t.critical
    } else if s.running < s.desired {
        if s.running == 0 {
            t.critical
        } else {
            t.warning
        }
    } else if s.deployment == Deployment::InProgress {
        t.warning
    } else {
        t.healthy
    }
}

fn service_table(
    app: &App,
    theme: &Theme,
    _side: Side,
    rows: &[ServiceReading],
    state: FeedState,
    area: Rect,
) -> Table<'static> {
    let t = theme;
    let shown = visible(rows, app.scroll_of(Panel::Services), area);
    let body: Vec<Row> = shown
        .iter()
        .map(|s| {
            let style = super::data_style(theme, state, service_style(theme, s));
            if !s.exists() {
                return Row::new(vec![
                    s.name.clone(),
                    "—".into(),
                    "—".into(),
                    "—".into(),
                    s.status.clone(),
                ])
                .style(style);
            }
            Row::new(vec![
                s.name.clone(),
                s.desired.to_string(),
                s.running.to_string(),
                s.pending.to_string(),
                match s.deployment {
                    Deployment::Steady => "steady".into(),
                    Deployment::InProgress => "deploying".into(),
                    Deployment::Failed => "FAILED".into(),
                },
            ])
            .style(style)
        })
        .collect();
    let header = Row::new(vec![
        "service",
        "desired",
        "running",
        "pending",
        "deployment",
    ])
    .style(t.muted);
    let table = Table::new(
        body,
        [
            Constraint::Fill(1),
            Constraint::Length(7),
            Constraint::Length(7),
            Constraint::Length(7),
            Constraint::Length(10),
        ],
    )
    .header(header);
    with_hint(table, rows.len(), shown.len(), theme)
}

fn asg_table(
    app: &App,
    theme: &Theme,
    _side: Side,
    rows: &[AsgReading],
    state: FeedState,
    area: Rect,
) -> Table<'static> {
    let t = theme;
    let shown = visible(rows, app.scroll_of(Panel::Asgs), area);
    let body: Vec<Row> = shown
        .iter()
        .map(|a| {
            if !a.found {
                return Row::new(vec![
                    a.name.clone(),
                    "—".into(),
                    "—".into(),
                    "—".into(),
                    "MISSING".into(),
                ])
                .style(super::data_style(theme, state, t.critical));
            }
            let style = if a.in_service < a.desired {
                t.warning
            } else {
                t.healthy
            };
            Row::new(vec![
                a.name.clone(),
                a.min.to_string(),
                a.max.to_string(),
                a.desired.to_string(),
                format!("{} InService", a.in_service),
            ])
            .style(super::data_style(theme, state, style))
        })
        .collect();
    let table = Table::new(
        body,
        [
            Constraint::Fill(1),
            Constraint::Length(4),
            Constraint::Length(4),
            Constraint::Length(7),
            Constraint::Length(12),
        ],
    )
    .header(Row::new(vec!["group", "min", "max", "desired", "instances"]).style(t.muted));
    with_hint(table, rows.len(), shown.len(), theme)
}

/// When rows are hidden, the table's last row (reserved by `visible`) says how many show.
fn with_hint(table: Table<'static>, total: usize, shown: usize, theme: &Theme) -> Table<'static> {
    if total > shown {
        table.footer(Row::new(vec![Line::from(Span::styled(
            format!(
                "{shown} of {total} · {} {}",
                keys::keys_of(&[Command::Up, Command::Down]),
                keys::binding(Command::Up).map_or("", |b| b.hint)
            ),
            theme.muted,
        ))]))
    } else {
        table
    }
}

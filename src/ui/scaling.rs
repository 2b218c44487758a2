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
        let block = region::block(
            app,
            theme,
            Panel::Services,
            side,
            "ECS services|ECS",
            half.width,
        );
        let inner = block.inner(half);
        frame.render_widget(block, half);
        let data = app.region(side).data.as_ref().map(|r| &r.services);
        body(frame, inner, app, theme, side, data, service_table);
    }
}

pub fn draw_asgs(frame: &mut Frame, area: Rect, app: &App, theme: &Theme) {
    for (side, half) in Side::BOTH.into_iter().zip(super::halves(area)) {
        let block = region::block(
            app,
            theme,
            Panel::Asgs,
            side,
            "Auto Scaling groups|ASGs",
            half.width,
        );
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
    let banner: Vec<Line> = region::banner(app, theme, side)
        .into_iter()
        .map(|l| Line::from(super::fit::truncate_spans(l.spans, area.width as usize)))
        .collect();
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

/// Below this inner width, tables drop to fewer, combined columns so names keep their room.
const WIDE_SERVICES: u16 = 60;
const WIDE_ASGS: u16 = 52;

/// The width left for the name column beside columns of `fixed` widths (one space apart).
fn name_width(area: Rect, fixed: &[u16]) -> usize {
    let used: u16 = fixed.iter().sum::<u16>() + fixed.len() as u16;
    area.width.saturating_sub(used) as usize
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
    let wide = area.width >= WIDE_SERVICES;
    let fixed: &[u16] = if wide { &[7, 7, 7, 10] } else { &[9, 9] };
    let name_w = name_width(area, fixed);
    let body: Vec<Row> = shown
        .iter()
        .map(|s| {
            let style = super::data_style(theme, state, service_style(theme, s));
            let name = super::fit::truncate(&s.name, name_w);
            let cells: Vec<String> = match (s.exists(), wide) {
                // Counts of a service that does not exist would be invented.
                (false, true) => vec![name, "—".into(), "—".into(), "—".into(), s.status.clone()],
                (false, false) => vec![name, "—".into(), s.status.clone()],
                (true, true) => vec![
                    name,
                    s.desired.to_string(),
                    s.running.to_string(),
                    s.pending.to_string(),
                    s.deployment.to_string(),
                ],
                (true, false) => vec![
                    name,
                    match s.pending {
                        0 => format!("{}/{}", s.running, s.desired),
                        p => format!("{}/{} +{p}", s.running, s.desired),
                    },
                    s.deployment.to_string(),
                ],
            };
            Row::new(cells).style(style)
        })
        .collect();
    let header = if wide {
        Row::new(vec![
            "service",
            "desired",
            "running",
            "pending",
            "deployment",
        ])
    } else {
        Row::new(vec!["service", "running", "state"])
    };
    let widths: Vec<Constraint> = std::iter::once(Constraint::Fill(1))
        .chain(fixed.iter().map(|w| Constraint::Length(*w)))
        .collect();
    let table = Table::new(body, widths).header(header.style(t.muted));
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
    let wide = area.width >= WIDE_ASGS;
    let fixed: &[u16] = if wide { &[4, 4, 7, 12] } else { &[11, 10] };
    let name_w = name_width(area, fixed);
    let body: Vec<Row> = shown
        .iter()
        .map(|a| {
            let name = super::fit::truncate(&a.name, name_w);
            if !a.found {
                let cells = if wide {
                    vec![name, "—".into(), "—".into(), "—".into(), "MISSING".into()]
                } else {
                    vec![name, "—".into(), "MISSING".into()]
                };
                return Row::new(cells).style(super::data_style(theme, state, t.critical));
            }
            let style = if a.in_service < a.desired {
                t.warning
            } else {
                t.healthy
            };
            let cells = if wide {
                vec![
                    name,
                    a.min.to_string(),
                    a.max.to_string(),
                    a.desired.to_string(),
                    format!("{} InService", a.in_service),
                ]
            } else {
                vec![
                    name,
                    format!("{}/{}/{}", a.min, a.max, a.desired),
                    a.in_service.to_string(),
                ]
            };
            Row::new(cells).style(super::data_style(theme, state, style))
        })
        .collect();
    let header = if wide {
        Row::new(vec!["group", "min", "max", "desired", "instances"])
    } else {
        Row::new(vec!["group", "min/max/des", "InService"])
    };
    let widths: Vec<Constraint> = std::iter::once(Constraint::Fill(1))
        .chain(fixed.iter().map(|w| Constraint::Length(*w)))
        .collect();
    let table = Table::new(body, widths).header(header.style(t.muted));
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

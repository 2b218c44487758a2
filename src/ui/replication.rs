//! Replication: the database in each region, the replica's lag against the warning level and
//! the RPO budget, and a sparkline of recent lag. Unknown lag is never drawn as a number.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Sparkline, SparklineBar};

use super::region::side_style;
use super::theme::Theme;
use crate::app::{App, FeedState, Panel};
use crate::model::{DbReading, DbRole, Lag, Side};

pub fn draw(frame: &mut Frame, area: Rect, app: &App, theme: &Theme) {
    let t = theme;
    let replica = app.replica_side();
    let state = app.state_of(replica);
    let block = super::block(
        app,
        theme,
        Panel::Replication,
        Line::from(Span::styled(" Replication ", t.title)),
        Some(super::freshness(
            theme,
            state,
            app.region(replica).age(app.now),
        )),
    );
    let inner = block.inner(area);
    frame.render_widget(block, area);
    if app.estate.database.is_none() {
        frame.render_widget(
            Paragraph::new(Span::styled(" no database configured", t.muted)),
            inner,
        );
        return;
    }
    let [text_area, spark_area] =
        Layout::vertical([Constraint::Length(4), Constraint::Min(1)]).areas(inner);
    let mut lines = Vec::new();
    for side in Side::BOTH {
        lines.push(db_line(app, theme, side));
    }
    lines.push(lag_line(app, theme));
    lines.push(Line::from(Span::styled(
        format!(
            " warning above {} · RPO budget {} · sparkline: last {} polls, × = no value",
            app.estate.lag_warning,
            app.estate.rpo_budget,
            app.lag_history.len()
        ),
        t.muted,
    )));
    frame.render_widget(Paragraph::new(lines), text_area);
    // Scale to the warning level (or the worst recent lag) so everyday lag is visible.
    let worst = app
        .lag_history
        .iter()
        .filter_map(|l| l.known())
        .max()
        .unwrap_or_default();
    let max = worst.max(app.estate.lag_warning.0).as_secs().max(1);
    let bars: Vec<SparklineBar> = app
        .lag_history
        .iter()
        .rev()
        .take(spark_area.width as usize)
        .rev()
        .map(|lag| match lag {
            Lag::Known(s) => {
                SparklineBar::from(Some((*s).min(max))).style(Some(lag_style(app, theme, *lag)))
            }
            _ => SparklineBar::from(None),
        })
        .collect();
    frame.render_widget(
        Sparkline::default()
            .data(bars)
            .max(max)
            .style(t.healthy)
            .absent_value_symbol("×")
            .absent_value_style(t.critical),
        spark_area,
    );
}

fn db_line<'a>(app: &App, theme: &Theme, side: Side) -> Line<'a> {
    let t = theme;
    let label = Span::styled(format!(" {:<8}", side.as_str()), side_style(theme, side));
    let feed = app.region(side);
    let state = app.state_of(side);
    let db = feed.data.as_ref().and_then(|r| r.database.as_ref());
    let mut spans = vec![label];
    match db {
        None if state == FeedState::Unreachable => {
            spans.push(Span::styled("region unreachable", t.critical))
        }
        None => spans.push(Span::styled("no data", t.muted)),
        Some(Err(e)) => spans.push(Span::styled(e.to_string(), t.critical)),
        Some(Ok(db)) => {
            let style = super::data_style(theme, state, status_style(theme, db));
            spans.push(Span::styled(
                format!("{} ", db.id),
                super::data_style(theme, state, t.text),
            ));
            spans.push(Span::styled(
                db.role.to_string(),
                super::data_style(theme, state, t.title),
            ));
            spans.push(Span::styled(format!(" · {}", db.status), style));
            if state == FeedState::Unreachable {
                spans.push(Span::styled(
                    format!("  (as of {})", crate::timefmt::age(feed.age(app.now))),
                    t.stale,
                ));
            }
        }
    }
    Line::from(spans)
}

fn status_style(theme: &Theme, db: &DbReading) -> Style {
    match db.status.as_str() {
        "available" => theme.healthy,
        "modifying" | "creating" | "backing-up" | "failing-over" | "rebooting" => theme.warning,
        _ => theme.critical,
    }
}

pub fn lag_style(app: &App, theme: &Theme, lag: Lag) -> Style {
    match lag {
        Lag::Known(s) if s > app.estate.rpo_budget.0.as_secs() => theme.critical,
        Lag::Known(s) if s > app.estate.lag_warning.0.as_secs() => theme.warning,
        Lag::Known(_) => theme.healthy,
        Lag::Stopped => theme.critical,
        Lag::NoData => theme.muted,
    }
}

/// The lag of the replica: the database of the side standing by (the standby before a
/// failover, the primary once re-protected).
fn lag_line<'a>(app: &App, theme: &Theme) -> Line<'a> {
    let t = theme;
    let replica = app.replica_side();
    let state = app.state_of(replica);
    let db = app
        .region(replica)
        .data
        .as_ref()
        .and_then(|r| r.database.as_ref())
        .and_then(|d| d.as_ref().ok());
    let mut spans = vec![Span::styled(" lag     ", t.title)];
    match db {
        _ if state == FeedState::Unreachable => spans.push(Span::styled(
            format!("unknown: {replica} unreachable"),
            t.critical,
        )),
        None => spans.push(Span::styled("no data", t.muted)),
        Some(db) if !matches!(db.role, DbRole::Replica { .. }) => spans.push(Span::styled(
            format!("none: {} is no longer a replica", db.id),
            t.warning,
        )),
        Some(db) => {
            let text = match db.lag {
                Lag::Known(s) => {
                    let over = if s > app.estate.rpo_budget.0.as_secs() {
                        "  OVER RPO BUDGET: promoting now loses more than the budget"
                    } else if s > app.estate.lag_warning.0.as_secs() {
                        "  above warning"
                    } else {
                        "  within budget"
                    };
                    format!("{}{over}", db.lag)
                }
                Lag::Stopped => format!("{} (ReplicaLag = -1)", db.lag.to_string().to_uppercase()),
                Lag::NoData => format!("{} (no ReplicaLag datapoint yet)", db.lag),
            };
            spans.push(Span::styled(
                text,
                super::data_style(theme, state, lag_style(app, theme, db.lag)),
            ));
        }
    }
    Line::from(spans)
}

//! Replication: the database in each region, the replica's lag against the warning level and
//! the RPO budget, and a sparkline of recent lag. Unknown lag is never drawn as a number.
//! An Aurora global database adds its writer's region and members; a standby restored from
//! AWS Backup shows its newest recovery point's age in place of a lag.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Sparkline, SparklineBar};

use super::region::side_style;
use super::theme::Theme;
use crate::app::{App, FeedState, Panel};
use crate::model::{DbReading, DbRole, Lag, Side};

fn panel_block<'a>(app: &App, theme: &Theme) -> ratatui::widgets::Block<'a> {
    let replica = app.replica_side();
    let state = app.state_of(replica);
    super::block(
        app,
        theme,
        Panel::Replication,
        Line::from(Span::styled(" Replication ", theme.title)),
        Some(super::freshness(
            theme,
            state,
            app.region(replica).age(app.now),
        )),
    )
}

/// Two lines: the lag figure and its verdict first, then the lag history in what is left of
/// the line; below, both databases in one line.
pub fn draw_summary(frame: &mut Frame, area: Rect, app: &App, theme: &Theme) {
    let t = theme;
    let block = panel_block(app, theme);
    let inner = block.inner(area);
    frame.render_widget(block, area);
    if app.estate.database.is_none() {
        frame.render_widget(
            Paragraph::new(Span::styled(" no database configured", t.muted)),
            inner,
        );
        return;
    }
    let width = inner.width as usize;
    let mut first = lag_line(app, theme, true).spans;
    let used: usize = first.iter().map(|s| super::fit::width(&s.content)).sum();
    if used + 4 <= width {
        first.push(Span::raw("  "));
        first.extend(spark_spans(app, theme, width - used - 2));
    }
    let mut second = Vec::new();
    for side in Side::BOTH {
        if side == Side::Standby {
            second.push(Span::styled(" ⇄", t.muted));
        }
        second.extend(db_line(app, theme, side, true).spans);
    }
    frame.render_widget(
        Paragraph::new(vec![
            Line::from(super::fit::truncate_spans(first, width)),
            Line::from(super::fit::truncate_spans(second, width)),
        ]),
        inner,
    );
}

/// The lag history as one line of bars, newest last: `×` where a poll had no value.
fn spark_spans<'a>(app: &App, theme: &Theme, room: usize) -> Vec<Span<'a>> {
    const BARS: [char; 8] = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];
    let max = spark_max(app);
    app.lag_history
        .iter()
        .skip(app.lag_history.len().saturating_sub(room))
        .map(|lag| match lag {
            Lag::Known(s) => {
                let level = ((*s).min(max) * 7).div_ceil(max) as usize;
                Span::styled(BARS[level.min(7)].to_string(), lag_style(app, theme, *lag))
            }
            _ => Span::styled("×", theme.critical),
        })
        .collect()
}

/// The sparkline's top: the warning level, or the worst recent lag.
fn spark_max(app: &App) -> u64 {
    let worst = app
        .lag_history
        .iter()
        .filter_map(|l| l.known())
        .max()
        .unwrap_or_default();
    worst.max(app.estate.lag_warning.0).as_secs().max(1)
}

pub fn draw(frame: &mut Frame, area: Rect, app: &App, theme: &Theme) {
    let t = theme;
    let block = panel_block(app, theme);
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
    // The lag and its verdict first: what a promotion would lose.
    let mut lines = vec![lag_line(app, theme, false)];
    for side in Side::BOTH {
        lines.push(db_line(app, theme, side, false));
    }
    lines.push(Line::from(Span::styled(
        format!(
            " warning above {} · RPO budget {} · sparkline: last {} polls, × = no value",
            app.estate.lag_warning,
            app.estate.rpo_budget,
            app.lag_history.len()
        ),
        t.muted,
    )));
    let width = text_area.width as usize;
    let lines: Vec<Line> = lines
        .into_iter()
        .map(|l| Line::from(super::fit::truncate_spans(l.spans, width)))
        .collect();
    frame.render_widget(Paragraph::new(lines), text_area);
    // Scale to the warning level (or the worst recent lag) so everyday lag is visible.
    let max = spark_max(app);
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

/// A side's database: `primary orders-db writer · available`; `compact` leaves out the side's
/// name and a status that is `available`.
fn db_line<'a>(app: &App, theme: &Theme, side: Side, compact: bool) -> Line<'a> {
    let t = theme;
    let label = if compact {
        Span::raw(" ")
    } else {
        Span::styled(format!(" {} ", side.as_str()), side_style(theme, side))
    };
    let feed = app.region(side);
    let state = app.state_of(side);
    let db = feed.data.as_ref().and_then(|r| r.database.as_ref());
    let mut spans = vec![label];
    match db {
        None if state == FeedState::Unreachable => {
            spans.push(Span::styled(format!("{side} unreachable"), t.critical))
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
            if !compact || db.status != "available" {
                spans.push(Span::styled(format!(" · {}", db.status), style));
            }
            if db.pending_resync {
                spans.push(Span::styled(
                    " · pending resync",
                    super::data_style(theme, state, t.warning),
                ));
            }
            if let Some(extra) = detail_text(db, compact) {
                spans.push(Span::styled(
                    extra,
                    super::data_style(theme, state, t.muted),
                ));
            }
            if state == FeedState::Unreachable && !compact {
                spans.push(Span::styled(
                    format!("  (as of {})", crate::timefmt::age(feed.age(app.now))),
                    t.stale,
                ));
            }
        }
    }
    Line::from(spans)
}

/// What the kind adds to a database's line: a global database's writer region and members
/// (`· global orders-global: writer us-west-2, 2 members`), a restored standby's vault and
/// its restore job.
fn detail_text(db: &DbReading, compact: bool) -> Option<String> {
    if let Some(g) = db.global() {
        let writer = g
            .writer()
            .and_then(|w| w.region())
            .unwrap_or("none")
            .to_string();
        let moving = g
            .moving
            .as_ref()
            .map(|m| format!(", {}", m.status))
            .unwrap_or_default();
        return Some(if compact {
            format!(" · writer {writer}")
        } else {
            format!(
                " · global {}: writer {writer}, {} members{moving}",
                g.id,
                g.members.len()
            )
        });
    }
    let b = db.backup()?;
    let job = b
        .restore_job
        .as_ref()
        .filter(|j| j.under_way() || db.role == DbRole::Backup)
        .map(|j| format!(", restore {}", j.status));
    match (compact, job) {
        (_, Some(job)) => Some(format!(" · vault {}{job}", b.vault)),
        (true, None) => None,
        (false, None) => Some(format!(" · vault {}", b.vault)),
    }
}

fn status_style(theme: &Theme, db: &DbReading) -> Style {
    match db.status.as_str() {
        "available" => theme.healthy,
        "not restored" if db.role == DbRole::Backup => theme.healthy,
        "modifying" | "creating" | "backing-up" | "failing-over" | "rebooting" | "restoring"
        | "switching-over" => theme.warning,
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
fn lag_line<'a>(app: &App, theme: &Theme, compact: bool) -> Line<'a> {
    let t = theme;
    let replica = app.replica_side();
    let state = app.state_of(replica);
    let db = app
        .region(replica)
        .data
        .as_ref()
        .and_then(|r| r.database.as_ref())
        .and_then(|d| d.as_ref().ok());
    let backup = db.is_some_and(|d| d.role == DbRole::Backup);
    let mut spans = vec![Span::styled(
        match (compact, backup) {
            (true, false) => " lag ",
            (false, false) => " lag     ",
            (true, true) => " RPO ",
            (false, true) => " RPO     ",
        },
        t.title,
    )];
    match db {
        _ if state == FeedState::Unreachable => spans.push(Span::styled(
            format!("unknown: {replica} unreachable"),
            t.critical,
        )),
        None => spans.push(Span::styled("no data", t.muted)),
        Some(db) if db.role == DbRole::Backup => {
            let text = match db.lag {
                Lag::Known(s) => {
                    let over = if s > app.estate.rpo_budget.0.as_secs() {
                        "  OVER RPO BUDGET: a restore now loses more than the budget"
                    } else if s > app.estate.lag_warning.0.as_secs() {
                        "  above warning"
                    } else {
                        "  within budget"
                    };
                    if compact {
                        format!("{} old backup{over}", db.lag)
                    } else {
                        format!("{} since the newest recovery point{over}", db.lag)
                    }
                }
                _ => "no completed recovery point".to_string(),
            };
            spans.push(Span::styled(
                text,
                super::data_style(theme, state, lag_style(app, theme, db.lag)),
            ));
        }
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

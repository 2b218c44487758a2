//! Replication: the database in each region, the replica's lag against the warning level and
//! the RPO budget, and a sparkline of recent lag. Unknown lag is never drawn as a number.
//! An Aurora global database adds its writer's region and members; a standby restored from
//! AWS Backup shows its newest recovery point's age in place of a lag.

mod db;
mod lag;

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Sparkline, SparklineBar};

use super::theme::Theme;
use crate::app::{App, Panel};
use crate::model::{Lag, Side};
use db::db_line;
pub use lag::lag_style;
use lag::{lag_line, spark_max, spark_spans};

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

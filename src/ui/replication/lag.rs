//! The replica's lag: its line with the verdict against the warning level and the RPO budget
//! (a restored standby's recovery point age in its place), its colour, and recent lag as bars.

use ratatui::style::Style;
use ratatui::text::{Line, Span};

use crate::app::{App, FeedState};
use crate::model::{DbRole, Lag};
use crate::ui;
use crate::ui::theme::Theme;

/// The lag history as one line of bars, newest last: `×` where a poll had no value.
pub(super) fn spark_spans<'a>(app: &App, theme: &Theme, room: usize) -> Vec<Span<'a>> {
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
pub(super) fn spark_max(app: &App) -> u64 {
    let worst = app
        .lag_history
        .iter()
        .filter_map(|l| l.known())
        .max()
        .unwrap_or_default();
    worst.max(app.estate.lag_warning.0).as_secs().max(1)
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
pub(super) fn lag_line<'a>(app: &App, theme: &Theme, compact: bool) -> Line<'a> {
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
                ui::data_style(theme, state, lag_style(app, theme, db.lag)),
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
                ui::data_style(theme, state, lag_style(app, theme, db.lag)),
            ));
        }
    }
    Line::from(spans)
}

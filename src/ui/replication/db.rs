//! A side's database in one line: its id, role and status, and what its kind adds (a global
//! database's writer and members, a restored standby's vault and restore job).

use ratatui::style::Style;
use ratatui::text::{Line, Span};

use crate::app::{App, FeedState};
use crate::model::{DbReading, DbRole, Side};
use crate::ui;
use crate::ui::region::side_style;
use crate::ui::theme::Theme;

/// A side's database: `primary orders-db writer · available`; `compact` leaves out the side's
/// name and a status that is `available`.
pub(super) fn db_line<'a>(app: &App, theme: &Theme, side: Side, compact: bool) -> Line<'a> {
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
            let style = ui::data_style(theme, state, status_style(theme, db));
            spans.push(Span::styled(
                format!("{} ", db.id),
                ui::data_style(theme, state, t.text),
            ));
            spans.push(Span::styled(
                db.role.to_string(),
                ui::data_style(theme, state, t.title),
            ));
            if !compact || db.status != "available" {
                spans.push(Span::styled(format!(" · {}", db.status), style));
            }
            if db.pending_resync {
                spans.push(Span::styled(
                    " · pending resync",
                    ui::data_style(theme, state, t.warning),
                ));
            }
            if let Some(extra) = detail_text(db, compact) {
                spans.push(Span::styled(extra, ui::data_style(theme, state, t.muted)));
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

//! The dashboard as one line, for the run view: the replica's lag and its verdict, each
//! region's reachability, the side DNS points at, and the readiness verdict. The posture is
//! on the header line above it.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::theme::Theme;
use super::{fit, header, replication};
use crate::app::App;
use crate::model::{Lag, Side};
use crate::readiness::Verdict;

pub fn draw(frame: &mut Frame, area: Rect, app: &App, theme: &Theme) {
    frame.render_widget(Paragraph::new(line(app, theme, area.width as usize)), area);
}

pub fn line<'a>(app: &App, theme: &Theme, width: usize) -> Line<'a> {
    let t = theme;
    let dns_at = header::dns_side(app);
    let mut parts: Vec<(u8, Vec<Span<'a>>)> = vec![(10, lag_spans(app, theme))];
    for side in Side::BOTH {
        let mut spans = vec![Span::styled(
            if side == Side::Primary {
                " │ "
            } else {
                " ⇄ "
            },
            t.muted,
        )];
        spans.extend(header::region_spans(
            app,
            theme,
            side,
            dns_at,
            header::Detail::Alarms,
            false,
        ));
        // Narrow, the region's AWS name goes (the header line says it) and a region that
        // answers is just `ok`.
        if width < 100 {
            spans[1] = Span::styled(side.as_str().to_uppercase(), spans[1].style);
            for s in spans.iter_mut().skip(2) {
                if s.content == " ● reachable" {
                    s.content = " ● ok".into();
                }
            }
        }
        parts.push((9, spans));
    }
    let readiness = app.readiness();
    let (text, style) = match readiness.verdict {
        Verdict::Ready => ("READY", t.healthy),
        Verdict::Degraded => ("DEGRADED", t.critical),
        Verdict::Unknown => ("UNKNOWN", t.warning),
    };
    parts.push((
        6,
        vec![
            Span::styled(" │ ", t.muted),
            Span::styled(
                format!("{} {text}", readiness.side.as_str().to_uppercase()),
                style,
            ),
        ],
    ));
    fit::drop_to_fit(parts, width)
}

/// `lag 7s within budget`, in the lag's style; never a number when it is not known.
fn lag_spans<'a>(app: &App, theme: &Theme) -> Vec<Span<'a>> {
    let t = theme;
    if app.estate.database.is_none() {
        return vec![Span::styled(" no database", t.muted)];
    }
    let side = app.replica_side();
    let db = app
        .region(side)
        .data
        .as_ref()
        .and_then(|r| r.database.as_ref())
        .and_then(|d| d.as_ref().ok());
    let unreachable = app.state_of(side) == crate::poll::FeedState::Unreachable;
    let (text, style) = match db {
        _ if unreachable => (format!("lag unknown: {side} unreachable"), t.critical),
        None => ("lag —".to_string(), t.muted),
        Some(db) if db.role == crate::model::DbRole::Backup => (
            format!("RPO {} (newest backup)", db.lag),
            super::replication::lag_style(app, theme, db.lag),
        ),
        Some(db) if !matches!(db.role, crate::model::DbRole::Replica { .. }) => {
            (format!("no replica ({} {})", db.id, db.role), t.warning)
        }
        Some(db) => {
            let verdict = match db.lag {
                Lag::Known(s) if s > app.estate.rpo_budget.0.as_secs() => "OVER RPO BUDGET",
                Lag::Known(s) if s > app.estate.lag_warning.0.as_secs() => "above warning",
                Lag::Known(_) => "within budget",
                Lag::Stopped => "",
                Lag::NoData => "",
            };
            let lag = match db.lag {
                Lag::Stopped => "REPLICATION STOPPED".to_string(),
                other => other.to_string(),
            };
            (
                format!("lag {lag} {verdict}").trim_end().to_string(),
                replication::lag_style(app, theme, db.lag),
            )
        }
    };
    vec![Span::raw(" "), Span::styled(text, style)]
}

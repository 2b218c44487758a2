//! The header's regions line: each region with its account, its database's role, whether it
//! is reachable, and where DNS points; narrower, the line says less.

use ratatui::text::{Line, Span};

use super::account::account_spans;
use crate::app::{App, FeedState};
use crate::model::Side;
use crate::ui;
use crate::ui::region::side_style;
use crate::ui::theme::Theme;

/// Both regions with role, reachability and the DNS mark; narrower, the separators shrink,
/// then the roles go.
pub fn regions_line<'a>(app: &App, theme: &Theme, width: usize) -> Line<'a> {
    let t = theme;
    let dns_at = dns_side(app);
    let build = |sep: &'static str, detail: Detail, roles: bool| {
        let mut spans = vec![Span::raw(" ")];
        for side in Side::BOTH {
            spans.extend(region_spans(app, theme, side, dns_at, detail, roles));
            if side == Side::Primary {
                spans.push(Span::styled(sep, t.muted));
            }
        }
        Line::from(spans)
    };
    // The accounts take what room the line has: in words when it fits, shorter when not, so
    // that the standby's state is never pushed off the edge.
    let forms = [
        build("   ⇄   ", Detail::Full, true),
        build(" ⇄ ", Detail::Full, true),
        build(" ⇄ ", Detail::Compact, true),
        build(" ⇄ ", Detail::Minimal, true),
        build(" ⇄ ", Detail::Minimal, false),
        // Last, the account only when it is wrong or unverified.
        build(" ⇄ ", Detail::Alarms, false),
    ];
    let last = forms[5].clone();
    let line = forms
        .into_iter()
        .find(|l| l.width() <= width)
        .unwrap_or(last);
    Line::from(ui::fit::truncate_spans(line.spans, width))
}

/// The side the DNS record points at, as last read.
pub fn dns_side(app: &App) -> Option<Side> {
    app.global
        .data
        .as_ref()
        .and_then(|g| g.dns.as_ref())
        .and_then(|d| d.as_ref().ok())
        .and_then(|d| d.points_at)
}

/// How much of each side's account the regions line says.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Detail {
    /// `account 123456789012 (shop-prod) ✔ pinned`, and the fix for failing credentials.
    Full,
    /// `123456789012 (shop-prod) ✔`, and the fix.
    Compact,
    /// `123456789012`; failing credentials only named (their panels carry the fix).
    Minimal,
    /// No account unless it is wrong or unverified (the run view's one-line strip).
    Alarms,
}

pub fn region_spans<'a>(
    app: &App,
    theme: &Theme,
    side: Side,
    dns_at: Option<Side>,
    detail: Detail,
    roles: bool,
) -> Vec<Span<'a>> {
    let t = theme;
    let mut spans = vec![Span::styled(
        format!(
            "{} {}",
            side.as_str().to_uppercase(),
            app.estate.region(side).region
        ),
        side_style(theme, side),
    )];
    let role = app
        .region(side)
        .data
        .as_ref()
        .and_then(|r| r.database.as_ref())
        .and_then(|d| d.as_ref().ok())
        .map(|d| d.role.as_str());
    spans.extend(account_spans(app, theme, side, detail));
    if let Some(role) = role.filter(|_| roles) {
        spans.push(Span::styled(format!(" (db {role})"), t.text));
    }
    // Credentials that fail are the side's problem, not the region's: say what fixes them.
    let credentials = app.account(side).credentials_error().cloned();
    let (text, style) = match (credentials, app.state_of(side)) {
        (Some(e), _) => match (detail, e.fix) {
            (Detail::Minimal | Detail::Alarms, _) | (_, None) => {
                (" ✖ CREDENTIALS missing or expired".to_string(), t.critical)
            }
            (_, Some(fix)) => (format!(" ✖ CREDENTIALS: {fix}"), t.critical),
        },
        (None, FeedState::Fresh) => (" ● reachable".into(), t.healthy),
        (None, FeedState::Stale) => (" ● stale".into(), t.warning),
        (None, FeedState::Loading) => (" ○ loading".into(), t.muted),
        (None, FeedState::Unreachable) => (" ✖ UNREACHABLE".into(), t.critical),
        (None, FeedState::Throttled) => (" ◐ THROTTLED".into(), t.warning),
    };
    spans.push(Span::styled(text, style));
    if dns_at == Some(side) {
        spans.push(Span::styled("  ◀ DNS", t.title));
    }
    spans
}

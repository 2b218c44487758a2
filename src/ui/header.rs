//! Header: estate, mode, both regions with their account, role and health, where DNS points,
//! badges.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::region::side_style;
use super::theme::Theme;
use crate::app::{App, FeedState};
use crate::model::Side;
use crate::posture::PostureState;

pub fn draw(frame: &mut Frame, area: Rect, app: &App, theme: &Theme) {
    let width = area.width as usize;
    frame.render_widget(
        Paragraph::new(vec![
            first_line(app, theme, width),
            regions_line(app, theme, width),
        ]),
        area,
    );
}

/// Estate, mode, posture, badges, freshness: what does not fit `width` is left out, least
/// useful first (the poll interval, then the refresh age, then the active region's name),
/// never cut mid-word.
pub fn first_line<'a>(app: &App, theme: &Theme, width: usize) -> Line<'a> {
    let t = theme;
    let mut parts: Vec<(u8, Vec<Span<'a>>)> = vec![
        (9, vec![Span::styled(" drconsole ", t.title)]),
        (2, vec![Span::styled("│ ", t.muted)]),
        (
            8,
            vec![
                Span::styled(app.estate.name.clone(), t.title),
                Span::raw(" "),
            ],
        ),
    ];
    if app.simulation {
        parts.push((10, vec![Span::styled(" SIMULATION ", t.simulation)]));
    } else {
        parts.push((
            10,
            vec![Span::styled(format!(" AWS {} ", app.mode), t.badge)],
        ));
    }
    parts.extend(posture_parts(app, theme));
    if app.read_only {
        parts.push((
            10,
            vec![Span::raw(" "), Span::styled(" READ-ONLY ", t.badge)],
        ));
    }
    if app.paused {
        parts.push((
            9,
            vec![Span::raw(" "), Span::styled(" POLLING PAUSED ", t.warning)],
        ));
    }
    parts.push((
        4,
        vec![Span::styled(
            format!(
                "  refreshed {}",
                crate::timefmt::age(
                    app.last_refresh()
                        .map(|t| app.now.saturating_duration_since(t))
                ),
            ),
            t.muted,
        )],
    ));
    parts.push((
        1,
        vec![Span::styled(
            format!("  poll {}", crate::timefmt::dur(app.interval())),
            t.muted,
        )],
    ));
    let faults = active_faults(app);
    if !faults.is_empty() {
        parts.push((
            7,
            vec![Span::styled(
                format!("  faults: {}", faults.join(", ")),
                t.danger,
            )],
        ));
    }
    super::fit::drop_to_fit(parts, width)
}

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
    Line::from(super::fit::truncate_spans(line.spans, width))
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

/// `account 123456789012 (shop-prod)`; red when it is not the pinned one, or a pinned one
/// cannot be read. Nothing before the first read of an unpinned side.
fn account_spans<'a>(app: &App, theme: &Theme, side: Side, detail: Detail) -> Vec<Span<'a>> {
    let t = theme;
    let a = app.account(side);
    let label = |i: &crate::model::Identity| match detail {
        Detail::Minimal | Detail::Alarms => i.account_id.clone(),
        _ => i.label(),
    };
    let pinned = a.pinned.clone().unwrap_or_default();
    match (a.identity(), a.matches()) {
        (Some(_), Some(true) | None) if detail == Detail::Alarms => Vec::new(),
        (Some(i), Some(false)) => vec![Span::styled(
            format!(" ACCOUNT {} ≠ PINNED {pinned}", label(i)),
            t.danger,
        )],
        (Some(i), matches) => {
            let mut spans = vec![Span::styled(
                match detail {
                    Detail::Full => format!(" account {}", label(i)),
                    _ => format!(" {}", label(i)),
                },
                t.text,
            )];
            match (matches, detail) {
                (Some(true), Detail::Full) => spans.push(Span::styled(" ✔ pinned", t.healthy)),
                (Some(true), Detail::Compact) => spans.push(Span::styled(" ✔", t.healthy)),
                _ => {}
            }
            spans
        }
        (None, _) if a.pinned.is_some() && a.credentials_error().is_none() => vec![Span::styled(
            format!(" account {pinned} NOT VERIFIED"),
            t.danger,
        )],
        _ => Vec::new(),
    }
}

/// The posture and the active region, always shown: red with what disagrees on a split brain.
fn posture_parts<'a>(app: &App, theme: &Theme) -> Vec<(u8, Vec<Span<'a>>)> {
    let t = theme;
    let p = app.posture();
    let style = match p.state {
        PostureState::Normal | PostureState::Reprotected => t.healthy,
        PostureState::FailedOver => t.warning,
        PostureState::SplitBrain => t.danger,
        PostureState::Unknown => t.muted,
    };
    let active = p
        .active
        .map(|s| format!(" · active {} {}", s, app.estate.region(s).region))
        .unwrap_or_default();
    let mut parts = vec![
        (
            10,
            vec![
                Span::raw(" "),
                Span::styled(format!(" {} ", p.state.as_str().to_uppercase()), style),
            ],
        ),
        (5, vec![Span::styled(active, t.text)]),
    ];
    // What disagrees, or what could not be read: said, never guessed.
    match p.state {
        PostureState::SplitBrain => {
            parts.push((6, vec![Span::styled(format!(" {} ", p.detail), t.danger)]))
        }
        PostureState::Unknown => {
            parts.push((3, vec![Span::styled(format!(" ({})", p.detail), t.muted)]))
        }
        _ => {}
    }
    parts
}

fn active_faults(app: &App) -> Vec<&'static str> {
    let f = app.faults;
    let mut out = Vec::new();
    if f.primary_dark {
        out.push("primary dark");
    }
    if f.replication_stopped {
        out.push("replication stopped");
    }
    if f.throttling {
        out.push("throttling");
    }
    if f.stuck_step {
        out.push("stuck step");
    }
    out
}

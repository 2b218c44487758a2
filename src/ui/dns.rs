//! The DNS lines of the Route 53 panel: where the record sends traffic and, for a failover
//! pair, both records, the primary's health check and an inverted check shouted in red until
//! it is undone (a forgotten inverted check keeps traffic away from a healthy primary).

use ratatui::text::{Line, Span};

use super::theme::Theme;
use crate::app::FeedState;
use crate::model::{DnsReading, FailoverRecord, Side};

/// How many lines [`lines`] takes for an estate's DNS mode.
pub fn height(failover_routing: bool) -> usize {
    if failover_routing { 4 } else { 1 }
}

fn target<'a>(theme: &Theme, side: Option<Side>) -> (&'a str, ratatui::style::Style) {
    match side {
        Some(Side::Primary) => ("primary", theme.primary),
        Some(Side::Standby) => ("standby", theme.standby),
        None => ("unknown value", theme.critical),
    }
}

/// The panel's DNS lines.
pub fn lines<'a>(d: &DnsReading, theme: &Theme, state: FeedState) -> Vec<Line<'a>> {
    let t = theme;
    let style = |s| super::data_style(theme, state, s);
    let (to, to_style) = target(t, d.points_at);
    let mut first = vec![
        Span::styled(format!(" {} → ", d.record), style(t.text)),
        Span::styled(to, style(to_style)),
    ];
    if d.alias && d.failover.is_none() {
        first.push(Span::styled(" (alias)", style(t.muted)));
    }
    let Some(f) = &d.failover else {
        return vec![Line::from(first)];
    };
    first.push(Span::styled(" · failover routing", style(t.muted)));
    let mut out = vec![Line::from(first)];
    if let Some(p) = &f.problem {
        out.push(Line::from(Span::styled(format!(" {p}"), t.critical)));
    }
    for (role, r, side) in [
        ("PRIMARY  ", &f.primary, Side::Primary),
        ("SECONDARY", &f.standby, Side::Standby),
    ] {
        out.push(record(theme, state, role, r, f.answers == Some(side)));
    }
    if let Some(c) = &f.check {
        let line = if let Some(e) = &c.error {
            Line::from(Span::styled(format!(" check {}: {e}", c.id), t.critical))
        } else if c.inverted == Some(true) {
            // The words first: the panel is narrow and the id is cut before they are.
            Line::from(Span::styled(
                format!(" CHECK INVERTED · DNS held on standby · {}", c.id),
                t.critical,
            ))
        } else {
            let (mark, s) = match c.observed_healthy {
                Some(true) => ("healthy", t.healthy),
                Some(false) => ("UNHEALTHY", t.critical),
                None => ("no status", t.muted),
            };
            Line::from(vec![
                Span::styled(" primary check ", style(t.text)),
                Span::styled(mark, style(s)),
                Span::styled(format!(" · {}", c.id), style(t.muted)),
            ])
        };
        out.push(line);
    }
    out
}

fn record<'a>(
    theme: &Theme,
    state: FeedState,
    role: &str,
    r: &FailoverRecord,
    answered: bool,
) -> Line<'a> {
    let t = theme;
    let style = |s| super::data_style(theme, state, s);
    if !r.found {
        return Line::from(Span::styled(
            format!(" {role} {} MISSING", r.set_identifier),
            t.critical,
        ));
    }
    Line::from(vec![
        Span::styled(if answered { " ▶ " } else { "   " }, style(t.text)),
        Span::styled(
            format!("{role} "),
            style(if answered { t.text } else { t.muted }),
        ),
        Span::styled(
            r.target.clone().unwrap_or_else(|| "(none)".into()),
            style(t.muted),
        ),
    ])
}

/// The one-line summary's DNS words.
pub fn summary<'a>(d: &DnsReading, theme: &Theme, state: FeedState) -> Vec<Span<'a>> {
    let t = theme;
    let (to, to_style) = target(t, d.points_at);
    let mut spans = vec![
        Span::styled(" DNS → ", t.text),
        Span::styled(to, super::data_style(theme, state, to_style)),
    ];
    if d.inverted_check().is_some() {
        spans.push(Span::styled(" · INVERTED", t.critical));
    }
    spans
}

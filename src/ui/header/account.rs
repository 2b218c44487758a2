//! A side's account in the header, against the estate file's pin.

use ratatui::text::Span;

use super::Detail;
use crate::app::App;
use crate::model::Side;
use crate::ui::theme::Theme;

/// `account 123456789012 (shop-prod)`; red when it is not the pinned one, or a pinned one
/// cannot be read. Nothing before the first read of an unpinned side.
pub(super) fn account_spans<'a>(
    app: &App,
    theme: &Theme,
    side: Side,
    detail: Detail,
) -> Vec<Span<'a>> {
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

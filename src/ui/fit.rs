//! Text made to fit a width: names shortened with `…` (never cut bare), lines that drop their
//! least useful parts first, and word wrapping that keeps every word and its style.

use ratatui::style::Style;
use ratatui::text::{Line, Span};

/// The width of a text on screen (one column per character: AWS names are ASCII, and the
/// console's own marks are single-width).
pub fn width(text: &str) -> usize {
    text.chars().count()
}

/// `text` in at most `max` columns: whole if it fits, else cut with `…` as its last column.
pub fn truncate(text: &str, max: usize) -> String {
    if width(text) <= max {
        return text.to_string();
    }
    if max == 0 {
        return String::new();
    }
    let mut out: String = text.chars().take(max - 1).collect();
    out.push('…');
    out
}

/// Spans cut to `max` columns in all, the last one ending in `…` when anything was cut.
pub fn truncate_spans<'a>(spans: Vec<Span<'a>>, max: usize) -> Vec<Span<'a>> {
    let total: usize = spans.iter().map(|s| width(&s.content)).sum();
    if total <= max {
        return spans;
    }
    let mut out = Vec::new();
    let mut left = max;
    for s in spans {
        let w = width(&s.content);
        if w < left {
            left -= w;
            out.push(s);
            continue;
        }
        out.push(Span::styled(truncate(&s.content, left), s.style));
        break;
    }
    out
}

/// One line from parts of different importance: parts are dropped, least important first,
/// until the rest fits `max`; what still does not fit is cut with `…`. Parts keep their order.
pub fn drop_to_fit<'a>(parts: Vec<(u8, Vec<Span<'a>>)>, max: usize) -> Line<'a> {
    let mut parts = parts;
    let len = |parts: &[(u8, Vec<Span<'a>>)]| -> usize {
        parts
            .iter()
            .flat_map(|(_, spans)| spans)
            .map(|s| width(&s.content))
            .sum()
    };
    while len(&parts) > max && parts.len() > 1 {
        let Some(least) = parts
            .iter()
            .enumerate()
            .min_by_key(|(i, (rank, _))| (*rank, usize::MAX - *i))
            .map(|(i, _)| i)
        else {
            break;
        };
        parts.remove(least);
    }
    let spans: Vec<Span<'a>> = parts.into_iter().flat_map(|(_, s)| s).collect();
    Line::from(truncate_spans(spans, max))
}

/// Words of a line wrapped into rows of at most `max` columns, every word kept with its
/// style; rows after the first are indented by `indent` columns. A word longer than a row is
/// split across rows.
pub fn wrap<'a>(line: &Line<'a>, max: usize, indent: usize) -> Vec<Line<'a>> {
    let max = max.max(indent + 8);
    let mut rows: Vec<Vec<Span<'a>>> = vec![Vec::new()];
    let mut used = 0usize;
    let style_of = |s: &Span<'a>| line.style.patch(s.style);
    for span in &line.spans {
        let style: Style = style_of(span);
        for piece in pieces(&span.content) {
            let mut piece = piece.to_string();
            loop {
                let w = width(&piece);
                if used + w <= max {
                    push(rows.last_mut(), &piece, style);
                    used += w;
                    break;
                }
                let blank = piece.trim().is_empty();
                if blank {
                    // Spaces at a break are dropped.
                    break;
                }
                let fresh = used <= indent;
                if fresh {
                    // A word longer than a whole row: split it.
                    let room = max - used;
                    let head: String = piece.chars().take(room).collect();
                    let tail: String = piece.chars().skip(room).collect();
                    push(rows.last_mut(), &head, style);
                    piece = tail;
                }
                rows.push(vec![Span::raw(" ".repeat(indent))]);
                used = indent;
                if !fresh {
                    piece = piece.trim_start().to_string();
                }
                if piece.is_empty() {
                    break;
                }
            }
        }
    }
    rows.into_iter().map(Line::from).collect()
}

fn push<'a>(row: Option<&mut Vec<Span<'a>>>, text: &str, style: Style) {
    if let Some(row) = row {
        row.push(Span::styled(text.to_string(), style));
    }
}

/// A text split into words, each with the spaces after it.
fn pieces(text: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut start = 0;
    let mut in_space = false;
    for (i, c) in text.char_indices() {
        if c == ' ' {
            in_space = true;
        } else if in_space {
            out.push(&text[start..i]);
            start = i;
            in_space = false;
        }
    }
    if start < text.len() {
        out.push(&text[start..]);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(line: &Line) -> String {
        line.spans.iter().map(|s| s.content.as_ref()).collect()
    }

    #[test]
    fn names_are_cut_with_an_ellipsis() {
        assert_eq!(truncate("notifier", 8), "notifier");
        assert_eq!(truncate("notifier", 6), "notif…");
        assert_eq!(truncate("notifier", 1), "…");
        assert_eq!(truncate("notifier", 0), "");
    }

    #[test]
    fn least_important_parts_go_first() {
        let parts = vec![
            (9, vec![Span::raw("orders ")]),
            (2, vec![Span::raw("poll 5s ")]),
            (5, vec![Span::raw("refreshed 2s ago ")]),
            (9, vec![Span::raw("NORMAL")]),
        ];
        assert_eq!(
            text(&drop_to_fit(parts.clone(), 80)),
            "orders poll 5s refreshed 2s ago NORMAL"
        );
        assert_eq!(
            text(&drop_to_fit(parts.clone(), 32)),
            "orders refreshed 2s ago NORMAL"
        );
        assert_eq!(text(&drop_to_fit(parts.clone(), 14)), "orders NORMAL");
        assert_eq!(text(&drop_to_fit(parts.clone(), 10)), "orders ");
        assert_eq!(text(&drop_to_fit(parts, 4)), "ord…");
    }

    #[test]
    fn wrapping_keeps_every_word() {
        let line = Line::from(vec![
            Span::raw("  promote the standby replica: "),
            Span::raw("orders-db-replica replica, available → orders-db-replica writer, available"),
        ]);
        let rows = wrap(&line, 30, 4);
        for r in &rows {
            assert!(text(r).chars().count() <= 30, "{:?}", text(r));
        }
        let joined: Vec<String> = rows.iter().map(|r| text(r).trim().to_string()).collect();
        assert_eq!(
            joined.join(" "),
            "promote the standby replica: orders-db-replica replica, available → orders-db-replica writer, available"
        );
        assert!(text(&rows[1]).starts_with("    "));
        // A word longer than a row is split, not lost.
        let rows = wrap(&Line::from("x".repeat(50)), 20, 2);
        let all: String = rows.iter().map(|r| text(r).trim().to_string()).collect();
        assert_eq!(all, "x".repeat(50));
    }
}

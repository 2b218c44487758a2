//! The end of the Markdown report's headline: the posture before and after the run, the
//! stale instances it left behind, and the writes it lost.

use std::fmt::Write;

use crate::runbook::journal::Journal;

/// Posture before and after, what the run left behind, and the writes it lost.
pub(super) fn lifecycle(out: &mut String, j: &Journal) {
    let m = &j.metrics;
    let posture = |p: &Option<crate::posture::Posture>| match p {
        Some(p) => format!(
            "{}{} ({})",
            p.state,
            p.active
                .map(|s| format!(", active {s}"))
                .unwrap_or_default(),
            p.detail
        ),
        None => "not read".into(),
    };
    let _ = writeln!(out, "- posture before: {}", posture(&m.posture_before));
    let _ = writeln!(out, "- posture after: {}", posture(&m.posture_after));
    if !m.stale.is_empty() {
        let _ = writeln!(
            out,
            "- stale instances left behind (kept, not deleted: delete them when no longer needed): {}",
            m.stale.join(", ")
        );
    }
    match (m.writes_lost(), m.ledger_end) {
        (Some(n), Some(end)) => {
            let _ = writeln!(
                out,
                "- writes lost: {n} (of {} acknowledged so far, counted by the simulator)",
                end.acknowledged
            );
        }
        (None, Some(_)) => {
            let _ = writeln!(
                out,
                "- writes lost: not counted (no writer serving at the end)"
            );
        }
        _ => {
            let _ = writeln!(
                out,
                "- writes lost: AWS does not count them; at most the RPO exposure above"
            );
        }
    }
}

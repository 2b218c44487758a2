//! The steps in the HTML report: those skipped and why, the failures, and every step's
//! status and duration.

use super::{head, row};
use crate::runbook::journal::{Journal, StepStatus};
use crate::runbook::report::secs;

pub(super) fn skipped_and_failed(out: &mut String, j: &Journal) {
    out.push_str("<h2>Skipped steps</h2>\n");
    let skipped: Vec<_> = j
        .steps
        .iter()
        .filter_map(|s| match &s.status {
            StepStatus::Skipped { reason } => Some((s, reason)),
            _ => None,
        })
        .collect();
    if skipped.is_empty() {
        out.push_str("<p>None.</p>\n");
    } else {
        out.push_str("<table id=\"skipped\">\n");
        head(out, &["step", "title", "reason"]);
        for (s, reason) in skipped {
            row(out, &[&s.id, &s.title, reason]);
        }
        out.push_str("</table>\n");
    }
    out.push_str("<h2>Failures</h2>\n");
    let failures: Vec<_> = j
        .timeline
        .iter()
        .filter(|t| t.text.starts_with("failed:"))
        .collect();
    if failures.is_empty() {
        out.push_str("<p>None.</p>\n");
    } else {
        out.push_str("<table id=\"failures\">\n");
        head(out, &["at", "UTC", "step", "reason"]);
        for t in failures {
            row(
                out,
                &[
                    &secs(t.at),
                    &t.utc.to_rfc3339(),
                    t.step.as_deref().unwrap_or(""),
                    &t.text,
                ],
            );
        }
        out.push_str("</table>\n");
    }
}

pub(super) fn steps_table(out: &mut String, j: &Journal) {
    out.push_str("<h2>Steps</h2>\n<table id=\"steps\">\n");
    head(
        out,
        &["step", "title", "status", "started", "duration", "note"],
    );
    for s in &j.steps {
        let dur = match (s.started, s.finished) {
            (Some(a), Some(b)) => secs(b - a),
            _ => "—".into(),
        };
        row(
            out,
            &[
                &s.id,
                &s.title,
                s.status.label(),
                &s.started.map(secs).unwrap_or_else(|| "—".into()),
                &dur,
                s.status.note().unwrap_or(""),
            ],
        );
    }
    out.push_str("</table>\n");
}

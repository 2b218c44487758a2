//! The report in Markdown (`report.md`): the headline (the run, its kind, the RTO and RPO
//! achieved), where the time went, the steps, those skipped, the failures and the timeline.

mod lifecycle;
mod summary;

use std::fmt::Write;
use std::time::Duration;

use super::secs;
use crate::runbook::journal::{Journal, StepStatus};

fn cell(text: &str) -> String {
    text.replace('|', "\\|").replace('\n', " ")
}

/// Where the time went, up to the RTO and over the whole run: the operator's, AWS's, the
/// engine's.
fn time_split(out: &mut String, j: &Journal) {
    let _ = writeln!(out, "## Where the time went");
    let _ = writeln!(out);
    let _ = writeln!(
        out,
        "Waiting for the operator: from a question shown (a confirmation, or a decision after a \
         failure) to its answer. Waiting for AWS: calls and verification until AWS shows the \
         target state. Engine overhead: the rest (preflight reads, journal writes, the ticks \
         between reads)."
    );
    let _ = writeln!(out);
    let _ = writeln!(
        out,
        "| stretch | waiting for the operator | waiting for AWS | engine overhead | total |"
    );
    let _ = writeln!(out, "|---|---|---|---|---|");
    let part = |x: f64, total: f64| {
        if total > 0.0 {
            format!("{} ({:.0} %)", secs(x), 100.0 * x / total)
        } else {
            secs(x)
        }
    };
    let mut row = |name: &str, until: f64| {
        let s = crate::runbook::rto::split(j, until);
        let _ = writeln!(
            out,
            "| {name} | {} | {} | {} | {} |",
            part(s.operator, s.total),
            part(s.aws, s.total),
            part(s.engine, s.total),
            secs(s.total)
        );
    };
    if let Some(rto) = j.metrics.rto() {
        row("achieved RTO (start → serving)", rto);
    }
    row("whole run", j.elapsed);
    let _ = writeln!(out);
}

/// The report of a run; `objective` is the estate's `rto_objective`.
pub fn render(j: &Journal, objective: Option<Duration>) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "# Runbook report: {} ({})", j.runbook, j.estate);
    let _ = writeln!(out);
    summary::headline(&mut out, j, objective);
    let _ = writeln!(out);

    time_split(&mut out, j);

    let _ = writeln!(out, "## Steps");
    let _ = writeln!(out);
    let _ = writeln!(out, "| step | title | status | started | duration | note |");
    let _ = writeln!(out, "|---|---|---|---|---|---|");
    for s in &j.steps {
        let indent = if s.parent.is_some() { "↳ " } else { "" };
        let started = s.started.map(secs).unwrap_or_else(|| "—".into());
        let dur = match (s.started, s.finished) {
            (Some(a), Some(b)) => secs(b - a),
            _ => "—".into(),
        };
        let _ = writeln!(
            out,
            "| {indent}{} | {} | {} | {started} | {dur} | {} |",
            cell(&s.id),
            cell(&s.title),
            s.status.label(),
            cell(s.status.note().unwrap_or(""))
        );
    }
    let _ = writeln!(out);

    let skipped: Vec<_> = j
        .steps
        .iter()
        .filter_map(|s| match &s.status {
            StepStatus::Skipped { reason } => Some((s, reason)),
            _ => None,
        })
        .collect();
    let _ = writeln!(out, "## Skipped steps");
    let _ = writeln!(out);
    if skipped.is_empty() {
        let _ = writeln!(out, "None.");
    }
    for (s, reason) in skipped {
        let _ = writeln!(out, "- `{}` {}: {reason}", s.id, s.title);
    }
    let _ = writeln!(out);

    let _ = writeln!(out, "## Failures");
    let _ = writeln!(out);
    let failures: Vec<_> = j
        .timeline
        .iter()
        .filter(|t| t.text.starts_with("failed:"))
        .collect();
    if failures.is_empty() {
        let _ = writeln!(out, "None.");
    }
    for t in failures {
        let _ = writeln!(
            out,
            "- {} `{}` {}",
            secs(t.at),
            t.step.clone().unwrap_or_default(),
            t.text
        );
    }
    let _ = writeln!(out);

    let _ = writeln!(out, "## Timeline");
    let _ = writeln!(out);
    let _ = writeln!(out, "| at | UTC | step | event |");
    let _ = writeln!(out, "|---|---|---|---|");
    for t in &j.timeline {
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} |",
            secs(t.at),
            t.utc.format("%H:%M:%S"),
            cell(t.step.as_deref().unwrap_or("")),
            cell(&t.text)
        );
    }
    out
}

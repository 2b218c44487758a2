//! The run's table in the HTML report: which run, its kind, when, its outcome, who ran it,
//! from which accounts.

use super::{Inputs, row};
use crate::runbook::journal::{Journal, RunOutcome};
use crate::runbook::report::secs;

fn outcome(j: &Journal) -> String {
    match &j.outcome {
        Some(RunOutcome::Completed) => "completed".into(),
        Some(RunOutcome::Aborted { reason }) => format!("aborted: {reason}"),
        None => "unfinished".into(),
    }
}

pub(super) fn summary(out: &mut String, i: &Inputs) {
    let j = i.journal;
    let e = i.evidence;
    out.push_str("<h2>Run</h2>\n<table id=\"run\">\n");
    row(out, &["run", &j.run_id]);
    row(out, &["runbook", &j.runbook]);
    row(out, &["estate", &j.estate]);
    row(
        out,
        &[
            "kind",
            if j.dry_run {
                "dry run"
            } else if j.drill {
                "drill"
            } else {
                "real incident"
            },
        ],
    );
    row(out, &["started (UTC)", &j.started_at.to_rfc3339()]);
    row(
        out,
        &[
            "finished (UTC)",
            &format!(
                "{} ({} after the start)",
                j.updated_at.to_rfc3339(),
                secs(j.elapsed)
            ),
        ],
    );
    row(out, &["outcome", &outcome(j)]);
    let who = match (&e.user, &e.host) {
        (Some(u), Some(h)) => format!("{u}@{h}"),
        (Some(u), None) => u.clone(),
        _ => "not recorded".into(),
    };
    row(out, &["operator", &who]);
    if let Some(b) = &e.backend {
        row(out, &["backend", b]);
    }
    for (side, account) in &j.accounts {
        row(out, &[&format!("{side} account"), account]);
    }
    out.push_str("</table>\n");
}

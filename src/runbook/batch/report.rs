//! The batch's drill report in Markdown: one row per estate (its outcome, exit code, achieved
//! RTO, RPO exposure, writes lost and its own report), and the one-line summary.

use super::{BatchResult, EstateResult};
use crate::exit;
use crate::runbook::journal::RunOutcome;

/// `batch failover: 3 estate(s): 2 completed, 1 stopped (billing)`.
pub fn summary_line(r: &BatchResult) -> String {
    let done: Vec<&str> = r
        .estates
        .iter()
        .filter(|e| e.code == exit::RUN_DONE)
        .map(|e| e.name.as_str())
        .collect();
    let not: Vec<String> = r
        .estates
        .iter()
        .filter(|e| e.code != exit::RUN_DONE)
        .map(|e| format!("{} ({})", e.name, outcome_word(e)))
        .collect();
    let mut s = format!(
        "batch {}: {} estate(s): {} completed",
        r.runbook,
        r.estates.len(),
        done.len()
    );
    if !not.is_empty() {
        s.push_str(&format!(", not completed: {}", not.join(", ")));
    }
    s
}

fn outcome_word(e: &EstateResult) -> &'static str {
    match e.code {
        exit::RUN_DONE => "completed",
        exit::RUN_PLAN_ONLY => "plan only",
        exit::RUN_STOPPED => "stopped",
        exit::RUN_REFUSED => "refused",
        exit::ACCOUNT_MISMATCH => "account refused",
        _ => "could not start",
    }
}

/// The batch's drill report: one row per estate, then each estate's own report's path.
pub fn render(r: &BatchResult, started: &str) -> String {
    let mut s = format!(
        "# Batch {}: {} estate(s)\n\nStarted {started}. {}\n\n",
        r.runbook,
        r.estates.len(),
        summary_line(r)
    );
    s.push_str(
        "| estate | outcome | exit | achieved RTO | RPO exposure | writes lost | report |\n",
    );
    s.push_str("|---|---|---|---|---|---|---|\n");
    for e in &r.estates {
        let (rto, rpo, lost, report) = match &e.summary {
            Some(sum) => (
                sum.rto
                    .map(|d| crate::runbook::report::secs(d.as_secs_f64()))
                    .unwrap_or_else(|| "—".into()),
                sum.metrics
                    .rpo_lag
                    .map(|l| l.to_string())
                    .unwrap_or_else(|| "—".into()),
                sum.metrics
                    .writes_lost()
                    .map(|n| n.to_string())
                    .unwrap_or_else(|| "at most the RPO exposure".into()),
                sum.report
                    .as_ref()
                    .map(|p| p.display().to_string())
                    .unwrap_or_else(|| "—".into()),
            ),
            None => ("—".into(), "—".into(), "—".into(), "—".into()),
        };
        let mut outcome = outcome_word(e).to_string();
        if let Some(sum) = &e.summary
            && let RunOutcome::Aborted { reason } = &sum.outcome
        {
            outcome.push_str(&format!(": {}", reason.replace('|', "/")));
        }
        if let Some(err) = &e.error {
            outcome.push_str(&format!(": {}", err.replace('|', "/")));
        }
        s.push_str(&format!(
            "| {} | {outcome} | {} | {rto} | {rpo} | {lost} | {report} |\n",
            e.name, e.code
        ));
    }
    s
}

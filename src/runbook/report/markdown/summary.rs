//! The headline of the Markdown report: the run, its kind and accounts, the RTO achieved
//! (DNS moved, then as users feel it) against the objective, the RPO exposure, the posture
//! before and after, and the writes lost.

use std::fmt::Write;
use std::time::Duration;

use super::lifecycle::lifecycle;
use crate::runbook::journal::{Journal, RunOutcome};
use crate::runbook::report::secs;

/// The headline's lines; `objective` is the estate's `rto_objective`.
pub(super) fn headline(out: &mut String, j: &Journal, objective: Option<Duration>) {
    let outcome = match &j.outcome {
        Some(RunOutcome::Completed) => "completed".to_string(),
        Some(RunOutcome::Aborted { reason }) => format!("aborted: {reason}"),
        None => "unfinished".to_string(),
    };
    let _ = writeln!(
        out,
        "- run: `{}`{}",
        j.run_id,
        if j.dry_run {
            " (dry run: no AWS change made)"
        } else {
            ""
        }
    );
    // Said from the journal, which records it from the run's start (`--drill`, or `d` in
    // the console's runbook list): never decided afterwards.
    let _ = writeln!(
        out,
        "- kind: {}",
        if j.drill {
            "drill"
        } else {
            "real incident (not marked as a drill)"
        }
    );
    let _ = writeln!(out, "- started: {}", j.started_at.to_rfc3339());
    let _ = writeln!(
        out,
        "- finished: {} ({} after the start)",
        j.updated_at.to_rfc3339(),
        secs(j.elapsed)
    );
    let _ = writeln!(out, "- outcome: {outcome}");
    for (side, account) in &j.accounts {
        let _ = writeln!(out, "- {side} account: {account}");
    }
    let rto = match j.metrics.rto() {
        Some(r) => format!(
            "{} (run start → DNS on {} and its health checks healthy)",
            secs(r),
            j.metrics
                .dns_side
                .map(|s| s.to_string())
                .unwrap_or_default()
        ),
        None => {
            "not reached (DNS not moved, or the target's health checks not seen healthy)".into()
        }
    };
    let _ = writeln!(out, "- achieved RTO: {rto}");
    let felt = match (j.metrics.rto_alarms(), j.metrics.alarms_ok_side) {
        (Some(f), Some(side)) => format!(
            "{} (alarms recovered in {side}: none in ALARM, one OK at least)",
            secs(f)
        ),
        _ => {
            "not reached: the new active region's alarms were not all seen OK before the run ended"
                .into()
        }
    };
    let _ = writeln!(out, "- recovery as users feel it: {felt}");
    let _ = writeln!(out, "- RTO objective: {}", objective_line(j, objective));
    if let Some(rto) = j.metrics.rto() {
        let s = crate::runbook::rto::split(j, rto);
        let _ = writeln!(
            out,
            "- the RTO spent: {} waiting for the operator, {} waiting for AWS, {} engine overhead",
            secs(s.operator),
            secs(s.aws),
            secs(s.engine)
        );
    }
    let restored = j.steps.iter().any(|s| {
        s.memo
            .calls_done
            .iter()
            .any(|c| c.starts_with("backup:StartRestoreJob"))
    });
    let rpo = match (j.metrics.promoted_at, j.metrics.rpo_lag) {
        (Some(at), Some(lag)) if restored => format!(
            "recovery point age {} at the restore ({} after the start)",
            lag,
            secs(at)
        ),
        (Some(at), Some(lag)) => format!(
            "replica lag {} at the promotion ({} after the start)",
            lag,
            secs(at)
        ),
        (Some(at), None) => format!(
            "unknown: lag not read at the promotion ({} after the start)",
            secs(at)
        ),
        (None, _) => "no promotion in this run".into(),
    };
    let _ = writeln!(out, "- RPO exposure: {rpo}");
    lifecycle(out, j);
}

/// The RTO against the objective, if one is set.
fn objective_line(j: &Journal, objective: Option<Duration>) -> String {
    match (j.metrics.rto(), objective) {
        (Some(rto), Some(goal)) => crate::runbook::rto::against(rto, goal),
        (None, Some(goal)) => format!("{} (RTO not reached)", secs(goal.as_secs_f64())),
        (_, None) => "not set (`rto_objective` in the estate file)".into(),
    }
}

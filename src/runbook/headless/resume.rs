//! Which run a headless command runs: resume the newest unfinished one, abandon it for a new
//! one (`--new`), or run nothing after a completed run.

use std::io::Write;
use std::path::{Path, PathBuf};

use chrono::Utc;
use serde_json::json;

use super::HeadlessOptions;
use crate::runbook::api::RunContext;
use crate::runbook::audit::AuditLog;
use crate::runbook::journal::{Journal, RunOutcome};
use crate::runbook::lock::local::LocalLock;

pub(super) enum Pick {
    Resume(PathBuf, Box<Journal>),
    /// A new run, once these unfinished runs are abandoned (`--new`): done only after the
    /// new run's consent is checked, and never to a run whose lock is held.
    New(Vec<(PathBuf, Journal)>),
    /// The runbook's last run completed and nothing else ran since.
    Nothing,
}

/// Which run a live headless command runs (see the module's note). The plan alone (no
/// `--yes`, or `--dry-run`) always plans a new run, and says when one is unfinished.
pub(super) fn pick_run(
    ctx: &RunContext,
    name: &str,
    opts: &HeadlessOptions,
    plan_only: bool,
    out: &mut impl Write,
) -> Pick {
    let runs = match Journal::live_runs(&ctx.state_dir, &ctx.estate.name) {
        Ok(r) => r,
        Err(e) => {
            let _ = writeln!(out, "warning: cannot read the run journals: {e}");
            Vec::new()
        }
    };
    let unfinished: Vec<&(PathBuf, Journal)> = runs
        .iter()
        .filter(|(_, j)| j.runbook == name && j.outcome.is_none())
        .collect();
    if opts.dry_run || plan_only {
        if let Some((path, j)) = unfinished.last() {
            let _ = writeln!(
                out,
                "run {} of {name} is unfinished ({}): with --yes it is resumed; this plan is a new run's",
                j.run_id,
                path.display()
            );
        }
        return Pick::New(Vec::new());
    }
    if opts.new_run {
        return Pick::New(unfinished.into_iter().cloned().collect());
    }
    if let Some((path, j)) = unfinished.last() {
        return Pick::Resume(path.clone(), Box::new(j.clone()));
    }
    match runs.last() {
        Some((path, j))
            if j.runbook == name && matches!(j.outcome, Some(RunOutcome::Completed)) =>
        {
            let _ = writeln!(
                out,
                "run {} of {name} completed at {} ({}): nothing to resume and nothing to do; \
                 --new starts another run",
                j.run_id,
                j.updated_at.format("%Y-%m-%d %H:%M:%S UTC"),
                path.display()
            );
            Pick::Nothing
        }
        _ => Pick::New(Vec::new()),
    }
}

/// Marks an unfinished run aborted in its journal and in the audit log; never one whose
/// estate's run lock is held on this host (a live run, perhaps another operator's).
pub(super) fn abandon(ctx: &RunContext, path: &Path, j: &Journal, out: &mut impl Write) -> bool {
    if LocalLock::new(&ctx.state_dir, &ctx.estate.name).is_held() {
        let holder = LocalLock::new(&ctx.state_dir, &ctx.estate.name)
            .holder()
            .map(|h| h.describe())
            .unwrap_or_else(|| "a live process".into());
        let _ = writeln!(
            out,
            "not abandoned: run {} ({}): the estate's run lock is held by {holder}",
            j.run_id,
            path.display()
        );
        return false;
    }
    let reason = format!(
        "abandoned by {}: a new run of {} was started with --new",
        ctx.user, j.runbook
    );
    let mut j = j.clone();
    j.outcome = Some(RunOutcome::Aborted {
        reason: reason.clone(),
    });
    j.updated_at = Utc::now();
    let saved = j.save(path);
    let audited = AuditLog::open(&ctx.audit_path).and_then(|a| {
        a.write(
            &j.run_id,
            None,
            "run_abandoned",
            json!({"reason": reason, "user": ctx.user, "journal": path}),
        )
    });
    let _ = match (saved, audited) {
        (Ok(()), Ok(())) => writeln!(
            out,
            "abandoned unfinished run {} ({}): marked aborted",
            j.run_id,
            path.display()
        ),
        (Err(e), _) | (_, Err(e)) => writeln!(
            out,
            "warning: abandoning run {} ({}): {e}",
            j.run_id,
            path.display()
        ),
    };
    true
}

//! Runs a runbook without the console (`drconsole run NAME`), printing the live log.
//!
//! Which run it runs (a live run, i.e. with `--yes`; the plan alone never resumes):
//! - the newest unfinished run of NAME on this estate in the state directory, resumed where it
//!   stopped ("resuming run ID from JOURNAL"): a crashed or stopped run is never started
//!   again from its first step, and a call it had in flight is checked in AWS first;
//! - with `--new`, a new run, after marking every unfinished run of NAME aborted
//!   ("abandoned") in its journal and in the audit log;
//! - nothing, when the newest run in the state directory is a completed run of NAME: that
//!   failover has been made; `--new` runs it again (a run of another runbook since, e.g. a
//!   failback, lifts this);
//! - otherwise a new run.
//!
//! A step that fails in an unattended run is skipped when it is optional; otherwise the run
//! stops there unfinished (exit 1), to be resumed by the same command once the cause is fixed.
//!
//! Before any of that, both sides' accounts are read: while a pinned one differs or cannot be
//! read, a live run is refused before it starts (exit [`ACCOUNT_MISMATCH`], audited as
//! `run_refused`); a dry run still prints its plan, says so, and exits the same way.

pub mod consent;
mod follow;
mod options;
mod preflight;
mod prompts;
mod resume;

use std::io::Write;
use std::sync::Arc;

use super::api::{RunError, RunMode, RunSummary};
use super::reader::Reader;
use crate::backend::Backend;
use crate::config::Estate;
use crate::exit;

pub use options::HeadlessOptions;
use preflight::{missing_consent, refuse_accounts, refuse_missing, touched_sides};
use resume::{Pick, pick_run};

pub use crate::exit::ACCOUNT_MISMATCH;

/// How a headless run ended; `code` is the process exit status to use.
#[derive(Debug, Clone)]
pub struct HeadlessExit {
    /// [`exit::RUN_DONE`] completed (or nothing to do: the runbook's last run completed);
    /// [`exit::RUN_STOPPED`] stopped after a failure (resumable); [`exit::RUN_PLAN_ONLY`] not
    /// confirmed (`--yes` missing); [`exit::RUN_REFUSED`] an irreversible step without
    /// `--allow-irreversible`, or one discarding writes without `--allow-data-loss`; [`exit::ACCOUNT_MISMATCH`] a pinned account not verified.
    pub code: i32,
    pub summary: Option<RunSummary>,
    /// Why the run was refused before it started, when it was.
    pub refused: Option<String>,
    /// Refused (before it started, or at the step) because a step's data loss is unknown or
    /// larger than the one an evacuation showed (`shown_loss`): a new decision is needed.
    pub loss_grew: bool,
}

/// Runs `name` to its end. Without `yes` it makes a dry run (the whole plan) and exits 2.
/// A failed optional step is skipped (the reason is logged); any other failure aborts.
pub async fn run_headless(
    estate: Arc<Estate>,
    backend: Arc<dyn Backend>,
    name: &str,
    opts: HeadlessOptions,
    mut out: impl Write,
) -> Result<HeadlessExit, RunError> {
    let refuse_all = !opts.yes && !opts.dry_run;
    let mode = if opts.dry_run || refuse_all {
        RunMode::DryRun
    } else {
        RunMode::Live
    };
    let mut ctx = opts.context(estate, backend, mode);
    let reader = Reader::new(
        ctx.backend.clone(),
        ctx.estate.clone(),
        ctx.pace,
        ctx.readings.clone(),
    );
    // Only the sides the runbook calls: a failover with the primary dark neither waits for
    // its identity nor is refused by its pin.
    let sides = touched_sides(&ctx, name);
    ctx.accounts = super::accounts::read(&reader, &sides).await;
    let refused = crate::model::refusal_on(&ctx.accounts, &sides);
    if let Some(why) = &refused {
        if mode == RunMode::Live {
            refuse_accounts(&ctx, name, why, &mut out);
            let _ = out.flush();
            return Ok(HeadlessExit {
                code: ACCOUNT_MISMATCH,
                summary: None,
                refused: Some(why.clone()),
                loss_grew: false,
            });
        }
        let _ = writeln!(
            out,
            "dry run: the plan below calls nothing; a live run would be refused: {why}"
        );
    }
    if refuse_all {
        let _ = writeln!(
            out,
            "not confirmed: showing the plan only (run again with --yes to make these calls)"
        );
    }
    let pick = pick_run(&ctx, name, &opts, refuse_all, &mut out);
    if mode == RunMode::Live {
        let journal = match &pick {
            Pick::Resume(_, j) => Some(&**j),
            _ => None,
        };
        let missing = missing_consent(&ctx, &reader, name, journal, &opts).await;
        if !missing.is_empty() {
            let why = refuse_missing(&ctx, name, &missing, &opts, &mut out);
            let _ = out.flush();
            let loss_grew =
                opts.shown_loss.is_some() && missing.iter().any(|m| m.flag == "--allow-data-loss");
            return Ok(HeadlessExit {
                code: exit::RUN_REFUSED,
                summary: None,
                refused: Some(why),
                loss_grew,
            });
        }
    }
    let handle = match pick {
        Pick::Resume(path, journal) => {
            let _ = writeln!(
                out,
                "resuming run {} from {}",
                journal.run_id,
                path.display()
            );
            super::launch::resume(ctx, *journal)?
        }
        Pick::New(abandon) => {
            for (path, j) in &abandon {
                resume::abandon(&ctx, path, j, &mut out);
            }
            super::launch::start(ctx, name)?
        }
        Pick::Nothing => {
            let _ = out.flush();
            return Ok(HeadlessExit {
                code: exit::RUN_DONE,
                summary: None,
                refused: None,
                loss_grew: false,
            });
        }
    };
    let ended = follow::follow(handle, &opts, refused.is_some(), refuse_all, &mut out).await;
    let _ = out.flush();
    Ok(ended)
}

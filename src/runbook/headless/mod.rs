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

mod resume;

use std::io::Write;
use std::path::PathBuf;
use std::sync::Arc;

use super::api::{RunCommand, RunContext, RunError, RunEvent, RunMode, RunSummary};
use super::audit::AuditLog;
use super::journal::RunOutcome;
use super::reader::{Pace, Reader};
use crate::backend::Backend;
use crate::config::Estate;
use crate::exit;

use resume::{Pick, pick_run};

#[derive(Debug, Clone)]
pub struct HeadlessOptions {
    /// Plan every step, call nothing.
    pub dry_run: bool,
    /// Confirm every reversible step (without it, the plan is printed and nothing is called).
    pub yes: bool,
    /// Also confirm irreversible steps (promotion, global failover) by their region name.
    pub allow_irreversible: bool,
    /// Also accept a step that discards acknowledged writes (`DISCARD` in the console).
    pub allow_data_loss: bool,
    pub audit_path: Option<PathBuf>,
    pub state_dir: Option<PathBuf>,
    pub pace: Pace,
    /// Start a new run even when one of the runbook is unfinished (abandoning it) or the
    /// last one completed.
    pub new_run: bool,
    /// `--no-lock`: run without the shared run lock when its table cannot be reached.
    pub no_lock: bool,
    /// `--take-over USER@HOST`: take over an expired lease held by USER@HOST.
    pub take_over: Option<String>,
    /// `--drill`: the run is a drill, not a real incident.
    pub drill: bool,
    /// SHA-256 of the estate file.
    pub estate_sha256: Option<String>,
}

impl Default for HeadlessOptions {
    fn default() -> Self {
        HeadlessOptions {
            dry_run: false,
            yes: false,
            allow_irreversible: false,
            allow_data_loss: false,
            audit_path: None,
            state_dir: None,
            pace: Pace::REAL,
            new_run: false,
            no_lock: false,
            take_over: None,
            drill: false,
            estate_sha256: None,
        }
    }
}

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
    let mut ctx = RunContext::new(estate, backend, mode);
    if let Some(p) = opts.audit_path.clone() {
        ctx.audit_path = p;
    }
    if let Some(p) = opts.state_dir.clone() {
        ctx.state_dir = p;
    }
    ctx.pace = opts.pace;
    ctx.drill = opts.drill;
    ctx.estate_sha256 = opts.estate_sha256.clone();
    ctx.lock = crate::runbook::lock::LockOptions {
        no_lock: opts.no_lock,
        take_over: opts.take_over.clone(),
    };
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
            let _ = writeln!(
                out,
                "refused: {why}\nnothing was called: use the credentials of the pinned account \
                 (or correct `account_id` in the estate file) and run the same command again"
            );
            audit_refusal(&ctx, name, why, &mut out);
            let _ = out.flush();
            return Ok(HeadlessExit {
                code: ACCOUNT_MISMATCH,
                summary: None,
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
    let mut handle = match pick_run(&ctx, name, &opts, refuse_all, &mut out) {
        Pick::Resume(path, journal) => {
            let _ = writeln!(
                out,
                "resuming run {} from {}",
                journal.run_id,
                path.display()
            );
            super::launch::resume(ctx, *journal)?
        }
        Pick::New => super::launch::start(ctx, name)?,
        Pick::Nothing => {
            let _ = out.flush();
            return Ok(HeadlessExit {
                code: exit::RUN_DONE,
                summary: None,
            });
        }
    };
    let mut code = None;
    let mut summary = None;
    while let Some(ev) = handle.events.recv().await {
        match ev {
            RunEvent::Started {
                run_id,
                runbook,
                journal,
                steps,
                ..
            } => {
                let _ = writeln!(
                    out,
                    "run {run_id}: runbook {runbook}, {} step(s); journal {}",
                    steps.len(),
                    journal.display()
                );
            }
            RunEvent::Step(v) => {
                let note = v
                    .status
                    .note()
                    .map(|n| format!(": {n}"))
                    .unwrap_or_default();
                let _ = writeln!(out, "  - {} [{}] {}{note}", v.id, v.status.label(), v.title);
            }
            RunEvent::Log(line) => {
                let _ = writeln!(out, "{line}");
            }
            RunEvent::AwaitingConfirmation(p) => {
                let _ = writeln!(out, "== {} {}", p.step, p.title);
                for c in &p.changes {
                    let _ = writeln!(out, "   {c}");
                }
                for w in &p.warnings {
                    let _ = writeln!(out, "   warning: {w}");
                }
                if let Some(i) = &p.instruction {
                    let _ = writeln!(out, "   manual: {i} (acknowledged by --yes)");
                }
                for d in &p.discards {
                    let _ = writeln!(out, "   DATA LOSS: {d}");
                }
                match &p.type_to_confirm {
                    Some(_) if !opts.allow_irreversible => {
                        let _ = writeln!(
                            out,
                            "refused: {} makes an irreversible call; run again with --allow-irreversible{}",
                            p.step,
                            if p.discards.is_empty() {
                                ""
                            } else {
                                " --allow-data-loss (it also discards acknowledged writes)"
                            }
                        );
                        code.get_or_insert(exit::RUN_REFUSED);
                        let _ = handle.commands.send(RunCommand::Stop {
                            reason: "an irreversible call, and no --allow-irreversible".into(),
                        });
                    }
                    Some(_) if !p.discards.is_empty() && !opts.allow_data_loss => {
                        let _ = writeln!(
                            out,
                            "refused: {} discards acknowledged writes; run again with --allow-data-loss to accept that",
                            p.step
                        );
                        code.get_or_insert(exit::RUN_REFUSED);
                        let _ = handle.commands.send(RunCommand::Stop {
                            reason: "it discards acknowledged writes, and no --allow-data-loss"
                                .into(),
                        });
                    }
                    // Confirmed by the flags given, which the audit log records as such.
                    typed => {
                        let mut flags = vec!["--yes".to_string()];
                        if typed.is_some() {
                            flags.push("--allow-irreversible".into());
                        }
                        if !p.discards.is_empty() {
                            flags.push("--allow-data-loss".into());
                        }
                        let _ = handle.commands.send(RunCommand::ConfirmByFlags { flags });
                    }
                }
            }
            RunEvent::AwaitingDecision {
                step,
                error,
                optional,
                ..
            } => {
                if optional {
                    let _ = handle.commands.send(RunCommand::Skip {
                        reason: format!("optional step failed in an unattended run: {error}"),
                    });
                } else {
                    let _ = writeln!(
                        out,
                        "stopping: {step} failed: {error}\nthe run stays unfinished: the same \
                         command resumes it (AWS is read again before anything is repeated); \
                         --new abandons it"
                    );
                    code.get_or_insert(exit::RUN_STOPPED);
                    let _ = handle.commands.send(RunCommand::Suspend {
                        reason: format!("{step} failed in an unattended run: {error}"),
                    });
                }
            }
            RunEvent::Locked(refusal) => {
                let _ = writeln!(out, "refused: {refusal}");
                if let crate::runbook::lock::Refusal::Held {
                    holder, expired, ..
                } = &refusal
                {
                    if let Some(p) = &holder.progress.prompt {
                        let _ = writeln!(out, "   it is at: {p}");
                    }
                    if *expired {
                        let _ = writeln!(
                            out,
                            "   only if that run is dead: run again with --take-over {}",
                            holder.who()
                        );
                    }
                }
                code.get_or_insert(match refusal {
                    crate::runbook::lock::Refusal::Held { .. } => exit::LOCK_HELD,
                    crate::runbook::lock::Refusal::Unreachable(_) => exit::AWS_UNAVAILABLE,
                });
            }
            RunEvent::Followed(_) => {}
            RunEvent::Crashed { reason } => {
                let _ = writeln!(out, "the run stopped: {reason}");
                code.get_or_insert(exit::RUN_STOPPED);
            }
            RunEvent::Finished(s) => {
                if let Some(r) = &s.report {
                    let _ = writeln!(out, "report: {}", r.display());
                }
                if let Some(rto) = s.rto {
                    let _ = writeln!(
                        out,
                        "achieved RTO: {}",
                        super::report::secs(rto.as_secs_f64())
                    );
                }
                if let Some(felt) = s.metrics.rto_alarms() {
                    let _ = writeln!(
                        out,
                        "recovery as users feel it (alarms OK): {}",
                        super::report::secs(felt)
                    );
                }
                summary = Some(s);
            }
        }
    }
    if let Err(e) = handle.task.await {
        let _ = writeln!(out, "the run stopped: the engine failed: {e}");
        code.get_or_insert(exit::RUN_STOPPED);
    }
    let code = match (&summary, code) {
        _ if refused.is_some() => ACCOUNT_MISMATCH,
        (_, Some(c)) => c,
        _ if refuse_all => exit::RUN_PLAN_ONLY,
        (Some(s), None) if s.outcome == RunOutcome::Completed => exit::RUN_DONE,
        _ => exit::RUN_STOPPED,
    };
    let _ = out.flush();
    Ok(HeadlessExit { code, summary })
}

/// A refused run has no run id and no journal: the audit line says who tried what, and why.
fn audit_refusal(ctx: &RunContext, name: &str, why: &str, out: &mut impl Write) {
    let written = AuditLog::open(&ctx.audit_path).and_then(|log| {
        log.write(
            "-",
            None,
            "run_refused",
            serde_json::json!({"runbook": name, "user": ctx.user, "estate": ctx.estate.name,
                               "reason": why,
                               "accounts": super::accounts::audit_fields(&ctx.accounts)}),
        )
    });
    if let Err(e) = written {
        let _ = writeln!(
            out,
            "warning: the refusal could not be written to the audit log {}: {e}",
            ctx.audit_path.display()
        );
    }
}

/// The regions the runbook `name` calls (both when it cannot be built: the run then fails
/// on its own error).
fn touched_sides(ctx: &RunContext, name: &str) -> Vec<crate::model::Side> {
    super::defaults::resolve(&ctx.estate, name)
        .and_then(|spec| super::step::compile(&spec, &ctx.estate, &ctx.registry).ok())
        .map(|steps| super::step::sides_of(&steps, &ctx.estate))
        .unwrap_or_else(|| crate::model::Side::BOTH.to_vec())
}

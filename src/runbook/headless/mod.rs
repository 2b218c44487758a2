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
mod resume;

use std::io::Write;
use std::path::PathBuf;
use std::sync::Arc;

use super::api::{RunCommand, RunContext, RunError, RunEvent, RunMode, RunSummary, ShownLoss};
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
    /// `--rerun-unknown STEP` (repeatable): run again a program or function whose earlier
    /// run's outcome is unknown.
    pub rerun_unknown: Vec<String>,
    /// Set by an evacuation: the loss its typed phrase accepted for this estate, standing
    /// for `--allow-data-loss` only for a loss within it.
    pub shown_loss: Option<ShownLoss>,
    /// `--drill`: the run is a drill, not a real incident.
    pub drill: bool,
    /// SHA-256 of the estate file.
    pub estate_sha256: Option<String>,
}

impl HeadlessOptions {
    /// The confirmation flags given, as given: what the audit log records.
    pub fn given_flags(&self) -> Vec<String> {
        let mut f = Vec::new();
        if self.yes {
            f.push("--yes".to_string());
        }
        if self.allow_irreversible {
            f.push("--allow-irreversible".into());
        }
        if self.allow_data_loss {
            f.push("--allow-data-loss".into());
        }
        f.extend(
            self.rerun_unknown
                .iter()
                .map(|s| format!("--rerun-unknown {s}")),
        );
        f
    }
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
            rerun_unknown: Vec::new(),
            shown_loss: None,
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
    let mut handle = match pick {
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
    let mut code = None;
    let mut summary = None;
    let mut loss_grew = false;
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
                // Confirmed by the flags given, as given; a step they do not cover stops
                // the run (checked before the first change too: this is what changed since).
                let given = opts.given_flags();
                let missing = p.missing_flags(&given, opts.shown_loss);
                if missing.is_empty() {
                    let _ = handle.commands.send(RunCommand::ConfirmByFlags {
                        flags: given,
                        shown_loss: opts.shown_loss,
                    });
                } else {
                    let why = match opts.shown_loss {
                        Some(shown) if !p.discards.is_empty() && !p.loss_within(shown) => {
                            loss_grew = true;
                            format!(
                                "its data loss now ({}) is unknown or larger than the loss confirmed ({})",
                                p.losses
                                    .iter()
                                    .map(|l| l.to_string())
                                    .collect::<Vec<_>>()
                                    .join("; "),
                                shown_text(shown)
                            )
                        }
                        _ => format!("it needs {}", missing.join(" ")),
                    };
                    let _ = writeln!(
                        out,
                        "refused: {}: {why}; run again with {}",
                        p.step,
                        missing.join(" ")
                    );
                    code.get_or_insert(exit::RUN_REFUSED);
                    let _ = handle.commands.send(RunCommand::Stop { reason: why });
                }
            }
            RunEvent::AwaitingApproval(w) => {
                let _ = writeln!(
                    out,
                    "== {} {}: waiting for approval by another operator until {} UTC\n   \
                     plan sha256 {}",
                    w.step,
                    w.title,
                    w.expires_at.format("%H:%M:%S"),
                    w.plan_sha256
                );
                for l in &w.plan {
                    let _ = writeln!(out, "   {l}");
                }
                let _ = writeln!(
                    out,
                    "   another operator approves with: {} (or, following this run in the \
                     console: a, then {})",
                    w.command, w.step
                );
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
    Ok(HeadlessExit {
        code,
        summary,
        refused: None,
        loss_grew,
    })
}

/// `up to 12s` / `unknown`: what an evacuation showed for an estate.
fn shown_text(s: ShownLoss) -> String {
    match s.up_to_secs {
        Some(0) => "none".into(),
        Some(secs) => format!("up to {}", crate::timefmt::secs(secs)),
        None => "unknown".into(),
    }
}

/// The flags the runbook `name` still needs beyond those given (see [`consent`]).
async fn missing_consent(
    ctx: &RunContext,
    reader: &Reader,
    name: &str,
    journal: Option<&super::journal::Journal>,
    opts: &HeadlessOptions,
) -> Vec<consent::Missing> {
    let spec = match journal {
        Some(j) => Some(j.spec.clone()),
        None => super::defaults::resolve(&ctx.estate, name),
    };
    let Some(steps) =
        spec.and_then(|spec| super::step::compile(&spec, &ctx.estate, &ctx.registry).ok())
    else {
        // The run fails on its own error, before any change.
        return Vec::new();
    };
    let reader = reader
        .clone()
        .touching(&super::step::sides_of(&steps, &ctx.estate));
    consent::missing(&reader, &steps, journal, opts).await
}

/// Says and audits a refusal for missing flags; returns its reason.
fn refuse_missing(
    ctx: &RunContext,
    name: &str,
    missing: &[consent::Missing],
    opts: &HeadlessOptions,
    out: &mut impl Write,
) -> String {
    let mut flags: Vec<String> = Vec::new();
    for m in missing {
        if !flags.contains(&m.flag) {
            flags.push(m.flag.clone());
        }
    }
    let _ = writeln!(
        out,
        "refused before any change: the flags given do not cover every step of {name}"
    );
    for m in missing {
        let _ = writeln!(out, "   {} needs {}: {}", m.step, m.flag, m.why);
    }
    let _ = writeln!(
        out,
        "nothing was called; missing: {} (run again with them to accept that)",
        flags.join(" ")
    );
    let why = format!(
        "missing {}: {}",
        flags.join(" "),
        missing
            .iter()
            .map(|m| format!("{} {}", m.step, m.why))
            .collect::<Vec<_>>()
            .join("; ")
    );
    let written = AuditLog::open(&ctx.audit_path).and_then(|log| {
        log.write(
            "-",
            None,
            "run_refused",
            serde_json::json!({"runbook": name, "user": ctx.user, "estate": ctx.estate.name,
                               "reason": why, "flags": opts.given_flags(),
                               "shown_loss": opts.shown_loss,
                               "missing": flags}),
        )
    });
    if let Err(e) = written {
        let _ = writeln!(
            out,
            "warning: the refusal could not be written to the audit log {}: {e}",
            ctx.audit_path.display()
        );
    }
    why
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

//! A headless run followed to its end: its live log printed, each confirmation answered by
//! the flags given, a failed step skipped when optional and the run stopped otherwise, and
//! the exit code it ends with.

use std::io::Write;

use super::{ACCOUNT_MISMATCH, HeadlessExit, HeadlessOptions, prompts};
use crate::exit;
use crate::runbook::api::{RunCommand, RunEvent, RunHandle};
use crate::runbook::journal::RunOutcome;

/// Follows the run of `handle`; `refused`: a live run would have been refused (its accounts),
/// `refuse_all`: nothing was confirmed (the plan only).
pub(super) async fn follow(
    mut handle: RunHandle,
    opts: &HeadlessOptions,
    refused: bool,
    refuse_all: bool,
    out: &mut impl Write,
) -> HeadlessExit {
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
                if let Some(grew) = prompts::confirm(&p, opts, &handle.commands, out) {
                    loss_grew |= grew;
                    code.get_or_insert(exit::RUN_REFUSED);
                }
            }
            RunEvent::AwaitingApproval(w) => prompts::approval(&w, out),
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
                        crate::runbook::report::secs(rto.as_secs_f64())
                    );
                }
                if let Some(felt) = s.metrics.rto_alarms() {
                    let _ = writeln!(
                        out,
                        "recovery as users feel it (alarms OK): {}",
                        crate::runbook::report::secs(felt)
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
        _ if refused => ACCOUNT_MISMATCH,
        (_, Some(c)) => c,
        _ if refuse_all => exit::RUN_PLAN_ONLY,
        (Some(s), None) if s.outcome == RunOutcome::Completed => exit::RUN_DONE,
        _ => exit::RUN_STOPPED,
    };
    HeadlessExit {
        code,
        summary,
        refused: None,
        loss_grew,
    }
}

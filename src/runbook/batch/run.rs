//! A batch run: every estate's headless run, at most `concurrency` at once, each in a task
//! of its own; then the batch's report written and its summary line printed.

use std::io::Write;
use std::sync::Arc;

use tokio::sync::{Semaphore, mpsc};

use super::prefixed::Prefixed;
use super::{
    BatchMember, BatchProgress, BatchResult, EstateResult, SharedOut, ShownLosses, render,
    summary_line,
};
use crate::exit;
use crate::runbook::api::RunError;
use crate::runbook::headless::{HeadlessOptions, run_headless};
use crate::runbook::journal::Journal;

/// The code of a run that could not start, as `drconsole run` exits for one estate.
fn code_of(e: &RunError) -> i32 {
    match e {
        RunError::ReadOnly | RunError::UnknownRunbook(_) => exit::USAGE,
        RunError::Invalid(_) => exit::CONFIG,
        RunError::AlreadyFinished(_) => exit::INTERNAL,
        RunError::AccountRefused(_) => exit::ACCOUNT_MISMATCH,
    }
}

/// Runs `runbook` on every member, at most `concurrency` at once, and writes the batch
/// report into the state directory's `runs/` (unless nothing was confirmed: a plan only).
pub async fn run_batch(
    members: Vec<BatchMember>,
    shown: ShownLosses,
    runbook: &str,
    opts: HeadlessOptions,
    concurrency: usize,
    out: SharedOut,
    progress: Option<mpsc::UnboundedSender<BatchProgress>>,
) -> BatchResult {
    let slots = Arc::new(Semaphore::new(concurrency.max(1)));
    let started = chrono::Utc::now();
    let tasks = members.iter().enumerate().map(|(i, m)| {
        let slots = slots.clone();
        let mut opts = opts.clone();
        if let Some(Some(s)) = shown.get(i) {
            opts.shown_loss = Some(*s);
        }
        let out = out.clone();
        let progress = progress.clone();
        let m = m.clone();
        let runbook = runbook.to_string();
        async move {
            let _slot = slots.acquire_owned().await;
            if let Some(p) = &progress {
                let _ = p.send(BatchProgress::Started { estate: i });
            }
            let name = m.estate.name.clone();
            let writer = Prefixed {
                estate: i,
                name: name.clone(),
                out,
                progress: progress.clone(),
                partial: Vec::new(),
            };
            // Each run in its own task: a panic in one estate's run is that estate's failure.
            let run = tokio::spawn(async move {
                run_headless(m.estate.clone(), m.backend.clone(), &runbook, opts, writer).await
            });
            let result = match run.await {
                Ok(Ok(exit)) => EstateResult {
                    name,
                    code: exit.code,
                    summary: exit.summary,
                    error: exit.refused,
                    loss_grew: exit.loss_grew,
                },
                Ok(Err(e)) => EstateResult {
                    name,
                    code: code_of(&e),
                    summary: None,
                    error: Some(e.to_string()),
                    loss_grew: false,
                },
                Err(e) => EstateResult {
                    name,
                    code: exit::INTERNAL,
                    summary: None,
                    error: Some(format!("the run failed: {e}")),
                    loss_grew: false,
                },
            };
            if let Some(p) = &progress {
                if result.loss_grew {
                    let _ = p.send(BatchProgress::LossGrew { estate: i });
                }
                let _ = p.send(BatchProgress::Finished {
                    estate: i,
                    code: result.code,
                });
            }
            result
        }
    });
    let estates = futures::future::join_all(tasks).await;
    let mut result = BatchResult {
        runbook: runbook.to_string(),
        estates,
        report: None,
    };
    let confirmed = opts.yes && !opts.dry_run;
    if confirmed {
        let dir = opts
            .state_dir
            .clone()
            .unwrap_or_else(crate::runbook::audit::default_state_dir);
        let path = Journal::dir(&dir).join(format!(
            "batch-{}-{}.md",
            runbook,
            started.format("%Y%m%dT%H%M%SZ")
        ));
        let text = render(&result, &started.to_rfc3339());
        match Journal::write_bytes(&path, text.as_bytes()) {
            Ok(()) => result.report = Some(path),
            Err(e) => {
                if let Ok(mut o) = out.lock() {
                    let _ = writeln!(o, "warning: the batch report {}: {e}", path.display());
                }
            }
        }
    }
    if let Ok(mut o) = out.lock() {
        let _ = writeln!(o, "{}", summary_line(&result));
        if let Some(r) = &result.report {
            let _ = writeln!(o, "batch report: {}", r.display());
        }
        let _ = o.flush();
    }
    result
}

//! One runbook over several estates (evacuating a region): each estate's run is the
//! one-estate headless run, with its own journal, audit lines and drill report; at most
//! `concurrency` run at once; an estate that fails or is refused never stops the others. The
//! batch ends with one Markdown report: per estate its outcome, achieved RTO and data loss.
//!
//! Every line an estate's run prints is written whole, prefixed with the estate's name, and
//! offered to a progress channel (the fleet overview shows each estate's latest line).

use std::io::Write;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use tokio::sync::{Semaphore, mpsc};

pub mod plan;

use super::api::{RunError, RunSummary, ShownLoss};
use super::headless::{HeadlessOptions, run_headless};
use super::journal::{Journal, RunOutcome};
use crate::backend::Backend;
use crate::config::Estate;
use crate::exit;

/// The default number of estates run at once.
pub const DEFAULT_CONCURRENCY: usize = 4;

/// One estate of a batch.
#[derive(Clone)]
pub struct BatchMember {
    pub estate: Arc<Estate>,
    pub backend: Arc<dyn Backend>,
}

/// What an evacuation's typed confirmation covered for each estate (by position in the
/// batch): the loss it showed. An estate whose loss at its promotion is unknown or larger is
/// stopped there, with the reason in the batch report.
pub type ShownLosses = Vec<Option<ShownLoss>>;

/// What the overview hears while a batch runs.
#[derive(Debug, Clone, PartialEq)]
pub enum BatchProgress {
    /// The estate's run started (it waited for a free slot until now).
    Started { estate: usize },
    /// A line of the estate's live log.
    Line { estate: usize, line: String },
    /// The estate's run was refused because its loss is unknown or larger than the one
    /// shown (sent just before its `Finished`): a new decision is needed.
    LossGrew { estate: usize },
    /// The estate's run ended with this exit code.
    Finished { estate: usize, code: i32 },
}

/// How one estate's run ended.
#[derive(Debug, Clone)]
pub struct EstateResult {
    pub name: String,
    /// The code `drconsole run` would have exited with for this estate alone.
    pub code: i32,
    pub summary: Option<RunSummary>,
    /// Why the run could not start, when it could not.
    pub error: Option<String>,
    /// Refused because its loss grew past the one shown (see [`BatchProgress::LossGrew`]).
    pub loss_grew: bool,
}

#[derive(Debug, Clone)]
pub struct BatchResult {
    pub runbook: String,
    pub estates: Vec<EstateResult>,
    /// The batch's report, when one was written.
    pub report: Option<PathBuf>,
}

impl BatchResult {
    /// The worst estate's code (see [`worst_run_code`]).
    pub fn code(&self) -> i32 {
        worst_run_code(self.estates.iter().map(|e| e.code))
    }
}

/// Orders run codes from best to worst: done, plan only, stopped, refused, account refused,
/// then anything else (usage, configuration, internal).
pub fn worst_run_code(codes: impl IntoIterator<Item = i32>) -> i32 {
    let rank = |c: i32| match c {
        exit::RUN_DONE => 0,
        exit::RUN_PLAN_ONLY => 1,
        exit::RUN_STOPPED => 2,
        exit::RUN_REFUSED => 3,
        exit::ACCOUNT_MISMATCH => 4,
        _ => 5,
    };
    codes
        .into_iter()
        .max_by_key(|c| rank(*c))
        .unwrap_or(exit::RUN_DONE)
}

/// The code of a run that could not start, as `drconsole run` exits for one estate.
fn code_of(e: &RunError) -> i32 {
    match e {
        RunError::ReadOnly | RunError::UnknownRunbook(_) => exit::USAGE,
        RunError::Invalid(_) => exit::CONFIG,
        RunError::AlreadyFinished(_) => exit::INTERNAL,
        RunError::AccountRefused(_) => exit::ACCOUNT_MISMATCH,
    }
}

/// Where the batch's lines go: one shared writer, a whole line at a time.
pub type SharedOut = Arc<Mutex<Box<dyn Write + Send>>>;

/// Writes whole lines to the shared output, each prefixed `[estate] `.
struct Prefixed {
    estate: usize,
    name: String,
    out: SharedOut,
    progress: Option<mpsc::UnboundedSender<BatchProgress>>,
    partial: Vec<u8>,
}

impl Prefixed {
    fn emit(&mut self, line: &[u8]) {
        let line = String::from_utf8_lossy(line).into_owned();
        if let Ok(mut out) = self.out.lock() {
            let _ = writeln!(out, "[{}] {line}", self.name);
        }
        if let Some(p) = &self.progress {
            let _ = p.send(BatchProgress::Line {
                estate: self.estate,
                line,
            });
        }
    }
}

impl Write for Prefixed {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.partial.extend_from_slice(buf);
        while let Some(at) = self.partial.iter().position(|b| *b == b'\n') {
            let line: Vec<u8> = self.partial.drain(..=at).collect();
            self.emit(&line[..line.len() - 1]);
        }
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        if let Ok(mut out) = self.out.lock() {
            out.flush()?;
        }
        Ok(())
    }
}

impl Drop for Prefixed {
    fn drop(&mut self) {
        if !self.partial.is_empty() {
            let rest = std::mem::take(&mut self.partial);
            self.emit(&rest);
        }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_stopped_estate_is_worse_than_a_completed_one_and_a_refusal_worse_still() {
        assert_eq!(worst_run_code([0, 0]), exit::RUN_DONE);
        assert_eq!(worst_run_code([0, 1, 0]), exit::RUN_STOPPED);
        assert_eq!(worst_run_code([1, 3, 2]), exit::RUN_REFUSED);
        assert_eq!(worst_run_code([0, 78]), exit::CONFIG);
    }

    #[test]
    fn lines_are_written_whole_and_prefixed() {
        let sink: Arc<Mutex<Vec<u8>>> = Arc::default();
        struct To(Arc<Mutex<Vec<u8>>>);
        impl Write for To {
            fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
                self.0.lock().unwrap().extend_from_slice(b);
                Ok(b.len())
            }
            fn flush(&mut self) -> std::io::Result<()> {
                Ok(())
            }
        }
        let out: SharedOut = Arc::new(Mutex::new(Box::new(To(sink.clone()))));
        let (tx, mut rx) = mpsc::unbounded_channel();
        {
            let mut w = Prefixed {
                estate: 2,
                name: "billing".into(),
                out,
                progress: Some(tx),
                partial: Vec::new(),
            };
            w.write_all(b"one\ntw").unwrap();
            w.write_all(b"o\nthree").unwrap();
        }
        let text = String::from_utf8(sink.lock().unwrap().clone()).unwrap();
        assert_eq!(text, "[billing] one\n[billing] two\n[billing] three\n");
        let mut lines = Vec::new();
        while let Ok(BatchProgress::Line { estate, line }) = rx.try_recv() {
            assert_eq!(estate, 2);
            lines.push(line);
        }
        assert_eq!(lines, ["one", "two", "three"]);
    }
}

//! The writer task that owns the files: it batches queued jobs, writes them on the blocking
//! pool, then forwards events and answers flushes.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use chrono::Utc;
use tokio::sync::mpsc;

use super::{Job, RunClock};
use crate::runbook::api::{Level, LogLine, RunEvent};
use crate::runbook::audit::{AuditLog, ChainHead};
use crate::runbook::journal::Journal;

/// The task that owns the files.
pub(super) struct Writer {
    pub(super) path: PathBuf,
    pub(super) audit_path: PathBuf,
    pub(super) audit: Option<Arc<AuditLog>>,
    pub(super) events: mpsc::UnboundedSender<RunEvent>,
    pub(super) clock: RunClock,
    pub(super) broken: Arc<Mutex<Option<String>>>,
    /// The chain's head after the last line this writer appended.
    pub(super) head: Arc<Mutex<Option<ChainHead>>>,
}

/// What one batch of jobs writes.
#[derive(Default)]
struct Batch {
    audit: Vec<String>,
    journal: Option<Vec<u8>>,
    reports: Vec<(PathBuf, String)>,
}

/// What one batch met: audit failures (reported), a journal failure (sticky), report results.
struct Outcome {
    audit_errors: Vec<String>,
    head: Option<ChainHead>,
    journal_error: Option<String>,
    reports: Vec<std::io::Result<()>>,
}

impl Writer {
    pub(super) async fn run(mut self, mut rx: mpsc::UnboundedReceiver<Job>) {
        let path = self.audit_path.clone();
        match tokio::task::spawn_blocking(move || AuditLog::open(&path)).await {
            Ok(Ok(a)) => self.audit = Some(Arc::new(a)),
            Ok(Err(e)) => self.fail(format!(
                "cannot open the audit log {}: {e}",
                self.audit_path.display()
            )),
            Err(e) => self.fail(format!("cannot open the audit log: {e}")),
        }
        while let Some(first) = rx.recv().await {
            let mut batch = Batch::default();
            let mut flushes = Vec::new();
            let mut emits = Vec::new();
            let mut report_replies = Vec::new();
            let mut job = Some(first);
            while let Some(j) = job {
                match j {
                    Job::Journal(bytes) => batch.journal = Some(bytes),
                    Job::Audit(line) => batch.audit.push(line),
                    Job::Flush(tx) => flushes.push(tx),
                    Job::Emit(e) => emits.push(e),
                    Job::Report { path, text, done } => {
                        batch.reports.push((path, text));
                        report_replies.push(done);
                    }
                }
                job = rx.try_recv().ok();
            }
            let audit = self.audit.clone();
            let path = self.path.clone();
            let outcome = tokio::task::spawn_blocking(move || write(audit, &path, batch)).await;
            match outcome {
                Ok(o) => {
                    if let Some(h) = o.head {
                        *self.head.lock().unwrap_or_else(|p| p.into_inner()) = Some(h);
                    }
                    for e in o.audit_errors {
                        self.log_error(e);
                    }
                    if let Some(e) = o.journal_error {
                        self.fail(e);
                    }
                    for (reply, res) in report_replies.into_iter().zip(o.reports) {
                        let _ = reply.send(res);
                    }
                }
                Err(e) => self.fail(format!("the journal writer failed: {e}")),
            }
            let state = self
                .broken
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .clone();
            for e in emits {
                let _ = self.events.send(e);
            }
            for tx in flushes {
                let _ = tx.send(state.clone().map_or(Ok(()), Err));
            }
        }
    }

    /// A failure that makes the record untrustworthy: reported, and sticky.
    fn fail(&self, reason: String) {
        self.log_error(reason.clone());
        let mut b = self.broken.lock().unwrap_or_else(|p| p.into_inner());
        b.get_or_insert(reason);
    }

    fn log_error(&self, text: String) {
        let _ = self.events.send(RunEvent::Log(LogLine {
            utc: Utc::now(),
            at: self.clock.now(),
            level: Level::Error,
            step: None,
            text,
        }));
    }
}

/// The blocking part: audit lines in order, the newest journal, the reports.
fn write(audit: Option<Arc<AuditLog>>, path: &Path, batch: Batch) -> Outcome {
    let mut audit_errors = Vec::new();
    let mut head = None;
    if let Some(a) = &audit {
        for line in &batch.audit {
            match a.append(line) {
                Ok(h) => head = Some(h),
                Err(e) => audit_errors.push(format!(
                    "cannot write the audit log {}: {e}",
                    a.path().display()
                )),
            }
        }
    }
    let journal_error = batch.journal.and_then(|bytes| {
        Journal::write_bytes(path, &bytes)
            .err()
            .map(|e| format!("cannot write the journal {}: {e}", path.display()))
    });
    let reports = batch
        .reports
        .into_iter()
        .map(|(p, text)| std::fs::write(p, text))
        .collect();
    Outcome {
        audit_errors,
        head,
        journal_error,
        reports,
    }
}

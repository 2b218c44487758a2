//! The run's record: the journal in memory, and one writer task that makes it durable
//! (journal rewritten as temp file + fsync + rename, audit lines appended and flushed), doing
//! its file IO on tokio's blocking pool so that none runs on the async workers. (The blocking
//! pool, unlike a thread of its own, also holds tokio's paused test clock while it writes.) Successive journal saves are coalesced; a
//! [`Recorder::flush`] waits until everything recorded so far is on disk, and reports a
//! journal that could not be written, so the engine stops before acting on a lie.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use chrono::Utc;
use serde_json::json;
use tokio::sync::{mpsc, oneshot};
use tokio::time::Instant;

use super::api::{Level, LogLine, RunEvent, StepView};
use super::audit::{self, AuditLog};
use super::journal::{Journal, StepRecord, StepStatus, TimelineEntry};
use super::plan::StepMemo;
use super::reader::Pace;

/// Estate time since the run started (and before, for a resumed run).
#[derive(Debug, Clone, Copy)]
pub struct RunClock {
    start: Instant,
    base: f64,
    pace: Pace,
}

impl RunClock {
    pub fn now(&self) -> f64 {
        self.base + self.pace.estate(self.start.elapsed()).as_secs_f64()
    }
}

enum Job {
    Journal(Vec<u8>),
    Audit(String),
    Report {
        path: PathBuf,
        text: String,
        done: oneshot::Sender<std::io::Result<()>>,
    },
    Flush(oneshot::Sender<Result<(), String>>),
    /// Forwarded to the caller once everything queued before it is on disk.
    Emit(Box<RunEvent>),
}

/// Owns the journal; every state change goes through it to the journal file, the audit log
/// and the event channel, in that order.
pub struct Recorder {
    journal: Mutex<Journal>,
    pub path: PathBuf,
    pub clock: RunClock,
    jobs: mpsc::UnboundedSender<Job>,
    /// The first journal write that failed: the run must not act any more.
    broken: Arc<Mutex<Option<String>>>,
}

impl Recorder {
    /// Starts the writer thread. It creates the state directory and opens the audit log
    /// itself; failing that, the first [`Recorder::flush`] reports it.
    pub fn start(
        journal: Journal,
        path: PathBuf,
        audit_path: PathBuf,
        events: mpsc::UnboundedSender<RunEvent>,
        base: f64,
        pace: Pace,
    ) -> Arc<Recorder> {
        let (tx, rx) = mpsc::unbounded_channel();
        let clock = RunClock {
            start: Instant::now(),
            base,
            pace,
        };
        let broken = Arc::new(Mutex::new(None));
        let writer = Writer {
            path: path.clone(),
            audit_path,
            audit: None,
            events,
            clock,
            broken: broken.clone(),
        };
        tokio::spawn(writer.run(rx));
        let rec = Arc::new(Recorder {
            journal: Mutex::new(journal),
            path,
            clock,
            jobs: tx,
            broken,
        });
        let mut j = rec.lock();
        rec.save(&mut j);
        drop(j);
        rec
    }

    fn send(&self, job: Job) {
        if self.jobs.send(job).is_err() {
            self.break_with("the journal writer stopped".into());
        }
    }

    fn break_with(&self, reason: String) {
        let mut b = self.broken.lock().unwrap_or_else(|p| p.into_inner());
        b.get_or_insert(reason);
    }

    pub fn now(&self) -> f64 {
        self.clock.now()
    }

    pub fn lock(&self) -> std::sync::MutexGuard<'_, Journal> {
        self.journal.lock().unwrap_or_else(|p| p.into_inner())
    }

    pub fn run_id(&self) -> String {
        self.lock().run_id.clone()
    }

    /// Sends an event to the caller after everything recorded before it is on disk: what
    /// an operator has seen, the journal holds.
    pub fn emit(&self, e: RunEvent) {
        self.send(Job::Emit(Box::new(e)));
    }

    /// Queues the journal as it is now for writing.
    pub fn save(&self, j: &mut Journal) {
        j.elapsed = self.now();
        j.updated_at = Utc::now();
        match serde_json::to_vec_pretty(&*j) {
            Ok(bytes) => self.send(Job::Journal(bytes)),
            Err(e) => self.break_with(format!("cannot encode the journal: {e}")),
        }
    }

    /// Waits until everything recorded so far is on disk; the error says why it is not.
    pub async fn flush(&self) -> Result<(), String> {
        let (tx, rx) = oneshot::channel();
        self.send(Job::Flush(tx));
        let res = rx
            .await
            .unwrap_or_else(|_| Err("the journal writer stopped".into()));
        match self
            .broken
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
        {
            Some(reason) => Err(reason),
            None => res,
        }
    }

    /// Writes the drill report through the writer.
    pub async fn write_report(&self, path: &Path, text: String) -> std::io::Result<()> {
        let (done, rx) = oneshot::channel();
        self.send(Job::Report {
            path: path.to_path_buf(),
            text,
            done,
        });
        rx.await
            .unwrap_or_else(|_| Err(std::io::Error::other("the journal writer stopped")))
    }

    pub fn line(&self, level: Level, step: Option<&str>, text: String) -> LogLine {
        LogLine {
            utc: Utc::now(),
            at: self.now(),
            level,
            step: step.map(str::to_string),
            text,
        }
    }

    /// A line for the live log and the audit log.
    pub fn log(&self, level: Level, step: Option<&str>, text: impl Into<String>) {
        let text = text.into();
        self.audit(step, "log", json!({"level": level, "text": text}));
        let line = self.line(level, step, text);
        self.emit(RunEvent::Log(line));
    }

    pub fn audit(&self, step: Option<&str>, event: &str, fields: serde_json::Value) {
        let run_id = self.run_id();
        self.send(Job::Audit(audit::line(&run_id, step, event, fields)));
    }

    pub fn view(r: &StepRecord) -> StepView {
        StepView {
            id: r.id.clone(),
            title: r.title.clone(),
            parent: r.parent.clone(),
            optional: r.optional,
            status: r.status.clone(),
        }
    }

    pub fn set(&self, id: &str, status: StepStatus) {
        let now = self.now();
        let view = {
            let mut j = self.lock();
            let Some(r) = j.step_mut(id) else { return };
            if r.status == status {
                return;
            }
            if r.started.is_none() && !matches!(status, StepStatus::Pending) {
                r.started = Some(now);
            }
            if status.is_final() {
                r.finished = Some(now);
            }
            r.status = status.clone();
            let view = Recorder::view(r);
            let text = match status.note() {
                Some(n) => format!("{}: {n}", status.label()),
                None => status.label().to_string(),
            };
            j.timeline.push(TimelineEntry {
                at: now,
                utc: Utc::now(),
                step: Some(id.to_string()),
                text,
            });
            self.save(&mut j);
            view
        };
        let mut fields = json!({"state": view.status.label()});
        if let Some(n) = view.status.note() {
            fields["note"] = json!(n);
        }
        self.audit(Some(id), "state", fields);
        self.emit(RunEvent::Step(view));
    }

    pub fn status(&self, id: &str) -> Option<StepStatus> {
        self.lock().step(id).map(|r| r.status.clone())
    }

    pub fn is_final(&self, id: &str) -> bool {
        self.status(id).is_some_and(|s| s.is_final())
    }

    pub fn memo(&self, id: &str) -> StepMemo {
        self.lock()
            .step(id)
            .map(|r| r.memo.clone())
            .unwrap_or_default()
    }

    pub fn update<F: FnOnce(&mut Journal)>(&self, f: F) {
        let mut j = self.lock();
        f(&mut j);
        self.save(&mut j);
    }
}

/// The task that owns the files.
struct Writer {
    path: PathBuf,
    audit_path: PathBuf,
    audit: Option<Arc<AuditLog>>,
    events: mpsc::UnboundedSender<RunEvent>,
    clock: RunClock,
    broken: Arc<Mutex<Option<String>>>,
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
    journal_error: Option<String>,
    reports: Vec<std::io::Result<()>>,
}

impl Writer {
    async fn run(mut self, mut rx: mpsc::UnboundedReceiver<Job>) {
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
                let _ = self.events.send(*e);
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
    if let Some(a) = &audit {
        for line in &batch.audit {
            if let Err(e) = a.append(line) {
                audit_errors.push(format!(
                    "cannot write the audit log {}: {e}",
                    a.path().display()
                ));
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
        journal_error,
        reports,
    }
}

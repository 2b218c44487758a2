//! The run's record: the journal in memory, and one writer task that makes it durable
//! (journal rewritten as temp file + fsync + rename, audit lines appended and flushed), doing
//! its file IO on tokio's blocking pool so that none runs on the async workers. (The blocking
//! pool, unlike a thread of its own, also holds tokio's paused test clock while it writes.) Successive journal saves are coalesced; a
//! [`Recorder::flush`] waits until everything recorded so far is on disk, and reports a
//! journal that could not be written, so the engine stops before acting on a lie.

mod steps;
mod writer;

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use chrono::Utc;
use tokio::sync::{mpsc, oneshot};
use tokio::time::Instant;

use super::api::RunEvent;
use super::journal::Journal;
use super::reader::Pace;

use writer::Writer;

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

// Jobs only pass through the writer's queue, a few at a time: an event is moved in whole
// rather than boxed.
#[allow(clippy::large_enum_variant)]
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
    Emit(RunEvent),
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
    /// The audit chain's head after the last line written (after a [`Recorder::flush`]:
    /// after every line recorded so far).
    head: Arc<Mutex<Option<crate::runbook::audit::ChainHead>>>,
    pub audit_path: PathBuf,
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
        let head = Arc::new(Mutex::new(None));
        let writer = Writer {
            path: path.clone(),
            audit_path: audit_path.clone(),
            head: head.clone(),
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
            head,
            audit_path,
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
        self.send(Job::Emit(e));
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

    /// The audit chain's head as the writer last left it; call [`Recorder::flush`] first for
    /// the head after every line recorded so far.
    pub fn audit_head(&self) -> Option<crate::runbook::audit::ChainHead> {
        self.head.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }

    /// Flushes, then records the audit chain's head in the journal (the anchor `audit
    /// verify` checks) and flushes again.
    pub async fn anchor_audit(&self) {
        let _ = self.flush().await;
        if let Some(head) = self.audit_head() {
            let file = std::path::absolute(&self.audit_path).unwrap_or(self.audit_path.clone());
            self.update(|j| {
                j.audit_head = Some(crate::runbook::audit::verify::Anchor {
                    file,
                    head,
                    by: String::new(),
                });
            });
        }
        let _ = self.flush().await;
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
}

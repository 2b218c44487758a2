//! One runbook over several estates (evacuating a region): each estate's run is the
//! one-estate headless run, with its own journal, audit lines and drill report; at most
//! `concurrency` run at once; an estate that fails or is refused never stops the others. The
//! batch ends with one Markdown report: per estate its outcome, achieved RTO and data loss.
//!
//! Every line an estate's run prints is written whole, prefixed with the estate's name, and
//! offered to a progress channel (the fleet overview shows each estate's latest line).

pub mod plan;
mod prefixed;
mod report;
mod run;
#[cfg(test)]
mod tests;

use std::io::Write;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use super::api::{RunSummary, ShownLoss};
use crate::backend::Backend;
use crate::config::Estate;
use crate::exit;

pub use report::{render, summary_line};
pub use run::run_batch;

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

/// Where the batch's lines go: one shared writer, a whole line at a time.
pub type SharedOut = Arc<Mutex<Box<dyn Write + Send>>>;

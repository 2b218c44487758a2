//! Checks an audit log's hash chain ([`super::chain`]) and says where it first breaks.
//!
//! A line that was changed, removed, inserted or moved breaks the chain at the first line
//! whose `prev` or `seq` no longer fits; the finding names that line as `file:line`. Lines
//! written before chaining existed are counted as unchained, never as tampered. An
//! incomplete last line (a write interrupted by a crash) is reported as such, and the chain
//! up to the last whole line is still verified. The heads that run journals recorded are
//! anchors: a line removed from the end of the log, which the chain alone cannot show, breaks
//! against them.
//!
//! The walk along one file's lines is in [`walk`], the check against recorded heads in
//! [`anchors`], the files of one log and `audit verify` itself in [`files`], and what is
//! printed in [`report`].

mod anchors;
mod files;
mod report;
mod walk;

use std::collections::HashMap;
use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use super::chain::ChainHead;

pub use anchors::{anchors_in, check_anchors};
pub use files::{command, log_set, verify_files};
pub use report::describe;
pub use walk::verify_bytes;

/// Where the chain first breaks: the 1-based line and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Break {
    pub line: usize,
    pub reason: String,
}

/// A head a run recorded in its journal when it ended: the log must still hold that line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Anchor {
    /// The audit file the run wrote to.
    pub file: PathBuf,
    #[serde(flatten)]
    pub head: ChainHead,
    /// Who recorded it (e.g. `run 20261203-...`), for the finding.
    #[serde(default)]
    pub by: String,
}

/// What one file holds.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FileReport {
    pub path: PathBuf,
    /// Whole lines.
    pub lines: usize,
    /// Lines before the first chained line (written before chaining existed).
    pub unchained: usize,
    /// The first chained line's `seq` and `prev`, when it continues a chain from another
    /// file (its `prev` is neither [`GENESIS`](super::chain::GENESIS) nor the line before it).
    pub continues: Option<(u64, String)>,
    pub head: Option<ChainHead>,
    /// The first line of the chain, with its seq.
    pub first: Option<(usize, u64)>,
    /// Lines that are the fragments of interrupted writes, recorded by the line after them.
    pub fragments: Vec<usize>,
    /// An incomplete last line: its line number and length in bytes.
    pub incomplete: Option<(usize, usize)>,
    pub broken: Option<Break>,
    /// Per chained line: seq → (line, hash).
    seqs: HashMap<u64, (usize, String)>,
}

/// The outcome, best to worst.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Verdict {
    /// Every line is chained and fits.
    Intact,
    /// The chain fits up to an incomplete last line left by a crash.
    Incomplete,
    /// No line is chained: the log was written before chaining existed.
    Unchained,
    /// A line was changed, removed, inserted or moved.
    Broken,
}

impl Verdict {
    /// `audit verify`'s exit code.
    pub fn exit_code(self) -> i32 {
        match self {
            Verdict::Intact => 0,
            Verdict::Broken => 1,
            Verdict::Incomplete => 2,
            Verdict::Unchained => 3,
        }
    }
}

impl FileReport {
    pub fn verdict(&self) -> Verdict {
        if self.broken.is_some() {
            Verdict::Broken
        } else if self.head.is_none() {
            Verdict::Unchained
        } else if self.incomplete.is_some() {
            Verdict::Incomplete
        } else {
            Verdict::Intact
        }
    }
}

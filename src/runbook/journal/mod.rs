//! A run's journal: its steps and their state, rewritten (temp file + rename) after every
//! change, so that a console restarted mid-run finds the run and resumes where it stopped.
//!
//! A step's record is in [`step`], the run's measures in [`metrics`], and the search of the
//! state directory for runs in [`scan`].

mod metrics;
mod scan;
mod step;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::config::runbook::RunbookSpec;
use crate::model::Side;

pub use metrics::Metrics;
pub use step::{StepRecord, StepStatus, TimelineEntry};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum RunOutcome {
    Completed,
    Aborted { reason: String },
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Journal {
    pub version: u32,
    pub run_id: String,
    pub runbook: String,
    pub estate: String,
    pub dry_run: bool,
    /// A drill rather than a real incident.
    #[serde(default)]
    pub drill: bool,
    pub started_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// Estate-time seconds since the start at the last save.
    pub elapsed: f64,
    /// The runbook as it was started, ids assigned: a resumed run runs exactly these steps.
    pub spec: RunbookSpec,
    pub steps: Vec<StepRecord>,
    pub timeline: Vec<TimelineEntry>,
    pub metrics: Metrics,
    /// The account each side acted in, as read before the run: `123456789012 (shop-prod) as
    /// arn:...` (a resumed run keeps those of its first start).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub accounts: BTreeMap<Side, String>,
    pub outcome: Option<RunOutcome>,
    pub report: Option<PathBuf>,
    /// The audit chain's head after the run's last line (`run_finished` or `run_suspended`):
    /// `audit verify` checks that the log still holds it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub audit_head: Option<super::audit::verify::Anchor>,
}

impl Journal {
    pub fn dir(state_dir: &Path) -> PathBuf {
        state_dir.join("runs")
    }

    pub fn path_in(&self, state_dir: &Path) -> PathBuf {
        Journal::dir(state_dir).join(format!("{}.json", self.run_id))
    }

    pub fn report_path_in(&self, state_dir: &Path) -> PathBuf {
        Journal::dir(state_dir).join(format!("{}.md", self.run_id))
    }

    /// Writes the journal to a temporary file beside it, then renames it into place.
    pub fn save(&self, path: &Path) -> std::io::Result<()> {
        let text = serde_json::to_vec_pretty(self).map_err(std::io::Error::other)?;
        Journal::write_bytes(path, &text)
    }

    /// Writes an encoded journal durably: temp file, fsync, rename.
    pub fn write_bytes(path: &Path, text: &[u8]) -> std::io::Result<()> {
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir)?;
        }
        let tmp = path.with_extension("json.tmp");
        {
            use std::io::Write;
            let mut f = std::fs::File::create(&tmp)?;
            f.write_all(text)?;
            f.sync_data()?;
        }
        std::fs::rename(&tmp, path)
    }

    pub fn load(path: &Path) -> Result<Journal, String> {
        let text = std::fs::read(path).map_err(|e| format!("{}: {e}", path.display()))?;
        serde_json::from_slice(&text).map_err(|e| format!("{}: {e}", path.display()))
    }

    pub fn step(&self, id: &str) -> Option<&StepRecord> {
        self.steps.iter().find(|s| s.id == id)
    }

    pub fn step_mut(&mut self, id: &str) -> Option<&mut StepRecord> {
        self.steps.iter_mut().find(|s| s.id == id)
    }
}

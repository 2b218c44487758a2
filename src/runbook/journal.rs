//! A run's journal: its steps and their state, rewritten (temp file + rename) after every
//! change, so that a console restarted mid-run finds the run and resumes where it stopped.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::plan::StepMemo;
use crate::config::runbook::RunbookSpec;
use crate::model::{DataLedger, Lag, Side};
use crate::posture::Posture;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum StepStatus {
    Pending,
    Preflight,
    AwaitingConfirmation,
    /// Confirmed here; waiting for another operator's approval.
    AwaitingApproval,
    Running,
    Verifying,
    Done {
        note: String,
    },
    Failed {
        error: String,
    },
    Skipped {
        reason: String,
    },
    /// Planned only: the run is a dry run.
    DryRun {
        note: String,
    },
}

impl StepStatus {
    /// Whether the step is finished for good (a resumed run does not touch it again).
    pub fn is_final(&self) -> bool {
        matches!(
            self,
            StepStatus::Done { .. } | StepStatus::Skipped { .. } | StepStatus::DryRun { .. }
        )
    }
    pub fn label(&self) -> &'static str {
        match self {
            StepStatus::Pending => "pending",
            StepStatus::Preflight => "preflight",
            StepStatus::AwaitingConfirmation => "awaiting confirmation",
            StepStatus::AwaitingApproval => "awaiting approval",
            StepStatus::Running => "running",
            StepStatus::Verifying => "verifying",
            StepStatus::Done { .. } => "done",
            StepStatus::Failed { .. } => "failed",
            StepStatus::Skipped { .. } => "skipped",
            StepStatus::DryRun { .. } => "dry-run",
        }
    }
    pub fn note(&self) -> Option<&str> {
        match self {
            StepStatus::Done { note } | StepStatus::DryRun { note } => Some(note),
            StepStatus::Failed { error } => Some(error),
            StepStatus::Skipped { reason } => Some(reason),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StepRecord {
    pub id: String,
    pub title: String,
    pub kind: String,
    pub optional: bool,
    /// The group a step belongs to (`None` for a top-level step).
    pub parent: Option<String>,
    pub status: StepStatus,
    /// Seconds since the run started (estate time) when work on the step began and ended.
    pub started: Option<f64>,
    pub finished: Option<f64>,
    #[serde(default)]
    pub memo: StepMemo,
    /// Upper bound of the time between AWS showing the target state and the step being
    /// marked done: done time minus the start of the last read that did not show it.
    #[serde(default)]
    pub verify_overhead: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TimelineEntry {
    /// Seconds since the run started (estate time).
    pub at: f64,
    pub utc: DateTime<Utc>,
    pub step: Option<String>,
    pub text: String,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Metrics {
    /// Replica lag read just before the promotion (or global failover) call.
    pub rpo_lag: Option<Lag>,
    pub promoted_at: Option<f64>,
    pub dns_moved_at: Option<f64>,
    pub dns_side: Option<Side>,
    /// First time each side's health checks were seen healthy by a step.
    #[serde(default)]
    pub healthy_at: BTreeMap<Side, f64>,
    /// The estate's posture read when the run started and when it ended.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub posture_before: Option<Posture>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub posture_after: Option<Posture>,
    /// Databases the run renamed aside (stale old writers), kept for a person to delete.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub stale: Vec<String>,
    /// Writes acknowledged and lost at the start and at the end, where the backend counts them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ledger_start: Option<DataLedger>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ledger_end: Option<DataLedger>,
    /// When every alarm of the estate was first seen OK in the side DNS moved to, after the
    /// move (the recovery users feel), and that side.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub alarms_ok_at: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub alarms_ok_side: Option<Side>,
}

impl Metrics {
    /// Acknowledged writes this run lost, where the backend counts them. A start with no
    /// writer serving (an outage) counts from zero.
    pub fn writes_lost(&self) -> Option<u64> {
        let end = self.ledger_end?.lost?;
        let start = self.ledger_start.and_then(|l| l.lost).unwrap_or(0);
        Some(end.saturating_sub(start))
    }

    /// Run start → DNS moved and the side it points at healthy, in seconds.
    pub fn rto(&self) -> Option<f64> {
        let dns = self.dns_moved_at?;
        let healthy = self.healthy_at.get(&self.dns_side?)?;
        Some(dns.max(*healthy))
    }

    /// Run start → the RTO above reached and every alarm OK in the side DNS points at.
    pub fn rto_alarms(&self) -> Option<f64> {
        let rto = self.rto()?;
        (self.alarms_ok_side? == self.dns_side?).then_some(rto.max(self.alarms_ok_at?))
    }
}

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

    /// Every live (not dry-run) run of `estate` in `state_dir` whose journal reads, oldest
    /// first, with the path of its journal. Journals that do not read are left out.
    pub fn live_runs(state_dir: &Path, estate: &str) -> Result<Vec<(PathBuf, Journal)>, String> {
        let dir = Journal::dir(state_dir);
        let entries = match std::fs::read_dir(&dir) {
            Ok(e) => e,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(e) => return Err(format!("{}: {e}", dir.display())),
        };
        let mut runs: Vec<(PathBuf, Journal)> = entries
            .flatten()
            .map(|e| e.path())
            .filter(|p| p.extension().and_then(|e| e.to_str()) == Some("json"))
            .filter_map(|p| Journal::load(&p).ok().map(|j| (p, j)))
            .filter(|(_, j)| !j.dry_run && j.estate == estate)
            .collect();
        runs.sort_by(|a, b| (a.1.started_at, &a.1.run_id).cmp(&(b.1.started_at, &b.1.run_id)));
        Ok(runs)
    }

    /// The most recent live run in `state_dir` that neither completed nor was aborted.
    pub fn find_unfinished(state_dir: &Path) -> Result<Option<Journal>, String> {
        Journal::find_unfinished_where(state_dir, |_| true)
    }

    /// The newest unfinished run of `estate`: several estates may share a state directory.
    pub fn find_unfinished_of(state_dir: &Path, estate: &str) -> Result<Option<Journal>, String> {
        Journal::find_unfinished_where(state_dir, |j| j.estate == estate)
    }

    fn find_unfinished_where(
        state_dir: &Path,
        keep: impl Fn(&Journal) -> bool,
    ) -> Result<Option<Journal>, String> {
        let dir = Journal::dir(state_dir);
        let entries = match std::fs::read_dir(&dir) {
            Ok(e) => e,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(format!("{}: {e}", dir.display())),
        };
        let mut best: Option<Journal> = None;
        for entry in entries.flatten() {
            let path = entry.path();
            if path.extension().and_then(|e| e.to_str()) != Some("json") {
                continue;
            }
            let Ok(j) = Journal::load(&path) else {
                continue;
            };
            if j.outcome.is_none()
                && !j.dry_run
                && keep(&j)
                && best.as_ref().is_none_or(|b| j.started_at > b.started_at)
            {
                best = Some(j);
            }
        }
        Ok(best)
    }

    pub fn step(&self, id: &str) -> Option<&StepRecord> {
        self.steps.iter().find(|s| s.id == id)
    }

    pub fn step_mut(&mut self, id: &str) -> Option<&mut StepRecord> {
        self.steps.iter_mut().find(|s| s.id == id)
    }
}

//! What a headless run is told on the command line: dry run or live, the confirmation flags,
//! where it audits and journals, its lock, and what an evacuation already showed.

use std::path::PathBuf;
use std::sync::Arc;

use crate::backend::Backend;
use crate::config::Estate;
use crate::runbook::api::{RunContext, RunMode, ShownLoss};
use crate::runbook::reader::Pace;

#[derive(Debug, Clone)]
pub struct HeadlessOptions {
    /// Plan every step, call nothing.
    pub dry_run: bool,
    /// Confirm every reversible step (without it, the plan is printed and nothing is called).
    pub yes: bool,
    /// Also confirm irreversible steps (promotion, global failover) by their region name.
    pub allow_irreversible: bool,
    /// Also accept a step that discards acknowledged writes (`DISCARD` in the console).
    pub allow_data_loss: bool,
    pub audit_path: Option<PathBuf>,
    pub state_dir: Option<PathBuf>,
    pub pace: Pace,
    /// Start a new run even when one of the runbook is unfinished (abandoning it) or the
    /// last one completed.
    pub new_run: bool,
    /// `--no-lock`: run without the shared run lock when its table cannot be reached.
    pub no_lock: bool,
    /// `--take-over USER@HOST`: take over an expired lease held by USER@HOST.
    pub take_over: Option<String>,
    /// `--rerun-unknown STEP` (repeatable): run again a program or function whose earlier
    /// run's outcome is unknown.
    pub rerun_unknown: Vec<String>,
    /// Set by an evacuation: the loss its typed phrase accepted for this estate, standing
    /// for `--allow-data-loss` only for a loss within it.
    pub shown_loss: Option<ShownLoss>,
    /// `--drill`: the run is a drill, not a real incident.
    pub drill: bool,
    /// SHA-256 of the estate file.
    pub estate_sha256: Option<String>,
}

impl HeadlessOptions {
    /// The confirmation flags given, as given: what the audit log records.
    pub fn given_flags(&self) -> Vec<String> {
        let mut f = Vec::new();
        if self.yes {
            f.push("--yes".to_string());
        }
        if self.allow_irreversible {
            f.push("--allow-irreversible".into());
        }
        if self.allow_data_loss {
            f.push("--allow-data-loss".into());
        }
        f.extend(
            self.rerun_unknown
                .iter()
                .map(|s| format!("--rerun-unknown {s}")),
        );
        f
    }

    /// The context of a run in `mode` as these options set it.
    pub(super) fn context(
        &self,
        estate: Arc<Estate>,
        backend: Arc<dyn Backend>,
        mode: RunMode,
    ) -> RunContext {
        let mut ctx = RunContext::new(estate, backend, mode);
        if let Some(p) = self.audit_path.clone() {
            ctx.audit_path = p;
        }
        if let Some(p) = self.state_dir.clone() {
            ctx.state_dir = p;
        }
        ctx.pace = self.pace;
        ctx.drill = self.drill;
        ctx.estate_sha256 = self.estate_sha256.clone();
        ctx.lock = crate::runbook::lock::LockOptions {
            no_lock: self.no_lock,
            take_over: self.take_over.clone(),
        };
        ctx
    }
}

impl Default for HeadlessOptions {
    fn default() -> Self {
        HeadlessOptions {
            dry_run: false,
            yes: false,
            allow_irreversible: false,
            allow_data_loss: false,
            audit_path: None,
            state_dir: None,
            pace: Pace::REAL,
            new_run: false,
            no_lock: false,
            take_over: None,
            rerun_unknown: Vec::new(),
            shown_loss: None,
            drill: false,
            estate_sha256: None,
        }
    }
}

//! Finding runs in a state directory: the live runs of an estate, and the newest unfinished
//! one to resume.

use std::path::{Path, PathBuf};

use super::Journal;

impl Journal {
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
}

//! The program and its working directory as they will run: relative paths from the estate
//! file's directory, a bare name looked up in `PATH`.

use std::path::{Path, PathBuf};

use super::Command;
use crate::backend::Action;
use crate::config::Estate;
use crate::runbook::error::StepError;

/// Where relative paths start: the estate file's directory, else the current directory.
fn base(estate: &Estate) -> PathBuf {
    estate
        .base_dir
        .clone()
        .or_else(|| std::env::current_dir().ok())
        .unwrap_or_else(|| PathBuf::from("."))
}

fn under(base: &Path, p: &str) -> PathBuf {
    let p = Path::new(p);
    let full = if p.is_absolute() {
        p.to_path_buf()
    } else {
        base.join(p)
    };
    // `./scripts/x` under `/estate` is `/estate/scripts/x`, as the operator reads it.
    full.components().collect()
}

impl Command {
    /// The action as it will run: `program` and `dir` resolved.
    pub(super) fn action(&self, estate: &Estate) -> Result<Action, StepError> {
        let base = base(estate);
        let dir = match &self.dir {
            Some(d) => under(&base, d),
            None => base.clone(),
        };
        if !dir.is_dir() {
            return Err(StepError::missing(format!(
                "working directory {} does not exist",
                dir.display()
            )));
        }
        let program = if self.program.contains('/') {
            let p = under(&base, &self.program);
            if !p.is_file() {
                return Err(StepError::missing(format!(
                    "program {} does not exist",
                    p.display()
                )));
            }
            p.display().to_string()
        } else {
            let found = std::env::var_os("PATH")
                .map(|path| std::env::split_paths(&path).any(|d| d.join(&self.program).is_file()))
                .unwrap_or(false);
            if !found {
                return Err(StepError::missing(format!(
                    "program {:?} is not found in PATH",
                    self.program
                )));
            }
            self.program.clone()
        };
        Ok(Action::RunCommand {
            program,
            args: self.args.clone(),
            env: self.env.clone(),
            dir: dir.display().to_string(),
        })
    }
}

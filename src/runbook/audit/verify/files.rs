//! The files of one log, verified in chain order, and `drconsole audit verify` itself.

use std::path::{Path, PathBuf};

use super::{Anchor, Verdict, anchors_in, check_anchors, describe, verify_bytes};
use crate::runbook::audit::chain::ChainHead;

/// The files of one log in chain order: those rotated aside (`NAME.<UTC time>`), oldest
/// first, then `path` itself.
pub fn log_set(path: &Path) -> Vec<PathBuf> {
    let mut set = Vec::new();
    if let (Some(dir), Some(name)) = (path.parent(), path.file_name()) {
        let dir = if dir.as_os_str().is_empty() {
            Path::new(".")
        } else {
            dir
        };
        let prefix = format!("{}.", name.to_string_lossy());
        if let Ok(entries) = std::fs::read_dir(dir) {
            let mut aside: Vec<PathBuf> = entries
                .flatten()
                .filter(|e| {
                    let n = e.file_name().to_string_lossy().into_owned();
                    n.strip_prefix(&prefix)
                        .is_some_and(|rest| rest.len() >= 16 && rest.as_bytes()[0].is_ascii_digit())
                })
                .map(|e| path.with_file_name(e.file_name()))
                .collect();
            aside.sort();
            set.extend(aside);
        }
    }
    set.push(path.to_path_buf());
    set
}

/// Verifies `files` in order (each continuing the one before) and writes what it found.
/// Returns the worst verdict; unreadable files are an `Err`.
pub fn verify_files(
    files: &[PathBuf],
    anchors: &[Anchor],
    out: &mut String,
) -> Result<Verdict, String> {
    let mut worst = Verdict::Intact;
    let mut start: Option<ChainHead> = None;
    let mut any_chained = false;
    for (k, path) in files.iter().enumerate() {
        let bytes = std::fs::read(path).map_err(|e| format!("{}: {e}", path.display()))?;
        let mut rep = verify_bytes(path, &bytes, start.as_ref());
        if k + 1 == files.len() {
            check_anchors(&mut rep, anchors);
        }
        describe(&rep, out);
        let v = rep.verdict();
        any_chained |= rep.head.is_some();
        if v == Verdict::Broken {
            return Ok(Verdict::Broken);
        }
        if v != Verdict::Unchained {
            worst = worst.max(v);
        }
        start = rep.head.clone().or(start);
    }
    Ok(if any_chained {
        worst
    } else {
        Verdict::Unchained
    })
}

/// `drconsole audit verify [FILE]`: the text to print and the exit code. Without `file`,
/// the log (`audit_log`, else the default) and the files rotated aside from it are verified
/// together; the heads recorded by the run journals in `state_dir` are checked too.
pub fn command(file: Option<&Path>, audit_log: &Path, state_dir: &Path) -> (String, i32) {
    let files = match file {
        Some(f) => vec![f.to_path_buf()],
        None => log_set(audit_log),
    };
    let Some(current) = files.last() else {
        return (String::new(), crate::exit::USAGE);
    };
    let anchors = anchors_in(state_dir, current);
    let mut out = String::new();
    match verify_files(&files, &anchors, &mut out) {
        Ok(v) => (out, v.exit_code()),
        Err(e) => (format!("{e}\n"), crate::exit::IO),
    }
}

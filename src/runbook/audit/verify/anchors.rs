//! The heads that run journals recorded, and the check of a verified file against them: a
//! changed line, or lines removed from the end, which the chain alone cannot show.

use std::path::Path;

use super::{Anchor, Break, FileReport};

/// Checks recorded heads against a file already verified: a changed line or lines removed
/// from the end break the chain.
pub fn check_anchors(rep: &mut FileReport, anchors: &[Anchor]) {
    if rep.broken.is_some() {
        return;
    }
    let Some(head) = rep.head.clone() else {
        return;
    };
    let first_seq = rep.first.map_or(1, |(_, s)| s);
    let mut worst: Option<Break> = None;
    for a in anchors {
        let found = rep.seqs.get(&a.head.seq);
        let b = match found {
            Some((line, hash)) if *hash != a.head.sha256 => Break {
                line: *line,
                reason: format!(
                    "changed: {} recorded seq {} with sha256 {}",
                    a.by, a.head.seq, a.head.sha256
                ),
            },
            None if a.head.seq > head.seq => Break {
                line: rep.lines + 1,
                reason: format!(
                    "lines removed from the end: the log ends at seq {}, and {} recorded seq {} \
                     (sha256 {})",
                    head.seq, a.by, a.head.seq, a.head.sha256
                ),
            },
            _ => continue,
        };
        if a.head.seq < first_seq {
            continue;
        }
        if worst.as_ref().is_none_or(|w| b.line < w.line) {
            worst = Some(b);
        }
    }
    rep.broken = worst;
}

/// The heads that run journals in `state_dir` recorded for the audit file `file`.
pub fn anchors_in(state_dir: &Path, file: &Path) -> Vec<Anchor> {
    let canon = |p: &Path| std::fs::canonicalize(p).unwrap_or_else(|_| p.to_path_buf());
    let want = canon(file);
    let dir = crate::runbook::Journal::dir(state_dir);
    let Ok(entries) = std::fs::read_dir(&dir) else {
        return Vec::new();
    };
    let mut out: Vec<Anchor> = entries
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().and_then(|e| e.to_str()) == Some("json"))
        .filter_map(|p| crate::runbook::Journal::load(&p).ok())
        .filter_map(|j| {
            let mut a = j.audit_head?;
            a.by = format!("run {}'s journal", j.run_id);
            (canon(&a.file) == want).then_some(a)
        })
        .collect();
    out.sort_by_key(|a| a.head.seq);
    out
}

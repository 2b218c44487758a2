//! Checks an audit log's hash chain ([`super::chain`]) and says where it first breaks.
//!
//! A line that was changed, removed, inserted or moved breaks the chain at the first line
//! whose `prev` or `seq` no longer fits; the finding names that line as `file:line`. Lines
//! written before chaining existed are counted as unchained, never as tampered. An
//! incomplete last line (a write interrupted by a crash) is reported as such, and the chain
//! up to the last whole line is still verified. The heads that run journals recorded are
//! anchors: a line removed from the end of the log, which the chain alone cannot show, breaks
//! against them.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::chain::{ChainHead, GENESIS, sha256_hex};

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
    /// file (its `prev` is neither [`GENESIS`] nor the line before it).
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

fn after_partial(v: &serde_json::Value) -> Option<&str> {
    v.get("after_partial").and_then(|p| p.as_str())
}

/// Checks one file's bytes; `start` is the head of the file it continues, when known.
pub fn verify_bytes(path: &Path, bytes: &[u8], start: Option<&ChainHead>) -> FileReport {
    let mut rep = FileReport {
        path: path.to_path_buf(),
        ..Default::default()
    };
    let mut segs: Vec<&[u8]> = bytes.split(|&b| b == b'\n').collect();
    // After the last newline: nothing, or an incomplete line.
    let tail = segs.pop().filter(|t| !t.is_empty());
    rep.lines = segs.len();
    if let Some(t) = tail {
        rep.incomplete = Some((segs.len() + 1, t.len()));
    }
    let hashes: Vec<String> = segs.iter().map(|s| sha256_hex(s)).collect();
    let mut by_hash: HashMap<&str, usize> = HashMap::new();
    for (i, h) in hashes.iter().enumerate() {
        by_hash.entry(h.as_str()).or_insert(i + 1);
    }
    let parsed: Vec<Option<serde_json::Value>> = segs
        .iter()
        .map(|s| serde_json::from_slice::<serde_json::Value>(s).ok())
        .collect();
    let chain_of = |i: usize| -> Option<(u64, &str)> {
        let v = parsed.get(i)?.as_ref()?;
        Some((v.get("seq")?.as_u64()?, v.get("prev")?.as_str()?))
    };
    // The last whole line before this one that counts: (line, seq or 0, hash).
    let mut last: Option<(usize, u64, &str)> = None;
    let mut started = false;
    let mut fragment: Option<usize> = None;
    let fail = |rep: &mut FileReport, line: usize, reason: String| {
        rep.broken = Some(Break { line, reason });
    };
    for i in 0..segs.len() {
        let n = i + 1;
        let hash = hashes[i].as_str();
        let Some((seq, prev)) = chain_of(i) else {
            if !started {
                rep.unchained += 1;
                last = Some((n, 0, hash));
                continue;
            }
            if let Some(f) = fragment {
                fail(
                    &mut rep,
                    f,
                    "not a chained line, and the line after it does not record it as the \
                     fragment of an interrupted write: changed or inserted"
                        .into(),
                );
                return rep;
            }
            fragment = Some(n);
            continue;
        };
        let v = parsed[i].as_ref();
        let recorded_fragment = v.and_then(after_partial);
        match (fragment.take(), recorded_fragment) {
            (Some(f), Some(h)) if h == hashes[f - 1] => rep.fragments.push(f),
            (Some(f), _) => {
                fail(
                    &mut rep,
                    f,
                    "not a chained line (changed, or inserted): the line after it does not \
                     record it as the fragment of an interrupted write"
                        .into(),
                );
                return rep;
            }
            (None, Some(_)) if n > 1 => {
                fail(
                    &mut rep,
                    n,
                    "follows the fragment of an interrupted write, which is not there: \
                     a line before it was removed"
                        .into(),
                );
                return rep;
            }
            _ => {}
        }
        if let Some(&k) = by_hash.get(hash).filter(|&&k| k < n) {
            fail(&mut rep, n, format!("an exact copy of line {k}: inserted"));
            return rep;
        }
        match last {
            None if prev == GENESIS && seq == 1 && start.is_none() => {}
            None => {
                if let Some(s) = start {
                    if prev != s.sha256 || seq != s.seq + 1 {
                        fail(
                            &mut rep,
                            n,
                            format!(
                                "does not continue the previous file, whose last line is seq {} \
                                 sha256 {} (this line: seq {seq}, prev {prev})",
                                s.seq, s.sha256
                            ),
                        );
                        return rep;
                    }
                } else {
                    rep.continues = Some((seq, prev.to_string()));
                }
            }
            Some((pn, pseq, phash)) => {
                let want_seq = pseq + 1;
                if prev != phash {
                    let (line, reason) = match by_hash.get(prev) {
                        Some(&j) if j > pn => (
                            n,
                            format!(
                                "chained to line {j}, which comes after it: lines were reordered"
                            ),
                        ),
                        Some(&j) => (
                            j + 1,
                            format!(
                                "line {n} is chained to line {j}: the lines between were inserted"
                            ),
                        ),
                        None if seq > want_seq => (
                            n,
                            format!(
                                "seq {seq} follows seq {pseq}: {} line(s) before it were removed",
                                seq - want_seq
                            ),
                        ),
                        None if seq < want_seq => (
                            n,
                            format!(
                                "seq {seq} follows seq {pseq}: a line was moved or inserted here"
                            ),
                        ),
                        None => {
                            // Line pn changed, or this line's own prev did: the next line
                            // tells which.
                            let next_fits = chain_of(i + 1).is_some_and(|(_, np)| np == hash);
                            if next_fits || i + 1 >= segs.len() {
                                (
                                    pn,
                                    format!(
                                        "changed: its hash is not the prev that line {n} recorded"
                                    ),
                                )
                            } else {
                                (
                                    n,
                                    "changed: its prev is not the hash of the line before it, \
                                     and the line after it does not chain to it"
                                        .into(),
                                )
                            }
                        }
                    };
                    fail(&mut rep, line, reason);
                    return rep;
                }
                if seq != want_seq {
                    fail(
                        &mut rep,
                        n,
                        format!("changed: seq {seq} where {want_seq} follows line {pn}"),
                    );
                    return rep;
                }
            }
        }
        if !started {
            rep.first = Some((n, seq));
        }
        started = true;
        rep.seqs.insert(seq, (n, hashes[i].clone()));
        rep.head = Some(ChainHead {
            seq,
            sha256: hashes[i].clone(),
        });
        last = Some((n, seq, hash));
    }
    if let Some(f) = fragment {
        // A fragment terminated by a write that itself did not finish.
        if rep.incomplete.is_none() {
            fail(
                &mut rep,
                f,
                "not a chained line (changed, or inserted after the last line)".into(),
            );
        } else {
            rep.fragments.push(f);
        }
    }
    rep
}

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

/// One file's findings, for the terminal.
pub fn describe(rep: &FileReport, out: &mut String) {
    let p = rep.path.display();
    if let Some(b) = &rep.broken {
        let _ = writeln!(out, "{p}:{}: {}", b.line, b.reason);
        let upto = b.line.saturating_sub(1);
        let _ = writeln!(
            out,
            "{p}: BROKEN at line {}: the chain holds up to line {upto}",
            b.line
        );
        return;
    }
    if rep.unchained > 0 {
        let _ = writeln!(
            out,
            "{p}: lines 1–{} are unchained (written before the log was chained): they cannot \
             be verified, and are not reported as tampered",
            rep.unchained
        );
    }
    if let Some((seq, prev)) = &rep.continues {
        let _ = writeln!(
            out,
            "{p}: the chain continues from another file (first seq {seq}, prev {prev}); \
             verify the files together to check the link"
        );
    }
    for f in &rep.fragments {
        let _ = writeln!(
            out,
            "{p}:{f}: the fragment of a write interrupted by a crash (recorded by the line after it)"
        );
    }
    if let Some((line, bytes)) = rep.incomplete {
        let _ = writeln!(
            out,
            "{p}:{line}: incomplete last line ({bytes} bytes, no newline): a write interrupted by a crash"
        );
    }
    match (&rep.head, rep.first) {
        (Some(h), Some((first, fseq))) => {
            let _ = writeln!(
                out,
                "{p}: {}: lines {first}–{} chained, seq {fseq}–{}; head seq {} sha256 {}",
                if rep.incomplete.is_some() {
                    "INTACT UP TO THE INCOMPLETE LAST LINE"
                } else {
                    "INTACT"
                },
                rep.lines,
                h.seq,
                h.seq,
                h.sha256
            );
        }
        _ => {
            let _ = writeln!(
                out,
                "{p}: UNCHAINED: {} line(s), none chained: nothing to verify",
                rep.lines
            );
        }
    }
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

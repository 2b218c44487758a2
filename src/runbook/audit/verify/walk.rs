//! The walk along one file's lines: each chained line checked against the one before it, and
//! the first that does not fit named with why.

use std::collections::HashMap;
use std::path::Path;

use super::{Break, FileReport};
use crate::runbook::audit::chain::{ChainHead, GENESIS, sha256_hex};

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

//! The hash chain of the audit log.
//!
//! Every line is one JSON object that begins `{"seq":N,"prev":"<sha256 hex>",`: `seq` counts
//! the chained lines (1 for the first), and `prev` is the SHA-256 of the previous line's exact
//! bytes, its terminating newline excluded. The first line of a new log chains to
//! [`GENESIS`]; the first chained line after lines written before chaining existed chains to
//! the last of them (with `seq` 1); the first line of a rotated-in file chains to the last
//! line of the file it replaced. A line that follows an incomplete line (a write interrupted
//! by a crash) chains to the last whole line before it and names the incomplete line's hash
//! in `after_partial`, so that the chain stays verifiable and the fragment stays visible.
//!
//! Appends from every process and thread go through one exclusive lock on the file: the tail
//! is read under it, so two writers never chain to the same line.

mod file;

use std::fs::File;
use std::io::{Read, Seek, SeekFrom};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

pub(crate) use file::ChainFile;

/// What the first line of a new chain points to.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// A file that grows past this many bytes is rotated before the next line: renamed to
/// `<name>.<UTC time>`, and the new file's first line (`audit_rotated`) chains to its head.
pub const ROTATE_BYTES: u64 = 256 * 1024 * 1024;

/// The last line of the chain: its sequence number and hash.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChainHead {
    pub seq: u64,
    pub sha256: String,
}

/// SHA-256 of `bytes`, lowercase hex.
pub fn sha256_hex(bytes: &[u8]) -> String {
    let digest = Sha256::digest(bytes);
    let mut out = String::with_capacity(64);
    for b in digest {
        out.push(char::from_digit(u32::from(b >> 4), 16).unwrap_or('0'));
        out.push(char::from_digit(u32::from(b & 15), 16).unwrap_or('0'));
    }
    out
}

/// The chained line's `seq` and `prev`, when it is one.
pub fn chain_fields(line: &[u8]) -> Option<(u64, String)> {
    let v: serde_json::Value = serde_json::from_slice(line).ok()?;
    let seq = v.get("seq")?.as_u64()?;
    let prev = v.get("prev")?.as_str()?.to_string();
    Some((seq, prev))
}

/// Where the next line chains to, as read from the end of the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Tail {
    /// The file's length when read.
    pub len: u64,
    /// The hash of the last whole line and its `seq` (0 when it is not chained), or
    /// [`GENESIS`] and 0 for an empty file.
    pub prev: String,
    pub seq: u64,
    /// The hash of an incomplete last line, which the next line terminates.
    pub partial: Option<String>,
}

/// Reads the end of `file` back to its last whole line.
pub(crate) fn read_tail(file: &mut File) -> std::io::Result<Tail> {
    let len = file.metadata()?.len();
    if len == 0 {
        return Ok(Tail {
            len,
            prev: GENESIS.into(),
            seq: 0,
            partial: None,
        });
    }
    let mut want = 64 * 1024u64;
    loop {
        let from = len.saturating_sub(want);
        let mut buf = Vec::with_capacity((len - from) as usize);
        file.seek(SeekFrom::Start(from))?;
        Read::by_ref(file).take(len - from).read_to_end(&mut buf)?;
        // The bytes after the last newline are an incomplete line.
        let (whole, partial) = match buf.iter().rposition(|&b| b == b'\n') {
            Some(i) => (&buf[..i], Some(&buf[i + 1..]).filter(|p| !p.is_empty())),
            None if from == 0 => (&buf[..0], Some(&buf[..])),
            None => {
                want *= 4;
                continue;
            }
        };
        let partial_at_start = from == 0 && whole.is_empty() && partial.is_some();
        let last = match whole.iter().rposition(|&b| b == b'\n') {
            Some(i) => &whole[i + 1..],
            None if from == 0 => whole,
            None => {
                want *= 4;
                continue;
            }
        };
        let partial = partial.map(sha256_hex);
        if partial_at_start {
            return Ok(Tail {
                len,
                prev: GENESIS.into(),
                seq: 0,
                partial,
            });
        }
        let seq = chain_fields(last).map_or(0, |(s, _)| s);
        return Ok(Tail {
            len,
            prev: sha256_hex(last),
            seq,
            partial,
        });
    }
}

/// One chained line from an unchained one (`{...}\n`, as [`super::line`] makes it).
pub(crate) fn chained(tail: &Tail, line: &str) -> (String, ChainHead) {
    let body = line.trim_end_matches('\n');
    let rest = body.strip_prefix('{').unwrap_or(body);
    let seq = tail.seq + 1;
    let mut text = String::with_capacity(line.len() + 100);
    if tail.partial.is_some() {
        text.push('\n');
    }
    text.push_str(&format!("{{\"seq\":{seq},\"prev\":\"{}\",", tail.prev));
    if let Some(p) = &tail.partial {
        text.push_str(&format!("\"after_partial\":\"{p}\","));
    }
    if rest == "}" || rest.is_empty() {
        // An empty object: drop the trailing comma.
        text.pop();
        text.push('}');
    } else {
        text.push_str(rest);
    }
    let start = usize::from(tail.partial.is_some());
    let head = ChainHead {
        seq,
        sha256: sha256_hex(&text.as_bytes()[start..]),
    };
    text.push('\n');
    (text, head)
}

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

use std::fs::{File, OpenOptions};
use std::io::{Read, Seek, SeekFrom, Write};
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

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

/// An open, chained audit file.
pub(crate) struct ChainFile {
    pub path: PathBuf,
    file: File,
    /// The tail as this writer left it, valid while the file's length and identity are the
    /// same as then.
    cached: Option<(u64, u64, Tail)>,
    /// The size past which the file is rotated before the next line.
    pub rotate_bytes: u64,
}

fn open_append(path: &Path) -> std::io::Result<File> {
    OpenOptions::new()
        .create(true)
        .read(true)
        .append(true)
        .open(path)
}

impl ChainFile {
    pub fn open(path: &Path) -> std::io::Result<ChainFile> {
        Ok(ChainFile {
            path: path.to_path_buf(),
            file: open_append(path)?,
            cached: None,
            rotate_bytes: ROTATE_BYTES,
        })
    }

    /// Appends one line, chained, under the file's exclusive lock; returns the new head.
    pub fn append(&mut self, line: &str) -> std::io::Result<ChainHead> {
        loop {
            self.file.lock()?;
            // Another writer may have rotated the file away: follow the path.
            let here = self.file.metadata()?;
            let named = std::fs::metadata(&self.path).ok();
            if named
                .as_ref()
                .is_none_or(|m| (m.dev(), m.ino()) != (here.dev(), here.ino()))
            {
                let _ = self.file.unlock();
                self.file = open_append(&self.path)?;
                self.cached = None;
                continue;
            }
            let res = self.append_locked(line, &here);
            let _ = self.file.unlock();
            return res;
        }
    }

    fn append_locked(
        &mut self,
        line: &str,
        meta: &std::fs::Metadata,
    ) -> std::io::Result<ChainHead> {
        let ident = (meta.ino(), meta.len());
        let tail = match &self.cached {
            Some((ino, len, t)) if (*ino, *len) == ident => t.clone(),
            _ => read_tail(&mut self.file)?,
        };
        if tail.len >= self.rotate_bytes && tail.partial.is_none() {
            self.rotate(&tail)?;
            return self.append(line);
        }
        let (text, head) = chained(&tail, line);
        self.file.write_all(text.as_bytes())?;
        self.file.flush()?;
        let len = tail.len + text.len() as u64;
        self.cached = Some((
            meta.ino(),
            len,
            Tail {
                len,
                prev: head.sha256.clone(),
                seq: head.seq,
                partial: None,
            },
        ));
        Ok(head)
    }

    /// Renames the full file aside and starts the next with a line chained to its head.
    /// Called with the old file locked, so no other writer appends to it meanwhile.
    fn rotate(&mut self, tail: &Tail) -> std::io::Result<()> {
        // Named by the head's seq (unique, and in chain order) and the time.
        let stamp = format!(
            "{:012}-{}",
            tail.seq,
            chrono::Utc::now().format("%Y%m%dT%H%M%SZ")
        );
        let name = self
            .path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "audit.jsonl".into());
        let aside = self.path.with_file_name(format!("{name}.{stamp}"));
        if aside.exists() {
            return Err(std::io::Error::other(format!(
                "cannot rotate the audit log: {} exists",
                aside.display()
            )));
        }
        std::fs::rename(&self.path, &aside)?;
        let mut next = open_append(&self.path)?;
        next.lock()?;
        let first = super::line(
            "-",
            None,
            "audit_rotated",
            serde_json::json!({"previous_file": aside.file_name().map(|n| n.to_string_lossy().into_owned()),
                               "previous_head": {"seq": tail.seq, "sha256": tail.prev}}),
        );
        let fresh = Tail {
            len: 0,
            prev: tail.prev.clone(),
            seq: tail.seq,
            partial: None,
        };
        let (text, _) = chained(&fresh, &first);
        next.write_all(text.as_bytes())?;
        next.flush()?;
        let _ = next.unlock();
        let _ = self.file.unlock();
        self.file = next;
        self.cached = None;
        Ok(())
    }
}

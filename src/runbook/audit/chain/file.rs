//! An open, chained audit file: lines appended under its exclusive lock, and the file rotated
//! aside once it has grown too big.

use std::fs::{File, OpenOptions};
use std::io::Write;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};

use super::{ChainHead, ROTATE_BYTES, Tail, chained, read_tail};

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
        let first = crate::runbook::audit::line(
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

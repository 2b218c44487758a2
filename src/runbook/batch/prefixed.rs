//! A batch's output: the lines of each estate's run written whole to one shared writer,
//! prefixed with the estate's name, and offered to the progress channel.

use std::io::Write;

use tokio::sync::mpsc;

use super::{BatchProgress, SharedOut};

/// Writes whole lines to the shared output, each prefixed `[estate] `.
pub(super) struct Prefixed {
    pub(super) estate: usize,
    pub(super) name: String,
    pub(super) out: SharedOut,
    pub(super) progress: Option<mpsc::UnboundedSender<BatchProgress>>,
    pub(super) partial: Vec<u8>,
}

impl Prefixed {
    fn emit(&mut self, line: &[u8]) {
        let line = String::from_utf8_lossy(line).into_owned();
        if let Ok(mut out) = self.out.lock() {
            let _ = writeln!(out, "[{}] {line}", self.name);
        }
        if let Some(p) = &self.progress {
            let _ = p.send(BatchProgress::Line {
                estate: self.estate,
                line,
            });
        }
    }
}

impl Write for Prefixed {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.partial.extend_from_slice(buf);
        while let Some(at) = self.partial.iter().position(|b| *b == b'\n') {
            let line: Vec<u8> = self.partial.drain(..=at).collect();
            self.emit(&line[..line.len() - 1]);
        }
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        if let Ok(mut out) = self.out.lock() {
            out.flush()?;
        }
        Ok(())
    }
}

impl Drop for Prefixed {
    fn drop(&mut self) {
        if !self.partial.is_empty() {
            let rest = std::mem::take(&mut self.partial);
            self.emit(&rest);
        }
    }
}

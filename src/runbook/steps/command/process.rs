//! The running program's output, read line by line for the log, and the end of its process
//! group.

use std::process::Stdio;

use tokio::io::{AsyncBufReadExt, AsyncRead, BufReader};
use tokio::sync::mpsc;

/// Longest line written to the log; the rest is cut.
const MAX_LINE: usize = 400;

/// A line fit for the log: no control characters, at most [`MAX_LINE`] characters.
fn clean(bytes: &[u8]) -> String {
    let text = String::from_utf8_lossy(bytes);
    let mut line: String = text
        .trim_end_matches(['\n', '\r'])
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    if line.chars().count() > MAX_LINE {
        line = line.chars().take(MAX_LINE).collect::<String>() + "…";
    }
    line
}

pub(super) fn forward<R: AsyncRead + Unpin + Send + 'static>(
    from: R,
    stream: &'static str,
    to: mpsc::UnboundedSender<(&'static str, String)>,
) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut r = BufReader::new(from);
        let mut buf = Vec::new();
        loop {
            buf.clear();
            match r.read_until(b'\n', &mut buf).await {
                Ok(0) | Err(_) => break,
                Ok(_) => {
                    if to.send((stream, clean(&buf))).is_err() {
                        break;
                    }
                }
            }
        }
    })
}

/// Kills the program and what it started (its process group).
pub(super) fn kill_group(child: &mut tokio::process::Child) {
    if let Some(pid) = child.id() {
        let _ = std::process::Command::new("kill")
            .args(["-KILL", "--", &format!("-{pid}")])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
    }
    let _ = child.start_kill();
}

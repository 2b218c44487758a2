//! Errors in an estate file, each naming the file, line, column and key.

mod keys;

pub use keys::{locate_key, segment};

use std::fmt;

#[derive(Debug)]
pub enum ConfigError {
    Io {
        path: String,
        message: String,
    },
    Parse {
        path: String,
        line: usize,
        column: usize,
        message: String,
        snippet: String,
    },
    Invalid {
        path: String,
        line: usize,
        column: usize,
        key: String,
        message: String,
    },
}

impl ConfigError {
    pub fn from_toml(path: &str, text: &str, err: &toml::de::Error) -> ConfigError {
        let offset = err.span().map(|s| s.start).unwrap_or(0).min(text.len());
        let offset = (0..=offset)
            .rev()
            .find(|&i| text.is_char_boundary(i))
            .unwrap_or(0);
        let (line, column, snippet) = position(text, offset);
        ConfigError::Parse {
            path: path.to_string(),
            line,
            column,
            message: escape_controls(err.message().trim()),
            snippet: without_secret(snippet),
        }
    }

    /// The file is not UTF-8: points at the first byte that is not.
    pub fn from_utf8(path: &str, bytes: &[u8], err: &std::str::Utf8Error) -> ConfigError {
        let good = err.valid_up_to();
        // The prefix up to `good` is valid UTF-8 by definition.
        let text = std::str::from_utf8(&bytes[..good]).unwrap_or_default();
        let (line, column, mut snippet) = position(text, good);
        let rest_of_line = bytes[good..].split(|b| *b == b'\n').next().unwrap_or(&[]);
        snippet.push_str(&printable(&String::from_utf8_lossy(rest_of_line)));
        ConfigError::Parse {
            path: path.to_string(),
            line,
            column,
            message: format!(
                "invalid UTF-8: byte 0x{:02X} cannot appear here (an estate file is UTF-8 text)",
                bytes[good]
            ),
            snippet,
        }
    }

    /// The path could not be read as a file.
    pub fn io(path: &std::path::Path, err: &std::io::Error) -> ConfigError {
        let message = if path.is_dir() {
            "is a directory, not an estate file".to_string()
        } else {
            match err.kind() {
                std::io::ErrorKind::NotFound => "no such file".to_string(),
                std::io::ErrorKind::PermissionDenied => "permission denied".to_string(),
                _ => err.to_string(),
            }
        };
        ConfigError::Io {
            path: path.display().to_string(),
            message,
        }
    }
}

/// (line, column, the line's text up to its end made printable) of a byte offset.
fn position(text: &str, offset: usize) -> (usize, usize, String) {
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map(|i| i + 1).unwrap_or(0);
    let column = text[line_start..offset].chars().count() + 1;
    let snippet = text[line_start..].lines().next().unwrap_or("");
    (line, column, printable(snippet))
}

/// A line of the file that writes a secret (`webhook_url = "…"`) is shown with its value
/// replaced: an error must not print a secret the file holds.
fn without_secret(line: String) -> String {
    let Some((key, _)) = line.split_once('=') else {
        return line;
    };
    // Also `notify = { webhook_url = "…" }` and a quoted key.
    if line.contains("webhook_url") && !line.contains("webhook_url_env") {
        format!("{key}= {}", crate::model::REDACTED)
    } else {
        line
    }
}

/// A line of the file as shown under an error: each control character (which could clear or
/// rewrite the terminal) becomes one replacement character, so the caret stays aligned.
fn printable(line: &str) -> String {
    line.chars()
        .map(|c| if c.is_control() { '\u{FFFD}' } else { c })
        .collect()
}

/// Text for a message: control characters (but newlines) written as `\u001B`.
fn escape_controls(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if c.is_control() && c != '\n' {
            out.push_str(&format!("\\u{:04X}", c as u32));
        } else {
            out.push(c);
        }
    }
    out
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ConfigError::Io { path, message } => {
                write!(f, "{}: cannot read: {message}", escape_controls(path))
            }
            ConfigError::Parse {
                path,
                line,
                column,
                message,
                snippet,
            } => {
                let path = escape_controls(path);
                writeln!(f, "{path}:{line}:{column}: {message}")?;
                writeln!(f, "  {line:>4} | {snippet}")?;
                write!(f, "       | {}^", " ".repeat(column.saturating_sub(1)))
            }
            ConfigError::Invalid {
                path,
                line,
                column,
                key,
                message,
            } => write!(
                f,
                "{}:{line}:{column}: key `{key}`: {message}",
                escape_controls(path)
            ),
        }
    }
}

impl std::error::Error for ConfigError {}

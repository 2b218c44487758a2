//! Errors in an estate file, each naming the file, line, column and key.

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
        let before = &text[..offset];
        let line = before.matches('\n').count() + 1;
        let line_start = before.rfind('\n').map(|i| i + 1).unwrap_or(0);
        let column = text[line_start..offset].chars().count() + 1;
        let snippet = text[line_start..].lines().next().unwrap_or("").to_string();
        ConfigError::Parse {
            path: path.to_string(),
            line,
            column,
            message: err.message().trim().to_string(),
            snippet,
        }
    }
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ConfigError::Io { path, message } => write!(f, "{path}: cannot read: {message}"),
            ConfigError::Parse {
                path,
                line,
                column,
                message,
                snippet,
            } => {
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
            } => write!(f, "{path}:{line}:{column}: key `{key}`: {message}"),
        }
    }
}

impl std::error::Error for ConfigError {}

/// Finds where a dotted key path (`asgs[1].production`, `database.kind`) is written, as
/// (line, column), both from 1. Falls back to the nearest enclosing table, then to 1:1.
pub fn locate_key(text: &str, key: &str) -> (usize, usize) {
    let mut header = String::new();
    let mut counts: std::collections::HashMap<String, usize> = Default::default();
    let mut best: Option<(usize, usize, usize)> = None; // (matched length, line, column)
    for (n, raw) in text.lines().enumerate() {
        let line = raw.trim_start();
        let indent = raw.len() - line.len();
        let here = if let Some(rest) = line.strip_prefix("[[") {
            let name = rest.split("]]").next().unwrap_or("").trim().to_string();
            let idx = counts.entry(name.clone()).or_insert(0);
            header = format!("{name}[{idx}]");
            *idx += 1;
            header.clone()
        } else if let Some(rest) = line.strip_prefix('[') {
            header = rest.split(']').next().unwrap_or("").trim().to_string();
            header.clone()
        } else if let Some((k, _)) = line.split_once('=') {
            let k = k.trim().trim_matches('"');
            if k.is_empty() || k.starts_with('#') {
                continue;
            }
            if header.is_empty() {
                k.to_string()
            } else {
                format!("{header}.{k}")
            }
        } else {
            continue;
        };
        let matched = if here == key {
            usize::MAX
        } else if key.starts_with(&format!("{here}.")) || key.starts_with(&format!("{here}[")) {
            here.len()
        } else {
            0
        };
        if matched > 0 && best.is_none_or(|(m, _, _)| matched > m) {
            best = Some((matched, n + 1, indent + 1));
        }
    }
    best.map(|(_, l, c)| (l, c)).unwrap_or((1, 1))
}

//! The append-only audit log: one JSON object per line, written and flushed line by line,
//! each line chained to the one before it by its hash ([`chain`]), and checked by
//! [`verify`].

pub mod chain;
pub mod verify;

use std::path::{Path, PathBuf};
use std::sync::Mutex;

use serde_json::{Map, Value, json};

pub use chain::{ChainHead, GENESIS, sha256_hex};

/// `$XDG_STATE_HOME/drconsole`, else `~/.local/state/drconsole`, else `./.drconsole`.
pub fn default_state_dir() -> PathBuf {
    if let Some(x) = std::env::var_os("XDG_STATE_HOME").filter(|v| !v.is_empty()) {
        return PathBuf::from(x).join("drconsole");
    }
    if let Some(h) = std::env::var_os("HOME").filter(|v| !v.is_empty()) {
        return PathBuf::from(h)
            .join(".local")
            .join("state")
            .join("drconsole");
    }
    PathBuf::from(".drconsole")
}

/// Where the audit log goes unless told otherwise: `audit.jsonl` in [`default_state_dir`].
pub fn default_audit_path() -> PathBuf {
    default_state_dir().join("audit.jsonl")
}

/// The operating-system user, as recorded with every confirmation.
pub fn os_user() -> String {
    ["USER", "LOGNAME", "USERNAME"]
        .iter()
        .find_map(|k| std::env::var(k).ok().filter(|v| !v.is_empty()))
        .or_else(user_from_id)
        .unwrap_or_else(|| "unknown".into())
}

/// Shells and services started without a login (tmux servers, systemd units) may have no
/// `$USER`: ask the system.
fn user_from_id() -> Option<String> {
    let out = std::process::Command::new("id").arg("-un").output().ok()?;
    let name = String::from_utf8(out.stdout).ok()?.trim().to_string();
    (out.status.success() && !name.is_empty()).then_some(name)
}

pub struct AuditLog {
    path: PathBuf,
    file: Mutex<chain::ChainFile>,
}

impl AuditLog {
    pub fn open(path: &Path) -> std::io::Result<AuditLog> {
        AuditLog::open_rotating_at(path, chain::ROTATE_BYTES)
    }

    /// [`AuditLog::open`], rotating the file once it has grown past `bytes`.
    pub fn open_rotating_at(path: &Path, bytes: u64) -> std::io::Result<AuditLog> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir)?;
        }
        let mut file = chain::ChainFile::open(path)?;
        file.rotate_bytes = bytes;
        Ok(AuditLog {
            path: path.to_path_buf(),
            file: Mutex::new(file),
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Appends one line made by [`line`], chained to the file's last line, and flushes it.
    /// Returns the new head of the chain.
    pub fn append(&self, line: &str) -> std::io::Result<ChainHead> {
        let mut file = self.file.lock().unwrap_or_else(|p| p.into_inner());
        file.append(line)
    }

    /// Appends one line: `ts`, `run_id`, `event`, then `fields`. Returns the write error, if any.
    pub fn write(
        &self,
        run_id: &str,
        step: Option<&str>,
        event: &str,
        fields: Value,
    ) -> std::io::Result<()> {
        self.append(&line(run_id, step, event, fields)).map(|_| ())
    }
}

/// One audit line (newline included): `ts` (now), `run_id`, `step`, `event`, then `fields`.
pub fn line(run_id: &str, step: Option<&str>, event: &str, fields: Value) -> String {
    let mut line = Map::new();
    line.insert(
        "ts".into(),
        json!(chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true)),
    );
    line.insert("run_id".into(), json!(run_id));
    if let Some(s) = step {
        line.insert("step".into(), json!(s));
    }
    line.insert("event".into(), json!(event));
    if let Value::Object(f) = fields {
        // The chain's own fields lead every line; a field of the same name is kept apart.
        line.extend(f.into_iter().map(|(k, v)| match k.as_str() {
            "seq" | "prev" | "after_partial" => (format!("field_{k}"), v),
            _ => (k, v),
        }));
    }
    let mut text = Value::Object(line).to_string();
    text.push('\n');
    text
}

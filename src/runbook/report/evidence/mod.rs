//! What a report states beyond the journal, read back from the audit log: who ran the run
//! and from where, each confirmation, each AWS change and its result, the state changes the
//! run observed, the operator's findings, and the chain head.

mod parse;

use std::path::{Path, PathBuf};

use serde::Serialize;
use serde_json::Value;

use crate::runbook::audit::ChainHead;

/// One confirmation of a step.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Confirmation {
    pub utc: String,
    pub step: String,
    /// `typed`, `key` or `flags`.
    pub how: String,
    /// What was typed, or the flags given.
    pub detail: String,
    pub user: String,
    pub host: String,
    pub principal: String,
    pub calls: Vec<String>,
}

/// One AWS call that changes something, with its result.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Change {
    pub utc: String,
    pub step: String,
    pub call: String,
    pub describe: String,
    /// `ok`, `error`, `unknown` (the call may have been applied), or `no answer recorded`.
    pub result: String,
    pub detail: String,
}

/// A state the run saw an alarm or health check change to.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Observed {
    pub utc: String,
    pub what: String,
    pub name: String,
    pub side: String,
    pub from: String,
    pub to: String,
}

/// A finding the operator wrote before closing the run.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Finding {
    pub utc: String,
    pub user: String,
    pub text: String,
}

/// Everything the audit log says about one run.
#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct Evidence {
    pub user: Option<String>,
    pub host: Option<String>,
    pub drill: Option<bool>,
    pub backend: Option<String>,
    /// Per side: the AWS principal the run acted as.
    pub principals: Vec<(String, String)>,
    pub estate_sha256: Option<String>,
    /// The objectives as the estate set them when the run started.
    pub rto_objective_secs: Option<f64>,
    pub rpo_objective_secs: Option<f64>,
    pub confirmations: Vec<Confirmation>,
    pub changes: Vec<Change>,
    pub observed: Vec<Observed>,
    pub findings: Vec<Finding>,
    /// Second operator's approvals: requested, granted, timed out, refused.
    pub approvals: Vec<super::approvals::ApprovalEvent>,
    /// The last line of the run in the log (seq, sha256), when it is chained.
    pub head: Option<ChainHead>,
    pub audit_file: Option<PathBuf>,
}

fn s(v: &Value, k: &str) -> String {
    match v.get(k) {
        Some(Value::String(x)) => x.clone(),
        Some(Value::Null) | None => String::new(),
        Some(other) => other.to_string(),
    }
}

impl Evidence {
    /// The run's lines in the audit log `path` and the files rotated aside from it.
    pub fn read(path: &Path, run_id: &str) -> std::io::Result<Evidence> {
        let mut lines = Vec::new();
        for file in crate::runbook::audit::verify::log_set(path) {
            let bytes = match std::fs::read(&file) {
                Ok(b) => b,
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
                Err(e) => return Err(e),
            };
            let needle = format!("\"run_id\":\"{run_id}\"");
            for raw in bytes.split(|&b| b == b'\n') {
                if raw.is_empty() || !contains(raw, needle.as_bytes()) {
                    continue;
                }
                if let Ok(v) = serde_json::from_slice::<Value>(raw)
                    && v.get("run_id").and_then(Value::as_str) == Some(run_id)
                {
                    lines.push((v, crate::runbook::audit::sha256_hex(raw)));
                }
            }
        }
        let mut e = Evidence::from_lines(&lines);
        e.audit_file = Some(path.to_path_buf());
        Ok(e)
    }
}

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    hay.windows(needle.len()).any(|w| w == needle)
}

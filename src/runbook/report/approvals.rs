//! The second operator's approvals as the report states them: each request (who asked, the
//! plan's SHA-256, the deadline) and what became of it (approved by whom, timed out, refused),
//! read back from the audit log.

use std::fmt::Write;

use serde::Serialize;
use serde_json::Value;

use super::html::{esc, head};

/// One audited event of an approval.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct ApprovalEvent {
    pub utc: String,
    pub step: String,
    /// `requested`, `granted`, `timed out`, `rejected`, `given`, `refused`.
    pub what: String,
    pub user: String,
    pub host: String,
    pub principal: String,
    pub plan_sha256: String,
    /// The deadline (requests) or why it was refused.
    pub detail: String,
}

fn s(v: &Value, k: &str) -> String {
    v.get(k).and_then(Value::as_str).unwrap_or("").to_string()
}

/// The approval event an audit line records, if it records one.
pub fn of_line(v: &Value) -> Option<ApprovalEvent> {
    let what = match s(v, "event").as_str() {
        "approval_requested" => "requested",
        "approval_granted" => "granted",
        "approval_timed_out" => "timed out",
        "approval_rejected" => "rejected",
        "approval_given" => "given",
        "approval_refused" => "refused",
        "approval_request_failed" => "request failed",
        _ => return None,
    };
    let detail = match what {
        "requested" => format!("until {}", s(v, "expires_at")),
        "timed out" => format!("deadline {}", s(v, "expires_at")),
        "granted" => format!("asked by {}", s(v, "requested_by")),
        _ => [s(v, "reason"), s(v, "error")].concat(),
    };
    Some(ApprovalEvent {
        utc: s(v, "ts"),
        step: s(v, "step"),
        what: what.to_string(),
        user: s(v, "user"),
        host: s(v, "host"),
        principal: s(v, "principal"),
        plan_sha256: s(v, "plan_sha256"),
        detail,
    })
}

/// The Markdown section (empty when the run asked for no approval).
pub fn markdown(events: &[ApprovalEvent]) -> String {
    let mut out = String::new();
    if events.is_empty() {
        return out;
    }
    let _ = writeln!(out, "\n## Second operator's approvals\n");
    let _ = writeln!(
        out,
        "| UTC | step | event | user@host | principal | plan sha256 | detail |"
    );
    let _ = writeln!(out, "|---|---|---|---|---|---|---|");
    for e in events {
        let _ = writeln!(
            out,
            "| {} | {} | {} | {}@{} | {} | `{}` | {} |",
            e.utc,
            e.step,
            e.what,
            e.user,
            e.host,
            e.principal,
            e.plan_sha256,
            e.detail.replace('|', "\\|")
        );
    }
    out
}

/// The HTML section.
pub fn html(out: &mut String, events: &[ApprovalEvent]) {
    if events.is_empty() {
        return;
    }
    out.push_str("<h2>Second operator's approvals</h2>\n<table id=\"approvals\">\n");
    head(
        out,
        &[
            "UTC",
            "step",
            "event",
            "user",
            "host",
            "AWS principal",
            "plan sha256",
            "detail",
        ],
    );
    for e in events {
        out.push_str("<tr class=\"approval\">");
        for (class, text) in [
            ("utc", &e.utc),
            ("step", &e.step),
            ("what", &e.what),
            ("user", &e.user),
            ("host", &e.host),
            ("principal", &e.principal),
            ("plan", &e.plan_sha256),
            ("detail", &e.detail),
        ] {
            let _ = write!(out, "<td class=\"{class}\">{}</td>", esc(text));
        }
        out.push_str("</tr>\n");
    }
    out.push_str("</table>\n");
}

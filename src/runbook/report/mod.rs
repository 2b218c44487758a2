//! The drill report written at the end of every run: the accounts it acted in, timeline, step
//! durations, achieved RTO and RPO exposure, skipped steps and failures, in Markdown.

pub mod approvals;
pub mod evidence;
pub mod html;
mod markdown;

use std::fmt::Write;
use std::time::Duration;

use super::journal::Journal;

pub use markdown::render;

pub fn secs(s: f64) -> String {
    let d = Duration::from_secs(s.max(0.0).round() as u64);
    if d.is_zero() {
        "0s".into()
    } else {
        humantime::format_duration(d).to_string()
    }
}

/// `drconsole report RUN_ID --format`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Html,
    Md,
    Json,
}

/// The report of run `run_id` made again from its journal in `state_dir` and its lines in
/// the audit log: the objectives are those the run started with.
pub fn regenerate(
    state_dir: &std::path::Path,
    audit_path: &std::path::Path,
    run_id: &str,
    format: Format,
) -> Result<String, String> {
    if run_id.is_empty() || run_id.contains(['/', '\\']) || run_id.starts_with('.') {
        return Err(format!("{run_id:?} is not a run id"));
    }
    let path = Journal::dir(state_dir).join(format!("{run_id}.json"));
    let j = Journal::load(&path)?;
    let e = evidence::Evidence::read(audit_path, run_id)
        .map_err(|e| format!("{}: {e}", audit_path.display()))?;
    let rto_objective = e.rto_objective_secs.map(Duration::from_secs_f64);
    let rpo_objective = e.rpo_objective_secs.map(Duration::from_secs_f64);
    Ok(match format {
        Format::Md => {
            let mut t = render(&j, rto_objective);
            t.push_str(&approvals::markdown(&e.approvals));
            if !e.findings.is_empty() {
                let _ = writeln!(t, "\n## Findings\n");
                for f in &e.findings {
                    let _ = writeln!(t, "- {} ({}): {}", f.utc, f.user, f.text.replace('\n', " "));
                }
            }
            t
        }
        Format::Html => html::render(&html::Inputs {
            journal: &j,
            evidence: &e,
            rto_objective,
            rpo_objective,
        }),
        Format::Json => {
            let v = serde_json::json!({
                "journal": j,
                "evidence": e,
                "rto_objective_secs": e.rto_objective_secs,
                "rpo_objective_secs": e.rpo_objective_secs,
            });
            let mut t = serde_json::to_string_pretty(&v).map_err(|e| e.to_string())?;
            t.push('\n');
            t
        }
    })
}

/// Adds a finding to run `run_id`: an audited `finding` line (user, host, text), then the
/// run's report.md and report.html written again with it.
pub fn add_finding(
    state_dir: &std::path::Path,
    audit_path: &std::path::Path,
    run_id: &str,
    text: &str,
) -> Result<(), String> {
    let text = text.trim();
    if text.is_empty() {
        return Err("a finding needs some text".into());
    }
    let journal = Journal::dir(state_dir).join(format!("{run_id}.json"));
    let j = Journal::load(&journal)?;
    super::audit::AuditLog::open(audit_path)
        .and_then(|log| {
            log.write(
                &j.run_id,
                None,
                "finding",
                serde_json::json!({"user": super::audit::os_user(),
                                   "host": super::lock::hostname(), "text": text}),
            )
        })
        .map_err(|e| format!("{}: {e}", audit_path.display()))?;
    let md = j.report_path_in(state_dir);
    for (path, format) in [
        (md.clone(), Format::Md),
        (md.with_extension("html"), Format::Html),
    ] {
        let page = regenerate(state_dir, audit_path, run_id, format)?;
        std::fs::write(&path, page).map_err(|e| format!("{}: {e}", path.display()))?;
    }
    Ok(())
}

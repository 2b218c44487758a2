//! The drill report written at the end of every run: the accounts it acted in, timeline, step
//! durations, achieved RTO and RPO exposure, skipped steps and failures, in Markdown.

pub mod approvals;
pub mod evidence;
pub mod html;

use std::fmt::Write;
use std::time::Duration;

use super::journal::{Journal, RunOutcome, StepStatus};

pub fn secs(s: f64) -> String {
    let d = Duration::from_secs(s.max(0.0).round() as u64);
    if d.is_zero() {
        "0s".into()
    } else {
        humantime::format_duration(d).to_string()
    }
}

fn cell(text: &str) -> String {
    text.replace('|', "\\|").replace('\n', " ")
}

/// Posture before and after, what the run left behind, and the writes it lost.
fn lifecycle(out: &mut String, j: &Journal) {
    let m = &j.metrics;
    let posture = |p: &Option<crate::posture::Posture>| match p {
        Some(p) => format!(
            "{}{} ({})",
            p.state,
            p.active
                .map(|s| format!(", active {s}"))
                .unwrap_or_default(),
            p.detail
        ),
        None => "not read".into(),
    };
    let _ = writeln!(out, "- posture before: {}", posture(&m.posture_before));
    let _ = writeln!(out, "- posture after: {}", posture(&m.posture_after));
    if !m.stale.is_empty() {
        let _ = writeln!(
            out,
            "- stale instances left behind (kept, not deleted: delete them when no longer needed): {}",
            m.stale.join(", ")
        );
    }
    match (m.writes_lost(), m.ledger_end) {
        (Some(n), Some(end)) => {
            let _ = writeln!(
                out,
                "- writes lost: {n} (of {} acknowledged so far, counted by the simulator)",
                end.acknowledged
            );
        }
        (None, Some(_)) => {
            let _ = writeln!(
                out,
                "- writes lost: not counted (no writer serving at the end)"
            );
        }
        _ => {
            let _ = writeln!(
                out,
                "- writes lost: AWS does not count them; at most the RPO exposure above"
            );
        }
    }
}

/// The RTO against the objective, if one is set.
fn objective_line(j: &Journal, objective: Option<Duration>) -> String {
    match (j.metrics.rto(), objective) {
        (Some(rto), Some(goal)) => super::rto::against(rto, goal),
        (None, Some(goal)) => format!("{} (RTO not reached)", secs(goal.as_secs_f64())),
        (_, None) => "not set (`rto_objective` in the estate file)".into(),
    }
}

/// Where the time went, up to the RTO and over the whole run: the operator's, AWS's, the
/// engine's.
fn time_split(out: &mut String, j: &Journal) {
    let _ = writeln!(out, "## Where the time went");
    let _ = writeln!(out);
    let _ = writeln!(
        out,
        "Waiting for the operator: from a question shown (a confirmation, or a decision after a \
         failure) to its answer. Waiting for AWS: calls and verification until AWS shows the \
         target state. Engine overhead: the rest (preflight reads, journal writes, the ticks \
         between reads)."
    );
    let _ = writeln!(out);
    let _ = writeln!(
        out,
        "| stretch | waiting for the operator | waiting for AWS | engine overhead | total |"
    );
    let _ = writeln!(out, "|---|---|---|---|---|");
    let part = |x: f64, total: f64| {
        if total > 0.0 {
            format!("{} ({:.0} %)", secs(x), 100.0 * x / total)
        } else {
            secs(x)
        }
    };
    let mut row = |name: &str, until: f64| {
        let s = super::rto::split(j, until);
        let _ = writeln!(
            out,
            "| {name} | {} | {} | {} | {} |",
            part(s.operator, s.total),
            part(s.aws, s.total),
            part(s.engine, s.total),
            secs(s.total)
        );
    };
    if let Some(rto) = j.metrics.rto() {
        row("achieved RTO (start → serving)", rto);
    }
    row("whole run", j.elapsed);
    let _ = writeln!(out);
}

/// The report of a run; `objective` is the estate's `rto_objective`.
pub fn render(j: &Journal, objective: Option<Duration>) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "# Runbook report: {} ({})", j.runbook, j.estate);
    let _ = writeln!(out);
    let outcome = match &j.outcome {
        Some(RunOutcome::Completed) => "completed".to_string(),
        Some(RunOutcome::Aborted { reason }) => format!("aborted: {reason}"),
        None => "unfinished".to_string(),
    };
    let _ = writeln!(
        out,
        "- run: `{}`{}",
        j.run_id,
        if j.dry_run {
            " (dry run: no AWS change made)"
        } else {
            ""
        }
    );
    // Said from the journal, which records it from the run's start (`--drill`, or `d` in
    // the console's runbook list): never decided afterwards.
    let _ = writeln!(
        out,
        "- kind: {}",
        if j.drill {
            "drill"
        } else {
            "real incident (not marked as a drill)"
        }
    );
    let _ = writeln!(out, "- started: {}", j.started_at.to_rfc3339());
    let _ = writeln!(
        out,
        "- finished: {} ({} after the start)",
        j.updated_at.to_rfc3339(),
        secs(j.elapsed)
    );
    let _ = writeln!(out, "- outcome: {outcome}");
    for (side, account) in &j.accounts {
        let _ = writeln!(out, "- {side} account: {account}");
    }
    let rto = match j.metrics.rto() {
        Some(r) => format!(
            "{} (run start → DNS on {} and its health checks healthy)",
            secs(r),
            j.metrics
                .dns_side
                .map(|s| s.to_string())
                .unwrap_or_default()
        ),
        None => {
            "not reached (DNS not moved, or the target's health checks not seen healthy)".into()
        }
    };
    let _ = writeln!(out, "- achieved RTO: {rto}");
    let felt = match (j.metrics.rto_alarms(), j.metrics.alarms_ok_side) {
        (Some(f), Some(side)) => format!(
            "{} (alarms recovered in {side}: none in ALARM, one OK at least)",
            secs(f)
        ),
        _ => {
            "not reached: the new active region's alarms were not all seen OK before the run ended"
                .into()
        }
    };
    let _ = writeln!(out, "- recovery as users feel it: {felt}");
    let _ = writeln!(out, "- RTO objective: {}", objective_line(j, objective));
    if let Some(rto) = j.metrics.rto() {
        let s = super::rto::split(j, rto);
        let _ = writeln!(
            out,
            "- the RTO spent: {} waiting for the operator, {} waiting for AWS, {} engine overhead",
            secs(s.operator),
            secs(s.aws),
            secs(s.engine)
        );
    }
    let restored = j.steps.iter().any(|s| {
        s.memo
            .calls_done
            .iter()
            .any(|c| c.starts_with("backup:StartRestoreJob"))
    });
    let rpo = match (j.metrics.promoted_at, j.metrics.rpo_lag) {
        (Some(at), Some(lag)) if restored => format!(
            "recovery point age {} at the restore ({} after the start)",
            lag,
            secs(at)
        ),
        (Some(at), Some(lag)) => format!(
            "replica lag {} at the promotion ({} after the start)",
            lag,
            secs(at)
        ),
        (Some(at), None) => format!(
            "unknown: lag not read at the promotion ({} after the start)",
            secs(at)
        ),
        (None, _) => "no promotion in this run".into(),
    };
    let _ = writeln!(out, "- RPO exposure: {rpo}");
    lifecycle(&mut out, j);
    let _ = writeln!(out);

    time_split(&mut out, j);

    let _ = writeln!(out, "## Steps");
    let _ = writeln!(out);
    let _ = writeln!(out, "| step | title | status | started | duration | note |");
    let _ = writeln!(out, "|---|---|---|---|---|---|");
    for s in &j.steps {
        let indent = if s.parent.is_some() { "↳ " } else { "" };
        let started = s.started.map(secs).unwrap_or_else(|| "—".into());
        let dur = match (s.started, s.finished) {
            (Some(a), Some(b)) => secs(b - a),
            _ => "—".into(),
        };
        let _ = writeln!(
            out,
            "| {indent}{} | {} | {} | {started} | {dur} | {} |",
            cell(&s.id),
            cell(&s.title),
            s.status.label(),
            cell(s.status.note().unwrap_or(""))
        );
    }
    let _ = writeln!(out);

    let skipped: Vec<_> = j
        .steps
        .iter()
        .filter_map(|s| match &s.status {
            StepStatus::Skipped { reason } => Some((s, reason)),
            _ => None,
        })
        .collect();
    let _ = writeln!(out, "## Skipped steps");
    let _ = writeln!(out);
    if skipped.is_empty() {
        let _ = writeln!(out, "None.");
    }
    for (s, reason) in skipped {
        let _ = writeln!(out, "- `{}` {}: {reason}", s.id, s.title);
    }
    let _ = writeln!(out);

    let _ = writeln!(out, "## Failures");
    let _ = writeln!(out);
    let failures: Vec<_> = j
        .timeline
        .iter()
        .filter(|t| t.text.starts_with("failed:"))
        .collect();
    if failures.is_empty() {
        let _ = writeln!(out, "None.");
    }
    for t in failures {
        let _ = writeln!(
            out,
            "- {} `{}` {}",
            secs(t.at),
            t.step.clone().unwrap_or_default(),
            t.text
        );
    }
    let _ = writeln!(out);

    let _ = writeln!(out, "## Timeline");
    let _ = writeln!(out);
    let _ = writeln!(out, "| at | UTC | step | event |");
    let _ = writeln!(out, "|---|---|---|---|");
    for t in &j.timeline {
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} |",
            secs(t.at),
            t.utc.format("%H:%M:%S"),
            cell(t.step.as_deref().unwrap_or("")),
            cell(&t.text)
        );
    }
    out
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

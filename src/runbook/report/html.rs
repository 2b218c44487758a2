//! The report as one self-contained XHTML page (`report.html`): no script, font, image or
//! style sheet from anywhere else, so that it opens offline and reads the same in ten years.
//! Every text from the run is escaped; the page is well-formed XML.

use std::fmt::Write;
use std::time::Duration;

use super::evidence::Evidence;
use super::secs;
use crate::runbook::journal::{Journal, RunOutcome, StepStatus};
use crate::runbook::rto::{self, Waiting};

/// Escapes text for an XHTML element or attribute.
pub fn esc(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            // Control characters are not allowed in XML 1.0.
            c if (c as u32) < 0x20 && c != '\n' && c != '\t' => out.push('\u{fffd}'),
            c => out.push(c),
        }
    }
    out
}

const STYLE: &str = "body{font-family:sans-serif;margin:2em;max-width:70em;color:#111}\
table{border-collapse:collapse;margin:.5em 0 1.5em}\
td,th{border:1px solid #999;padding:.2em .5em;text-align:left;vertical-align:top}\
th{background:#eee}.banner{font-size:1.4em;font-weight:bold;padding:.3em .6em;display:inline-block}\
.drill{background:#dbeafe}.incident{background:#fee2e2}.dryrun{background:#eee}\
.ok{color:#065f46}.bad{color:#991b1b}code{font-family:monospace}\
.legend span{display:inline-block;width:1em;height:1em;margin:0 .3em 0 1em;vertical-align:middle}";

const OPERATOR: &str = "#d97706";
const AWS: &str = "#2563eb";
const ENGINE: &str = "#9ca3af";

fn row(out: &mut String, cells: &[&str]) {
    out.push_str("<tr>");
    for c in cells {
        let _ = write!(out, "<td>{}</td>", esc(c));
    }
    out.push_str("</tr>\n");
}

pub(super) fn head(out: &mut String, cells: &[&str]) {
    out.push_str("<tr>");
    for c in cells {
        let _ = write!(out, "<th>{}</th>", esc(c));
    }
    out.push_str("</tr>\n");
}

/// What to state beside the journal.
pub struct Inputs<'a> {
    pub journal: &'a Journal,
    pub evidence: &'a Evidence,
    pub rto_objective: Option<Duration>,
    pub rpo_objective: Option<Duration>,
}

/// The whole page.
pub fn render(i: &Inputs) -> String {
    let j = i.journal;
    let e = i.evidence;
    let mut out = String::new();
    out.push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"UTF-8\"/>\n");
    let _ = writeln!(
        out,
        "<title>Runbook report: {} ({}) {}</title>",
        esc(&j.runbook),
        esc(&j.estate),
        esc(&j.run_id)
    );
    let _ = writeln!(out, "<style>{STYLE}</style>\n</head>\n<body>");
    let _ = writeln!(
        out,
        "<h1>Runbook report: {} ({})</h1>",
        esc(&j.runbook),
        esc(&j.estate)
    );
    let (class, banner) = if j.dry_run {
        ("dryrun", "DRY RUN: nothing was changed in AWS")
    } else if j.drill {
        ("drill", "DRILL")
    } else {
        ("incident", "REAL INCIDENT (not marked as a drill)")
    };
    let _ = writeln!(
        out,
        "<p id=\"kind\" class=\"banner {class}\">{}</p>",
        esc(banner)
    );
    summary(&mut out, i);
    objectives(&mut out, i);
    timeline_svg(&mut out, j);
    confirmations(&mut out, e);
    super::approvals::html(&mut out, &e.approvals);
    changes(&mut out, e);
    observed(&mut out, e);
    skipped_and_failed(&mut out, j);
    findings(&mut out, e);
    integrity(&mut out, i);
    steps_table(&mut out, j);
    out.push_str("</body>\n</html>\n");
    out
}

fn outcome(j: &Journal) -> String {
    match &j.outcome {
        Some(RunOutcome::Completed) => "completed".into(),
        Some(RunOutcome::Aborted { reason }) => format!("aborted: {reason}"),
        None => "unfinished".into(),
    }
}

fn summary(out: &mut String, i: &Inputs) {
    let j = i.journal;
    let e = i.evidence;
    out.push_str("<h2>Run</h2>\n<table id=\"run\">\n");
    row(out, &["run", &j.run_id]);
    row(out, &["runbook", &j.runbook]);
    row(out, &["estate", &j.estate]);
    row(
        out,
        &[
            "kind",
            if j.dry_run {
                "dry run"
            } else if j.drill {
                "drill"
            } else {
                "real incident"
            },
        ],
    );
    row(out, &["started (UTC)", &j.started_at.to_rfc3339()]);
    row(
        out,
        &[
            "finished (UTC)",
            &format!(
                "{} ({} after the start)",
                j.updated_at.to_rfc3339(),
                secs(j.elapsed)
            ),
        ],
    );
    row(out, &["outcome", &outcome(j)]);
    let who = match (&e.user, &e.host) {
        (Some(u), Some(h)) => format!("{u}@{h}"),
        (Some(u), None) => u.clone(),
        _ => "not recorded".into(),
    };
    row(out, &["operator", &who]);
    if let Some(b) = &e.backend {
        row(out, &["backend", b]);
    }
    for (side, account) in &j.accounts {
        row(out, &[&format!("{side} account"), account]);
    }
    out.push_str("</table>\n");
}

fn objectives(out: &mut String, i: &Inputs) {
    let j = i.journal;
    let m = &j.metrics;
    out.push_str("<h2>Objectives</h2>\n<table id=\"objectives\">\n");
    head(out, &["measure", "objective", "achieved", "verdict"]);
    let verdict = |achieved: Option<f64>, goal: Option<Duration>| match (achieved, goal) {
        (Some(a), Some(g)) if a <= g.as_secs_f64() => "met".to_string(),
        (Some(a), Some(g)) => format!("missed by {}", secs(a - g.as_secs_f64())),
        (None, Some(_)) => "not reached".into(),
        (_, None) => "no objective set".into(),
    };
    let goal = |g: Option<Duration>| g.map_or("not set".into(), |g| secs(g.as_secs_f64()));
    let rto = m.rto();
    row(
        out,
        &[
            "RTO: DNS moved and its health checks healthy",
            &goal(i.rto_objective),
            &rto.map_or("not reached".into(), secs),
            &verdict(rto, i.rto_objective),
        ],
    );
    let felt = m.rto_alarms();
    row(
        out,
        &[
            "RTO as users feel it: the new active region's alarms recovered (none in ALARM)",
            &goal(i.rto_objective),
            &match (felt, m.alarms_ok_side) {
                (Some(f), Some(side)) => format!("{} (alarms recovered in {side})", secs(f)),
                (Some(f), None) => secs(f),
                (None, _) => "not reached".into(),
            },
            &verdict(felt, i.rto_objective),
        ],
    );
    let rpo = match (m.promoted_at, m.rpo_lag) {
        (Some(_), Some(lag)) => format!("{lag} of replica lag at the promotion"),
        (Some(_), None) => "unknown: lag not read at the promotion".into(),
        (None, _) => "no promotion in this run".into(),
    };
    let rpo_secs = match m.rpo_lag {
        Some(crate::model::Lag::Known(s)) if m.promoted_at.is_some() => Some(s as f64),
        _ => None,
    };
    row(
        out,
        &[
            "RPO exposure",
            &goal(i.rpo_objective),
            &rpo,
            &if m.promoted_at.is_none() {
                "no promotion".into()
            } else {
                verdict(rpo_secs, i.rpo_objective)
            },
        ],
    );
    let lost = match (m.writes_lost(), m.ledger_end) {
        (Some(n), _) => format!("{n}"),
        (None, Some(_)) => "not counted (no writer serving at the end)".into(),
        _ => "not counted by AWS: at most the RPO exposure".into(),
    };
    row(out, &["writes lost", "0", &lost, ""]);
    out.push_str("</table>\n");
    out.push_str("<table id=\"split\">\n");
    head(
        out,
        &[
            "stretch",
            "waiting for the operator",
            "waiting for AWS",
            "engine",
            "total",
        ],
    );
    let mut split_row = |name: &str, until: f64| {
        let s = rto::split(j, until);
        row(
            out,
            &[
                name,
                &secs(s.operator),
                &secs(s.aws),
                &secs(s.engine),
                &secs(s.total),
            ],
        );
    };
    if let Some(r) = rto {
        split_row("achieved RTO", r);
    }
    split_row("whole run", j.elapsed);
    out.push_str("</table>\n");
}

fn colour(w: Waiting) -> &'static str {
    match w {
        Waiting::Operator => OPERATOR,
        Waiting::Aws => AWS,
        Waiting::Engine => ENGINE,
    }
}

/// One bar per step, split into waiting for the operator, for AWS, and the engine; a
/// diamond where the operator answered a confirmation.
fn timeline_svg(out: &mut String, j: &Journal) {
    const LABEL: f64 = 230.0;
    const CHART: f64 = 640.0;
    const ROW: f64 = 22.0;
    let span = j.elapsed.max(1.0);
    let x = |t: f64| LABEL + CHART * (t.max(0.0) / span).min(1.0);
    let height = 30.0 + ROW * j.steps.len() as f64 + 10.0;
    out.push_str("<h2>Timeline</h2>\n");
    let _ = writeln!(
        out,
        "<p class=\"legend\"><span style=\"background:{OPERATOR}\"></span>waiting for the operator\
         <span style=\"background:{AWS}\"></span>waiting for AWS\
         <span style=\"background:{ENGINE}\"></span>engine\
         <span style=\"background:#000;width:.6em\"></span>confirmation answered</p>"
    );
    let _ = writeln!(
        out,
        "<svg id=\"timeline\" width=\"{w}\" height=\"{height}\" viewBox=\"0 0 {w} {height}\" role=\"img\">",
        w = LABEL + CHART + 20.0
    );
    let _ = writeln!(
        out,
        "<title>Timeline of run {}: {} steps over {}</title>",
        esc(&j.run_id),
        j.steps.len(),
        esc(&secs(j.elapsed))
    );
    // The time axis: the start, the middle, the end.
    for k in 0..=4 {
        let t = span * f64::from(k) / 4.0;
        let _ = writeln!(
            out,
            "<text x=\"{:.1}\" y=\"14\" font-size=\"10\" text-anchor=\"middle\">{}</text>",
            x(t),
            esc(&secs(t))
        );
        let _ = writeln!(
            out,
            "<line x1=\"{0:.1}\" y1=\"18\" x2=\"{0:.1}\" y2=\"{1:.1}\" stroke=\"#ddd\"/>",
            x(t),
            height - 10.0
        );
    }
    for (k, s) in j.steps.iter().enumerate() {
        let y = 24.0 + ROW * k as f64;
        let indent = if s.parent.is_some() { "  ↳ " } else { "" };
        let _ = writeln!(
            out,
            "<g class=\"bar\" data-step=\"{}\" data-status=\"{}\">",
            esc(&s.id),
            esc(s.status.label())
        );
        let _ = writeln!(
            out,
            "<text x=\"4\" y=\"{:.1}\" font-size=\"11\" xml:space=\"preserve\">{}{}</text>",
            y + 14.0,
            indent,
            esc(&s.id)
        );
        for (from, to, w, asked) in rto::step_segments(j, &s.id) {
            let _ = writeln!(
                out,
                "<rect class=\"{}\" x=\"{:.1}\" y=\"{y:.1}\" width=\"{:.1}\" height=\"{}\" fill=\"{}\"><title>{}: {} ({} → {})</title></rect>",
                match w {
                    Waiting::Operator => "operator",
                    Waiting::Aws => "aws",
                    Waiting::Engine => "engine",
                },
                x(from),
                (x(to) - x(from)).max(0.5),
                ROW - 6.0,
                colour(w),
                esc(&s.id),
                match w {
                    Waiting::Operator => "waiting for the operator",
                    Waiting::Aws => "waiting for AWS",
                    Waiting::Engine => "engine",
                },
                esc(&secs(from)),
                esc(&secs(to))
            );
            if asked {
                let cx = x(to);
                let cy = y + (ROW - 6.0) / 2.0;
                let _ = writeln!(
                    out,
                    "<polygon class=\"confirmation\" points=\"{:.1},{:.1} {:.1},{:.1} {:.1},{:.1} {:.1},{:.1}\" fill=\"#000\"><title>{} answered at {}</title></polygon>",
                    cx,
                    cy - 6.0,
                    cx + 5.0,
                    cy,
                    cx,
                    cy + 6.0,
                    cx - 5.0,
                    cy,
                    esc(&s.id),
                    esc(&secs(to))
                );
            }
        }
        out.push_str("</g>\n");
    }
    out.push_str("</svg>\n");
}

fn confirmations(out: &mut String, e: &Evidence) {
    out.push_str("<h2>Confirmations</h2>\n");
    if e.confirmations.is_empty() {
        out.push_str("<p>None recorded.</p>\n");
        return;
    }
    out.push_str("<table id=\"confirmations\">\n");
    head(
        out,
        &[
            "UTC",
            "step",
            "how",
            "typed or flags",
            "user",
            "host",
            "AWS principal",
            "calls confirmed",
        ],
    );
    for c in &e.confirmations {
        out.push_str("<tr class=\"confirmation\">");
        for (class, text) in [
            ("utc", c.utc.as_str()),
            ("step", &c.step),
            ("how", &c.how),
            ("detail", &c.detail),
            ("user", &c.user),
            ("host", &c.host),
            ("principal", &c.principal),
        ] {
            let _ = write!(out, "<td class=\"{class}\">{}</td>", esc(text));
        }
        let _ = write!(out, "<td class=\"calls\">{}</td>", esc(&c.calls.join("; ")));
        out.push_str("</tr>\n");
    }
    out.push_str("</table>\n");
}

fn changes(out: &mut String, e: &Evidence) {
    out.push_str("<h2>AWS changes</h2>\n");
    if e.changes.is_empty() {
        out.push_str("<p>None: the run called nothing that changes AWS.</p>\n");
        return;
    }
    out.push_str("<table id=\"changes\">\n");
    head(out, &["UTC", "step", "call", "what", "result", "detail"]);
    for c in &e.changes {
        row(
            out,
            &[&c.utc, &c.step, &c.call, &c.describe, &c.result, &c.detail],
        );
    }
    out.push_str("</table>\n");
}

fn observed(out: &mut String, e: &Evidence) {
    out.push_str("<h2>Alarms and health checks that changed state</h2>\n");
    if e.observed.is_empty() {
        out.push_str("<p>None seen changing during the run.</p>\n");
        return;
    }
    out.push_str("<table id=\"observed\">\n");
    head(out, &["UTC", "what", "name", "region", "from", "to"]);
    for o in &e.observed {
        row(out, &[&o.utc, &o.what, &o.name, &o.side, &o.from, &o.to]);
    }
    out.push_str("</table>\n");
}

fn skipped_and_failed(out: &mut String, j: &Journal) {
    out.push_str("<h2>Skipped steps</h2>\n");
    let skipped: Vec<_> = j
        .steps
        .iter()
        .filter_map(|s| match &s.status {
            StepStatus::Skipped { reason } => Some((s, reason)),
            _ => None,
        })
        .collect();
    if skipped.is_empty() {
        out.push_str("<p>None.</p>\n");
    } else {
        out.push_str("<table id=\"skipped\">\n");
        head(out, &["step", "title", "reason"]);
        for (s, reason) in skipped {
            row(out, &[&s.id, &s.title, reason]);
        }
        out.push_str("</table>\n");
    }
    out.push_str("<h2>Failures</h2>\n");
    let failures: Vec<_> = j
        .timeline
        .iter()
        .filter(|t| t.text.starts_with("failed:"))
        .collect();
    if failures.is_empty() {
        out.push_str("<p>None.</p>\n");
    } else {
        out.push_str("<table id=\"failures\">\n");
        head(out, &["at", "UTC", "step", "reason"]);
        for t in failures {
            row(
                out,
                &[
                    &secs(t.at),
                    &t.utc.to_rfc3339(),
                    t.step.as_deref().unwrap_or(""),
                    &t.text,
                ],
            );
        }
        out.push_str("</table>\n");
    }
}

fn findings(out: &mut String, e: &Evidence) {
    out.push_str("<h2>Findings</h2>\n");
    if e.findings.is_empty() {
        out.push_str("<p>None written.</p>\n");
        return;
    }
    out.push_str("<table id=\"findings\">\n");
    head(out, &["UTC", "by", "finding"]);
    for f in &e.findings {
        row(out, &[&f.utc, &f.user, &f.text]);
    }
    out.push_str("</table>\n");
}

fn integrity(out: &mut String, i: &Inputs) {
    let e = i.evidence;
    let j = i.journal;
    out.push_str("<h2>Integrity</h2>\n<table id=\"integrity\">\n");
    row(
        out,
        &[
            "estate file SHA-256",
            e.estate_sha256
                .as_deref()
                .unwrap_or("not recorded (the simulator's built-in estate, or no file)"),
        ],
    );
    let head = j
        .audit_head
        .as_ref()
        .map(|a| (a.head.clone(), a.file.display().to_string()))
        .or_else(|| {
            e.head.clone().map(|h| {
                (
                    h,
                    e.audit_file
                        .as_ref()
                        .map(|f| f.display().to_string())
                        .unwrap_or_default(),
                )
            })
        });
    match head {
        Some((h, file)) => {
            row(out, &["audit log", &file]);
            row(
                out,
                &[
                    "audit chain head",
                    &format!("seq {} sha256 {}", h.seq, h.sha256),
                ],
            );
        }
        None => row(out, &["audit chain head", "not recorded"]),
    }
    row(
        out,
        &[
            "check",
            "drconsole audit verify (exit 0: no line changed, removed, inserted or reordered)",
        ],
    );
    out.push_str("</table>\n");
}

fn steps_table(out: &mut String, j: &Journal) {
    out.push_str("<h2>Steps</h2>\n<table id=\"steps\">\n");
    head(
        out,
        &["step", "title", "status", "started", "duration", "note"],
    );
    for s in &j.steps {
        let dur = match (s.started, s.finished) {
            (Some(a), Some(b)) => secs(b - a),
            _ => "—".into(),
        };
        row(
            out,
            &[
                &s.id,
                &s.title,
                s.status.label(),
                &s.started.map(secs).unwrap_or_else(|| "—".into()),
                &dur,
                s.status.note().unwrap_or(""),
            ],
        );
    }
    out.push_str("</table>\n");
}

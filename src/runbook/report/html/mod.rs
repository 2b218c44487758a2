//! The report as one self-contained XHTML page (`report.html`): no script, font, image or
//! style sheet from anywhere else, so that it opens offline and reads the same in ten years.
//! Every text from the run is escaped; the page is well-formed XML.

mod evidence;
mod integrity;
mod objectives;
mod steps;
mod summary;
mod timeline;

use std::fmt::Write;
use std::time::Duration;

use super::evidence::Evidence;
use crate::runbook::journal::Journal;

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
    summary::summary(&mut out, i);
    objectives::objectives(&mut out, i);
    timeline::timeline_svg(&mut out, j);
    evidence::confirmations(&mut out, e);
    super::approvals::html(&mut out, &e.approvals);
    evidence::changes(&mut out, e);
    evidence::observed(&mut out, e);
    steps::skipped_and_failed(&mut out, j);
    evidence::findings(&mut out, e);
    integrity::integrity(&mut out, i);
    steps::steps_table(&mut out, j);
    out.push_str("</body>\n</html>\n");
    out
}

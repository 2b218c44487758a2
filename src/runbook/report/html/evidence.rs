//! What the audit log adds to the HTML report: the confirmations, the AWS changes and their
//! results, the alarms and health checks seen changing, and the operator's findings.

use std::fmt::Write;

use super::{esc, head, row};
use crate::runbook::report::evidence::Evidence;

pub(super) fn confirmations(out: &mut String, e: &Evidence) {
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

pub(super) fn changes(out: &mut String, e: &Evidence) {
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

pub(super) fn observed(out: &mut String, e: &Evidence) {
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

pub(super) fn findings(out: &mut String, e: &Evidence) {
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

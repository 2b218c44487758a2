//! The timeline in the HTML report: an SVG bar per step, split into waiting for the operator,
//! for AWS, and the engine, with a diamond where a confirmation was answered.

use std::fmt::Write;

use super::esc;
use crate::runbook::journal::Journal;
use crate::runbook::report::secs;
use crate::runbook::rto::{self, Waiting};

const OPERATOR: &str = "#d97706";
const AWS: &str = "#2563eb";
const ENGINE: &str = "#9ca3af";

fn colour(w: Waiting) -> &'static str {
    match w {
        Waiting::Operator => OPERATOR,
        Waiting::Aws => AWS,
        Waiting::Engine => ENGINE,
    }
}

/// One bar per step, split into waiting for the operator, for AWS, and the engine; a
/// diamond where the operator answered a confirmation.
pub(super) fn timeline_svg(out: &mut String, j: &Journal) {
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

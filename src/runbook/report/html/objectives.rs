//! The objectives in the HTML report: the RTO (DNS moved, then as users feel it), the RPO
//! exposure and the writes lost against the estate's objectives, and where the time went.

use std::time::Duration;

use super::{Inputs, head, row};
use crate::runbook::report::secs;
use crate::runbook::rto;

pub(super) fn objectives(out: &mut String, i: &Inputs) {
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

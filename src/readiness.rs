//! Standby readiness: the short checklist the on-call engineer glances at, and its verdict.
//! Shared by the dashboard and `drconsole status`.

mod capacity;
mod database;
mod replicated;
mod routing;

use serde::Serialize;

use crate::config::Estate;
use crate::model::{DbRole, GlobalReading, RegionReading, Side};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Check {
    Pass,
    /// Passes, but close to the limit (e.g. lag above the warning level).
    Warn,
    Fail,
    /// Could not be read.
    Unknown,
}

/// One spelling wherever a check is written as text: `OK`, `WARN`, `FAIL`, `UNKNOWN`.
impl std::fmt::Display for Check {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Check::Pass => "OK",
            Check::Warn => "WARN",
            Check::Fail => "FAIL",
            Check::Unknown => "UNKNOWN",
        })
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Item {
    pub label: String,
    pub check: Check,
    pub detail: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    Ready,
    Degraded,
    /// Too little could be read to say.
    Unknown,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Readiness {
    pub verdict: Verdict,
    /// The side judged: the one standing by (the standby, or the primary after a failover).
    pub side: Side,
    pub items: Vec<Item>,
}

/// Evaluates the checklist of the side standing by against the active one (`None` where a
/// scope could not be read). The posture says which is which: before a failover the standby
/// is judged; after one, the primary ("failback readiness"), against the standby's writer.
pub fn evaluate(
    estate: &Estate,
    active: Side,
    readings: [Option<&RegionReading>; 2],
    global: Option<&GlobalReading>,
) -> Readiness {
    let passive = active.other();
    let of = |s: Side| readings[if s == Side::Primary { 0 } else { 1 }];
    let standby = of(passive);
    let writer = of(active)
        .and_then(|r| r.database.as_ref())
        .and_then(|d| d.as_ref().ok())
        .filter(|w| w.role == DbRole::Writer);
    let not_read = format!("{passive} not read");
    let mut items = database::items(estate, active, standby, writer, &not_read);
    items.extend(capacity::items(estate, passive, standby, &not_read));
    items.extend(routing::items(estate, active, global));
    // S3 and ECR: a failure degrades; what cannot be read does not (see `replicated`).
    let extra = replicated::items(estate, readings);
    let extra_fails = extra.iter().any(|i| i.check == Check::Fail);
    let verdict = if extra_fails || items.iter().any(|i| i.check == Check::Fail) {
        Verdict::Degraded
    } else if items.iter().any(|i| i.check == Check::Unknown) {
        if standby.is_none() && global.is_none() {
            Verdict::Unknown
        } else {
            Verdict::Degraded
        }
    } else {
        Verdict::Ready
    };
    items.extend(extra);
    Readiness {
        verdict,
        side: passive,
        items,
    }
}

fn item(label: &str, check: Check, detail: &str) -> Item {
    Item {
        label: label.to_string(),
        check,
        detail: detail.to_string(),
    }
}

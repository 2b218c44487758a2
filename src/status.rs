//! `drconsole status`: one snapshot of both regions for scripts, as a table or JSON.
//! Exit code 0 when the standby is ready, 1 when degraded, 2 when it could not read.

use std::time::{Duration, Instant};

use serde::Serialize;

use crate::backend::Backend;
use crate::config::Estate;
use crate::model::{DbRole, GlobalReading, Lag, RegionReading, Scope, Side};
use crate::poll::{Feed, FeedState, Reading, read_once};
use crate::posture::{self, Posture, PostureState};
use crate::readiness::{self, Readiness, Verdict};

#[derive(Debug, Serialize)]
pub struct ScopeReport<T> {
    pub state: FeedState,
    /// Milliseconds between the read finishing and the report being printed.
    pub age_ms: Option<u64>,
    pub fetched_at: Option<String>,
    pub error: Option<String>,
    pub reading: Option<T>,
}

#[derive(Debug, Serialize)]
pub struct RegionReport {
    pub region: String,
    #[serde(flatten)]
    pub report: ScopeReport<RegionReading>,
}

#[derive(Debug, Serialize)]
pub struct Snapshot {
    pub estate: String,
    pub mode: String,
    pub taken_at: String,
    pub primary: RegionReport,
    pub standby: RegionReport,
    pub global: ScopeReport<GlobalReading>,
    /// Which region writes and serves, read from AWS now.
    pub posture: Posture,
    pub readiness: Readiness,
}

impl Snapshot {
    pub fn exit_code(&self) -> i32 {
        let unreadable = self.standby.report.reading.is_none() && self.global.reading.is_none();
        match self.readiness.verdict {
            _ if unreadable => 2,
            _ if self.posture.state == PostureState::SplitBrain => 1,
            Verdict::Ready => 0,
            Verdict::Degraded => 1,
            Verdict::Unknown => 2,
        }
    }
}

/// Reads all three scopes concurrently, each bounded by the estate's call timeout.
pub async fn take(estate: &Estate, backend: &dyn Backend) -> Snapshot {
    let timeout = estate.call_timeout.0;
    let (p, s, g) = tokio::join!(
        read_once(backend, Scope::Region(Side::Primary), timeout),
        read_once(backend, Scope::Region(Side::Standby), timeout),
        read_once(backend, Scope::Global, timeout),
    );
    let now = Instant::now();
    let interval = estate.poll_interval();
    let region = |side: Side, r: Result<Reading, crate::backend::BackendError>| {
        let mut feed = Feed::default();
        match r {
            Ok(Reading::Region(reading)) => feed.succeeded(*reading, now),
            Ok(_) => feed.failed("unexpected reading".into(), now),
            Err(e) => feed.failed(e.to_string(), now),
        }
        RegionReport {
            region: estate.region(side).region.to_string(),
            report: report(feed, now, interval),
        }
    };
    let mut global = Feed::default();
    match g {
        Ok(Reading::Global(reading)) => global.succeeded(reading, now),
        Ok(_) => global.failed("unexpected reading".into(), now),
        Err(e) => global.failed(e.to_string(), now),
    }
    let primary = region(Side::Primary, p);
    let standby = region(Side::Standby, s);
    let global = report(global, now, interval);
    let posture = posture::posture(
        estate,
        primary.report.reading.as_ref(),
        standby.report.reading.as_ref(),
        global.reading.as_ref(),
    );
    let readiness = readiness::evaluate(
        estate,
        posture.active.unwrap_or(Side::Primary),
        [
            primary.report.reading.as_ref(),
            standby.report.reading.as_ref(),
        ],
        global.reading.as_ref(),
    );
    Snapshot {
        estate: estate.name.clone(),
        mode: backend.mode(),
        taken_at: chrono::Utc::now().to_rfc3339(),
        primary,
        standby,
        global,
        posture,
        readiness,
    }
}

fn report<T>(feed: Feed<T>, now: Instant, interval: Duration) -> ScopeReport<T> {
    let age = feed.age(Instant::now());
    ScopeReport {
        state: feed.state(now, interval),
        age_ms: age.map(|a| a.as_millis() as u64),
        // The wall-clock time of the fetch, not of the report.
        fetched_at: age.and_then(|a| {
            chrono::Duration::from_std(a)
                .ok()
                .map(|a| (chrono::Utc::now() - a).to_rfc3339())
        }),
        error: feed.error,
        reading: feed.data,
    }
}

/// The readable table.
pub fn render_text(snap: &Snapshot) -> String {
    let mut out = String::new();
    let mut line = |s: String| {
        out.push_str(&s);
        out.push('\n');
    };
    line(format!(
        "{} — {} — {}",
        snap.estate, snap.mode, snap.taken_at
    ));
    line(format!(
        "POSTURE {}{}: {}",
        snap.posture.state.as_str().to_uppercase(),
        snap.posture
            .active
            .map(|s| format!(" (active {s})"))
            .unwrap_or_default(),
        snap.posture.detail
    ));
    for (side, r) in [
        (Side::Primary, &snap.primary),
        (Side::Standby, &snap.standby),
    ] {
        let rep = &r.report;
        line(String::new());
        line(format!(
            "{} {}: {}",
            side.as_str().to_uppercase(),
            r.region,
            match rep.state {
                FeedState::Unreachable =>
                    format!("UNREACHABLE ({})", rep.error.as_deref().unwrap_or("")),
                s => format!("{s:?}").to_lowercase(),
            }
        ));
        let Some(reading) = &rep.reading else {
            continue;
        };
        if let Some(db) = &reading.database {
            match db {
                Ok(db) => line(format!(
                    "  database   {} {} {} lag {}",
                    db.id,
                    match &db.role {
                        DbRole::Replica { source } => format!("{} of {source}", db.role),
                        role => role.to_string(),
                    },
                    db.status,
                    lag_text(db.lag)
                )),
                Err(e) => line(format!("  database   ERROR {e}")),
            }
        }
        match &reading.services {
            Ok(services) => {
                for s in services {
                    line(format!(
                        "  service    {:<20} {} desired {} running {} pending {} {:?}",
                        s.name, s.status, s.desired, s.running, s.pending, s.deployment
                    ));
                }
            }
            Err(e) => line(format!("  services   ERROR {e}")),
        }
        match &reading.asgs {
            Ok(asgs) => {
                for a in asgs {
                    if a.found {
                        line(format!(
                            "  asg        {:<20} min {} max {} desired {} in-service {}",
                            a.name, a.min, a.max, a.desired, a.in_service
                        ));
                    } else {
                        line(format!("  asg        {:<20} MISSING", a.name));
                    }
                }
            }
            Err(e) => line(format!("  asgs       ERROR {e}")),
        }
        match &reading.target_groups {
            Ok(tgs) => {
                for t in tgs {
                    match &t.error {
                        Some(e) => line(format!("  targets    {:<20} ERROR {e}", t.name)),
                        None => line(format!(
                            "  targets    {:<20} healthy {} unhealthy {} other {}",
                            t.name, t.healthy, t.unhealthy, t.other
                        )),
                    }
                }
            }
            Err(e) => line(format!("  targets    ERROR {e}")),
        }
        match &reading.alarms {
            Ok(alarms) => {
                for a in alarms {
                    line(format!("  alarm      {:<20} {:?}", a.name, a.state));
                }
            }
            Err(e) => line(format!("  alarms     ERROR {e}")),
        }
    }
    line(String::new());
    match &snap.global.reading {
        None => line(format!(
            "ROUTE 53: UNREACHABLE ({})",
            snap.global.error.as_deref().unwrap_or("")
        )),
        Some(g) => {
            line("ROUTE 53".into());
            if let Some(d) = &g.dns {
                match d {
                    Ok(d) => line(format!(
                        "  dns        {} -> {} ({})",
                        d.record,
                        d.value.as_deref().unwrap_or("(none)"),
                        d.points_at.map(|s| s.as_str()).unwrap_or("unknown")
                    )),
                    Err(e) => line(format!("  dns        ERROR {e}")),
                }
            }
            match &g.health_checks {
                Ok(checks) => {
                    for c in checks {
                        line(format!(
                            "  check      {:<20} {} ({}/{} checkers ok)",
                            c.label,
                            match c.healthy {
                                Some(true) => "healthy",
                                Some(false) => "UNHEALTHY",
                                None => "no status",
                            },
                            c.checkers_ok,
                            c.checkers_total
                        ));
                    }
                }
                Err(e) => line(format!("  checks     ERROR {e}")),
            }
        }
    }
    line(String::new());
    line(format!("{} {:?}", snap.readiness.side, snap.readiness.verdict).to_uppercase());
    for i in &snap.readiness.items {
        line(format!("  [{:?}] {} — {}", i.check, i.label, i.detail).replace("[Pass]", "[ok]  "));
    }
    out
}

/// The lag as `Lag` writes it; a stopped replication is shouted.
fn lag_text(lag: Lag) -> String {
    match lag {
        Lag::Stopped => lag.to_string().to_uppercase(),
        _ => lag.to_string(),
    }
}

//! The readable table of a snapshot: posture, readiness, then each region's sections.

use crate::model::{DbRole, Lag, Side};
use crate::poll::FeedState;

use super::Snapshot;

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
    if let Some(w) = snap
        .global
        .reading
        .as_ref()
        .and_then(|g| g.dns.as_ref())
        .and_then(|d| d.as_ref().ok())
        .and_then(super::dns::inverted_warning)
    {
        line(w);
    }
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
                FeedState::Throttled => match &rep.error {
                    Some(e) => format!(
                        "THROTTLED — AWS is refusing calls for now, busy not unreachable ({e})"
                    ),
                    None => "THROTTLED — AWS is refusing some calls for now, \
                             busy not unreachable (the parts it refused say so below)"
                        .to_string(),
                },
                s => format!("{s:?}").to_lowercase(),
            }
        ));
        line(format!("  account    {}", r.account.text()));
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
                    if db.pending_resync {
                        format!("{} (pending-resync)", db.status)
                    } else {
                        db.status.clone()
                    },
                    match db.role {
                        DbRole::Replica { .. } => lag_text(db.lag),
                        // A writer has no replica lag: nothing to report, not missing data.
                        _ => "—".to_string(),
                    }
                )),
                Err(e) => line(format!("  database   ERROR {e}")),
            }
        }
        match &reading.services {
            Ok(services) => {
                for s in services {
                    if s.status == "MISSING" {
                        // Counts of a service that does not exist would be invented.
                        line(format!("  service    {:<20} MISSING", s.name));
                        continue;
                    }
                    line(format!(
                        "  service    {:<20} {} desired {} running {} pending {} {}",
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
                    line(format!("  alarm      {:<20} {}", a.name, a.state));
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
                    Ok(d) => super::dns::lines(d).into_iter().for_each(&mut line),
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
        line(format!(
            "  {:<9} {} — {}",
            format!("[{}]", i.check),
            i.label,
            i.detail
        ));
    }
    if !snap.evaluations.is_empty() {
        line(String::new());
        line("EVALUATION".into());
        for e in &snap.evaluations {
            line(format!("  {:<10} {}", e.runbook, e.headline()));
            for f in e.findings.iter().skip(1) {
                line(format!("  {:<10}   {}: {}", "", f.outcome, f.line()));
            }
        }
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

#[cfg(test)]
mod tests {
    use crate::backend::sim::{SimClock, Simulator, built_in_estate};
    use crate::model::ServiceReading;

    /// States in one spelling; a missing service without counts; a writer's lag as "—".
    #[tokio::test]
    async fn states_read_in_one_spelling() {
        let sim = Simulator::new(built_in_estate(), 7, SimClock::manual());
        let mut snap = super::super::take(&built_in_estate(), sim.as_ref()).await;
        if let Some(Ok(services)) = snap
            .primary
            .report
            .reading
            .as_mut()
            .map(|r| &mut r.services)
        {
            services.push(ServiceReading::missing("ghost"));
        }
        let text = super::render_text(&snap);
        let line = |start: &str| {
            text.lines()
                .find(|l| l.trim_start().starts_with(start))
                .unwrap_or_else(|| panic!("no {start:?} in {text}"))
                .to_string()
        };
        assert!(
            line("service    ghost").ends_with("ghost                MISSING"),
            "{text}"
        );
        assert!(line("service    web").ends_with("steady"), "{text}");
        assert!(line("database   orders-db ").ends_with("lag —"), "{text}");
        assert!(line("alarm      orders-5xx").ends_with(" OK"), "{text}");
        assert!(text.contains("  [OK]      "), "{text}");
        for debug in ["[Pass]", "[ok]", "Steady", "InProgress", " Ok\n", "no data"] {
            assert!(!text.contains(debug), "{debug:?} in {text}");
        }
    }
}

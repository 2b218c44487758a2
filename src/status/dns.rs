//! The DNS lines of `drconsole status`: a swapped record and where it points, or a failover
//! pair with both records, the primary's health check and the record Route 53 answers with.

use crate::model::{DnsReading, FailoverRecord, PrimaryCheckReading, Side};

/// The record's lines, each without its trailing newline.
pub fn lines(d: &DnsReading) -> Vec<String> {
    let side = d.points_at.map(|s| s.as_str()).unwrap_or("unknown");
    let Some(f) = &d.failover else {
        return vec![format!(
            "  dns        {} -> {}{} ({side})",
            d.record,
            if d.alias { "ALIAS " } else { "" },
            d.value.as_deref().unwrap_or("(none)"),
        )];
    };
    let answers = match f.answers {
        Some(Side::Primary) => "PRIMARY (primary)",
        Some(Side::Standby) => "SECONDARY (standby)",
        None => "unknown",
    };
    let mut out = vec![format!(
        "  dns        {} failover-routing: Route 53 answers {answers}",
        d.record
    )];
    if let Some(p) = &f.problem {
        out.push(format!("  dns        PROBLEM {p}"));
    }
    for (role, r) in [("PRIMARY", &f.primary), ("SECONDARY", &f.standby)] {
        out.push(record_line(role, r));
    }
    if let Some(c) = &f.check {
        out.push(check_line("dns check ", c));
    }
    if let Some(c) = &f.standby_check {
        out.push(check_line("2nd check ", c));
    }
    out
}

fn record_line(role: &str, r: &FailoverRecord) -> String {
    if !r.found {
        return format!("  record     {role:<9} {:<12} MISSING", r.set_identifier);
    }
    format!(
        "  record     {role:<9} {:<12} -> {}{}{}",
        r.set_identifier,
        if r.alias { "ALIAS " } else { "" },
        r.target.as_deref().unwrap_or("(none)"),
        r.health_check
            .as_ref()
            .map(|h| format!(" · check {h}"))
            .unwrap_or_default()
    )
}

fn check_line(label: &str, c: &PrimaryCheckReading) -> String {
    if let Some(e) = &c.error {
        return format!("  {label} {} ERROR {e}", c.id);
    }
    let observed = match c.observed_healthy {
        Some(true) => "observed healthy",
        Some(false) => "observed UNHEALTHY",
        None => "no status",
    };
    let timing = c
        .flip_seconds()
        .map(|s| {
            format!(
                " · flips after {}s × {} = {s}s",
                c.request_interval.unwrap_or_default(),
                c.failure_threshold.unwrap_or_default()
            )
        })
        .unwrap_or_default();
    format!(
        "  {label} {} {}{observed}{timing}",
        c.id,
        if c.inverted == Some(true) {
            "INVERTED · "
        } else {
            ""
        }
    )
}

/// The warning printed under the posture while the pair's primary check is inverted.
pub fn inverted_warning(d: &DnsReading) -> Option<String> {
    d.inverted_check().map(|c| {
        format!(
            "WARNING health check {} is INVERTED: Route 53 answers with the SECONDARY whatever \
             the primary's health, until it is un-inverted (the failback does it)",
            c.id
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::FailoverReading;

    fn record(id: &str, role: &str, target: &str, check: Option<&str>) -> FailoverRecord {
        FailoverRecord {
            set_identifier: id.into(),
            failover: Some(role.into()),
            target: Some(target.into()),
            alias: false,
            health_check: check.map(str::to_string),
            found: true,
        }
    }

    #[test]
    fn a_failover_pair_shows_both_records_the_check_and_the_answer() {
        let mut d = DnsReading::swap("www.example.com", None, Some(Side::Standby), false);
        d.mode = "failover-routing".into();
        d.failover = Some(Box::new(FailoverReading {
            primary: record("primary", "PRIMARY", "lb-use1.example.com", Some("hc-1")),
            standby: record("secondary", "SECONDARY", "lb-usw2.example.com", None),
            check: Some(PrimaryCheckReading {
                id: "hc-1".into(),
                inverted: Some(true),
                observed_healthy: Some(true),
                healthy: Some(false),
                request_interval: Some(30),
                failure_threshold: Some(3),
                error: None,
            }),
            standby_check: None,
            answers: Some(Side::Standby),
            problem: None,
        }));
        let text = lines(&d).join("\n");
        assert!(
            text.contains("Route 53 answers SECONDARY (standby)"),
            "{text}"
        );
        assert!(
            text.contains("PRIMARY   primary      -> lb-use1.example.com · check hc-1"),
            "{text}"
        );
        assert!(
            text.contains("SECONDARY secondary    -> lb-usw2.example.com"),
            "{text}"
        );
        assert!(
            text.contains("hc-1 INVERTED · observed healthy · flips after 30s × 3 = 90s"),
            "{text}"
        );
        assert!(inverted_warning(&d).unwrap().contains("hc-1 is INVERTED"));
    }

    #[test]
    fn an_alias_says_so() {
        let d = DnsReading::swap(
            "www.example.com",
            Some("lb.example.com".into()),
            Some(Side::Primary),
            true,
        );
        assert_eq!(
            lines(&d),
            ["  dns        www.example.com -> ALIAS lb.example.com (primary)"]
        );
        assert!(inverted_warning(&d).is_none());
    }
}

//! Checks beyond the types: value ranges, names that must be present and unique, URLs, and
//! control characters. Each failure is a dotted key path and a message; the caller adds the
//! file, line and column.

use std::collections::HashMap;
use std::time::Duration;

use super::error::segment;
use super::{DatabaseKind, Estate};
use crate::model::Side;

/// A failed check: the key it is about, and what was expected.
pub type Failure = (String, String);

fn fail<T>(key: impl Into<String>, message: impl Into<String>) -> Result<T, Failure> {
    Err((key.into(), message.into()))
}

/// Route 53 takes a TTL from 0 to 2^31 - 1 seconds. 0 is allowed: it is legal, if unusual.
pub const MAX_TTL: i64 = 2_147_483_647;

/// Polling faster than this would only add load; slower than this the dashboard is stale.
const MIN_POLL: Duration = Duration::from_millis(100);
const MAX_POLL: Duration = Duration::from_secs(3600);

/// A single AWS call may not take less than this (no call returns that fast over a network).
const MIN_CALL_TIMEOUT: Duration = Duration::from_millis(100);
/// Nor more than this. While a call hangs, its region's panel keeps showing the previous
/// reading as the latest: a call timeout longer than a poll makes the console lie about how
/// fresh what it shows is, so the bound is kept short. (The default, 5s, equals the default poll.)
const MAX_CALL_TIMEOUT: Duration = Duration::from_secs(300);

fn show(d: Duration) -> String {
    humantime::format_duration(d).to_string()
}

fn within(key: &str, d: Duration, min: Duration, max: Duration) -> Result<(), Failure> {
    if d < min {
        return fail(
            key,
            format!("expected at least {}, found {}", show(min), show(d)),
        );
    }
    if d > max {
        return fail(
            key,
            format!("expected at most {}, found {}", show(max), show(d)),
        );
    }
    Ok(())
}

fn positive(key: &str, d: Duration) -> Result<(), Failure> {
    if d.is_zero() {
        return fail(key, "expected more than 0s");
    }
    Ok(())
}

fn non_empty(key: impl Into<String>, value: &str, what: &str) -> Result<(), Failure> {
    if value.trim().is_empty() {
        return fail(key, format!("expected a non-empty {what}, found {value:?}"));
    }
    Ok(())
}

/// The first name seen twice, as a failure on its second occurrence naming the first.
fn unique<'a>(
    what: &str,
    entries: impl IntoIterator<Item = (String, &'a str)>,
) -> Result<(), Failure> {
    let mut seen: HashMap<&str, String> = HashMap::new();
    for (key, name) in entries {
        if let Some(first) = seen.get(name) {
            let entry = first.rsplit_once('.').map_or(first.as_str(), |(e, _)| e);
            return fail(key, format!("duplicate {what} {name:?} (also at {entry})"));
        }
        seen.insert(name, key);
    }
    Ok(())
}

/// An endpoint URL the AWS SDK can use: `http://` or `https://`, a host (name, IPv4, or
/// bracketed IPv6), an optional port from 1 to 65535, and an optional path. No user info,
/// query or fragment, no spaces or control characters.
pub fn endpoint_url(url: &str) -> Result<(), String> {
    let expected = || {
        format!(
            "expected an absolute http:// or https:// URL with a host, such as \
             \"http://127.0.0.1:5000\" or \"https://vpce-0abc.ec2.us-east-1.vpce.amazonaws.com\", \
             found {url:?}"
        )
    };
    let lower = url.to_ascii_lowercase();
    let rest = if lower.starts_with("http://") {
        &url["http://".len()..]
    } else if lower.starts_with("https://") {
        &url["https://".len()..]
    } else {
        return Err(expected());
    };
    let (authority, path) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
    let bad = |why: &str| Err(format!("{} ({why})", expected()));
    if authority.contains('@') {
        return bad("credentials do not belong in the URL");
    }
    if url.contains('?') || url.contains('#') {
        return bad("no query or fragment");
    }
    if path.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return bad("the path has a space or a control character");
    }
    let (host, port) = if let Some(inner) = authority.strip_prefix('[') {
        let Some((v6, after)) = inner.split_once(']') else {
            return bad("an IPv6 address needs its closing `]`");
        };
        if v6.is_empty()
            || !v6
                .chars()
                .all(|c| c.is_ascii_hexdigit() || c == ':' || c == '.')
        {
            return bad("not an IPv6 address");
        }
        match after {
            "" => (v6, None),
            p => match p.strip_prefix(':') {
                Some(p) => (v6, Some(p)),
                None => return bad("unexpected text after the IPv6 address"),
            },
        }
    } else {
        match authority.split_once(':') {
            Some((h, p)) => (h, Some(p)),
            None => (authority, None),
        }
    };
    if host.is_empty() {
        return bad("no host");
    }
    if !authority.starts_with('[') {
        let labels = host.strip_suffix('.').unwrap_or(host);
        let label_ok = |l: &str| {
            !l.is_empty()
                && l.chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        };
        if !labels.split('.').all(label_ok) {
            return bad("not a host name or IPv4 address");
        }
    }
    if let Some(p) = port {
        let ok = !p.is_empty()
            && p.len() <= 5
            && p.chars().all(|c| c.is_ascii_digit())
            && p.parse::<u32>().is_ok_and(|n| (1..=65535).contains(&n));
        if !ok {
            return bad("the port must be a number from 1 to 65535");
        }
    }
    Ok(())
}

fn join(path: &str, key: &str) -> String {
    if path.is_empty() {
        segment(key)
    } else {
        format!("{path}.{}", segment(key))
    }
}

fn control_message(where_: &str, text: &str) -> Option<String> {
    let (at, c) = text.chars().enumerate().find(|(_, c)| c.is_control())?;
    Some(format!(
        "expected no control characters {where_}, found U+{:04X} at character {} (AWS names \
         never contain one, and printed to a terminal it can rewrite the screen)",
        c as u32,
        at + 1
    ))
}

/// Refuses a control character (C0, DEL or C1; tab and newline included) in any key or
/// string of the file, wherever it is, including sections the typed checks know nothing about.
pub fn control_characters(root: &toml::Table) -> Result<(), Failure> {
    fn value(path: &str, v: &toml::Value) -> Result<(), Failure> {
        match v {
            toml::Value::String(s) => match control_message("in a value", s) {
                Some(m) => fail(path, m),
                None => Ok(()),
            },
            toml::Value::Array(items) => items
                .iter()
                .enumerate()
                .try_for_each(|(i, item)| value(&format!("{path}[{i}]"), item)),
            toml::Value::Table(t) => table(path, t),
            _ => Ok(()),
        }
    }
    fn table(path: &str, t: &toml::Table) -> Result<(), Failure> {
        for (k, v) in t {
            let here = join(path, k);
            if let Some(m) = control_message("in a key", k) {
                return fail(here, m);
            }
            value(&here, v)?;
        }
        Ok(())
    }
    table("", root)
}

/// Every estate-level check (runbooks are checked by their own module).
pub fn estate(e: &Estate) -> Result<(), Failure> {
    durations(e)?;
    non_empty("name", &e.name, "estate name")?;
    for side in Side::BOTH {
        let key = side_key(side);
        let region = e.region(side);
        if let Some(p) = &region.profile {
            non_empty(format!("{key}.profile"), p, "profile name")?;
        }
        if let Some(url) = &region.endpoint_url {
            endpoint_url(url).or_else(|m| fail(format!("{key}.endpoint_url"), m))?;
        }
    }
    database(e)?;
    ecs(e)?;
    asgs(e)?;
    target_groups(e)?;
    dns(e)?;
    health_checks(e)?;
    alarms(e)
}

fn side_key(side: Side) -> &'static str {
    match side {
        Side::Primary => "primary",
        Side::Standby => "standby",
    }
}

fn durations(e: &Estate) -> Result<(), Failure> {
    within("poll_interval", e.poll_interval.0, MIN_POLL, MAX_POLL)?;
    within(
        "call_timeout",
        e.call_timeout.0,
        MIN_CALL_TIMEOUT,
        MAX_CALL_TIMEOUT,
    )?;
    positive("lag_warning", e.lag_warning.0)?;
    positive("rpo_budget", e.rpo_budget.0)
}

fn database(e: &Estate) -> Result<(), Failure> {
    let Some(db) = &e.database else {
        return Ok(());
    };
    let what = match db.kind {
        DatabaseKind::RdsReplica => "DB instance identifier",
        DatabaseKind::AuroraGlobal => "DB cluster identifier",
    };
    non_empty("database.primary", &db.primary, what)?;
    non_empty("database.standby", &db.standby, what)?;
    let optional = [
        (
            "global_cluster",
            &db.global_cluster,
            "global cluster identifier",
        ),
        (
            "endpoint_parameter",
            &db.endpoint_parameter,
            "parameter name",
        ),
        ("endpoint_secret", &db.endpoint_secret, "secret name"),
        ("replica_class", &db.replica_class, "instance class"),
    ];
    for (key, value, what) in optional {
        if let Some(v) = value {
            non_empty(format!("database.{key}"), v, what)?;
        }
    }
    Ok(())
}

fn ecs(e: &Estate) -> Result<(), Failure> {
    let Some(ecs) = &e.ecs else {
        return Ok(());
    };
    non_empty("ecs.primary_cluster", &ecs.primary_cluster, "cluster name")?;
    non_empty("ecs.standby_cluster", &ecs.standby_cluster, "cluster name")?;
    for (i, s) in ecs.services.iter().enumerate() {
        non_empty(format!("ecs.services[{i}].name"), &s.name, "service name")?;
    }
    unique(
        "service name",
        ecs.services
            .iter()
            .enumerate()
            .map(|(i, s)| (format!("ecs.services[{i}].name"), s.name.as_str())),
    )
}

fn asgs(e: &Estate) -> Result<(), Failure> {
    let label_key = |i: usize| {
        let a = &e.asgs[i];
        if a.name.is_some() || a.primary_name.is_none() {
            format!("asgs[{i}].name")
        } else {
            format!("asgs[{i}].primary_name")
        }
    };
    for (i, a) in e.asgs.iter().enumerate() {
        let fields = [
            ("name", &a.name),
            ("primary_name", &a.primary_name),
            ("standby_name", &a.standby_name),
        ];
        for (key, value) in fields {
            if let Some(v) = value {
                non_empty(format!("asgs[{i}].{key}"), v, "Auto Scaling group name")?;
            }
        }
    }
    unique(
        "Auto Scaling group",
        e.asgs
            .iter()
            .enumerate()
            .filter(|(_, a)| !a.label().is_empty())
            .map(|(i, a)| (label_key(i), a.label())),
    )
}

fn target_groups(e: &Estate) -> Result<(), Failure> {
    for (i, tg) in e.target_groups.iter().enumerate() {
        non_empty(
            format!("target_groups[{i}].name"),
            &tg.name,
            "target group name",
        )?;
        for (key, arn) in [
            ("primary_arn", &tg.primary_arn),
            ("standby_arn", &tg.standby_arn),
        ] {
            if !(arn.starts_with("arn:") && arn.contains(":targetgroup/")) {
                return fail(
                    format!("target_groups[{i}].{key}"),
                    format!(
                        "expected a target group ARN such as \
                         \"arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/web/0123456789abcdef\", \
                         found {arn:?}"
                    ),
                );
            }
        }
        if tg.port == Some(0) {
            return fail(
                format!("target_groups[{i}].port"),
                "expected a port from 1 to 65535, found 0",
            );
        }
    }
    unique(
        "target group name",
        e.target_groups
            .iter()
            .enumerate()
            .map(|(i, tg)| (format!("target_groups[{i}].name"), tg.name.as_str())),
    )
}

fn dns(e: &Estate) -> Result<(), Failure> {
    let Some(dns) = &e.dns else {
        return Ok(());
    };
    non_empty("dns.zone_id", &dns.zone_id, "hosted zone id")?;
    non_empty("dns.record", &dns.record, "record name")?;
    non_empty("dns.type", &dns.record_type, "record type")?;
    non_empty("dns.primary_value", &dns.primary_value, "record value")?;
    non_empty("dns.standby_value", &dns.standby_value, "record value")?;
    if !(0..=MAX_TTL).contains(&dns.ttl) {
        return fail(
            "dns.ttl",
            format!(
                "expected a TTL in seconds from 0 to {MAX_TTL} (what Route 53 accepts), found {}",
                dns.ttl
            ),
        );
    }
    if dns.side_of(&dns.standby_value) == Some(Side::Primary) {
        return fail(
            "dns.standby_value",
            format!(
                "expected standby_value to differ from primary_value, found {:?} for both \
                 (the record's value is how the console tells which region serves)",
                dns.standby_value
            ),
        );
    }
    Ok(())
}

fn health_checks(e: &Estate) -> Result<(), Failure> {
    for (i, hc) in e.health_checks.iter().enumerate() {
        non_empty(format!("health_checks[{i}].id"), &hc.id, "health check id")?;
    }
    unique(
        "health check id",
        e.health_checks
            .iter()
            .enumerate()
            .map(|(i, hc)| (format!("health_checks[{i}].id"), hc.id.as_str())),
    )
}

fn alarms(e: &Estate) -> Result<(), Failure> {
    for (i, a) in e.alarms.iter().enumerate() {
        non_empty(format!("alarms[{i}].name"), &a.name, "alarm name")?;
    }
    // Alarm names are per region: the same name in the other region is another alarm.
    for side in Side::BOTH {
        unique(
            &format!("alarm name in the {} region", side_key(side)),
            e.alarms
                .iter()
                .enumerate()
                .filter(|(_, a)| a.region == side)
                .map(|(i, a)| (format!("alarms[{i}].name"), a.name.as_str())),
        )?;
    }
    Ok(())
}

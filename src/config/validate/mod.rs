//! Checks beyond the types: value ranges, names that must be present and unique, URLs, and
//! control characters. Each failure is a dotted key path and a message; the caller adds the
//! file, line and column.

mod capacity;
mod control;
mod database;
mod routing;
mod url;

pub use control::control_characters;
pub use url::endpoint_url;

use std::collections::HashMap;
use std::time::Duration;

use super::Estate;
use crate::model::Side;

use capacity::{asgs, ecs, target_groups};
use database::database;
use routing::{alarms, dns, health_checks};

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

/// An RTO objective is a recovery time: a minute at the least (no failover is faster: DNS
/// alone takes up to 60 s to be in sync), a day at the most (beyond that it is no objective).
const MIN_RTO_OBJECTIVE: Duration = Duration::from_secs(60);
const MAX_RTO_OBJECTIVE: Duration = Duration::from_secs(24 * 3600);

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
        if let Some(id) = &region.account_id {
            account_id(id).or_else(|m| fail(format!("{key}.account_id"), m))?;
        }
    }
    database(e)?;
    ecs(e)?;
    asgs(e)?;
    target_groups(e)?;
    dns(e)?;
    health_checks(e)?;
    alarms(e)?;
    approval(e)
}

/// A second operator's approval goes through the coordination table: there is none to go
/// through without `[coordination]`.
fn approval(e: &Estate) -> Result<(), Failure> {
    if e.misplaced_approval.is_none() {
        return Ok(());
    }
    match &e.coordination {
        None => fail(
            "approval",
            "a second operator's approval needs [coordination]: the request and the approval \
             go through its DynamoDB table (add [coordination] with table = \"...\" and \
             approval = \"irreversible\" there)",
        ),
        Some(_) => fail(
            "approval",
            "approval is a key of [coordination]: write it under [coordination]",
        ),
    }
}

/// An AWS account id: exactly twelve digits, written as a string (leading zeros count).
pub fn account_id(id: &str) -> Result<(), String> {
    if id.len() == 12 && id.bytes().all(|b| b.is_ascii_digit()) {
        Ok(())
    } else {
        Err(format!(
            "expected an AWS account id of exactly 12 digits, such as \"123456789012\", found {id:?}"
        ))
    }
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
    // An evaluation is a dry run of a runbook; it never comes more often than a poll.
    within(
        "evaluate_interval",
        e.evaluate_interval.0,
        Duration::from_secs(1),
        Duration::from_secs(24 * 3600),
    )?;
    positive("lag_warning", e.lag_warning.0)?;
    positive("rpo_budget", e.rpo_budget.0)?;
    if let Some(rto) = e.rto_objective {
        within("rto_objective", rto.0, MIN_RTO_OBJECTIVE, MAX_RTO_OBJECTIVE)?;
    }
    Ok(())
}

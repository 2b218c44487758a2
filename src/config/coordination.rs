//! `[coordination]` (the run lock shared by every operator, in a DynamoDB table) and `[notify]`
//! (run events to an SNS topic and/or a webhook). Both optional; their values are checked as
//! they are read, so that a typo fails at load time.

use std::time::Duration;

use serde::{Deserialize, Deserializer};

use super::{HumanDuration, Region};

/// `[coordination]`: the DynamoDB table holding one item per estate (partition key `estate`,
/// a String). drconsole never creates the table.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Coordination {
    #[serde(deserialize_with = "table_name")]
    pub table: String,
    /// Default: the standby region, which must not depend on the region that failed.
    pub region: Option<Region>,
    /// Default: the standby region's profile.
    pub profile: Option<String>,
    /// How long the run lock's lease lasts without a renewal (default 60 s, 10 s to 10 min):
    /// how soon another operator may take over a run that stopped answering, and how long
    /// the holder keeps acting without reaching the table. It is renewed every sixth of it.
    #[serde(default, deserialize_with = "lease")]
    pub lease: Option<HumanDuration>,
}

/// The shortest and longest lease `[coordination] lease` accepts.
pub const LEASE_RANGE: (Duration, Duration) =
    (Duration::from_secs(10), Duration::from_secs(10 * 60));

fn lease<'de, D: Deserializer<'de>>(d: D) -> Result<Option<HumanDuration>, D::Error> {
    let h = HumanDuration::deserialize(d)?;
    let (lo, hi) = LEASE_RANGE;
    if h.0 < lo || h.0 > hi {
        return Err(serde::de::Error::custom(format!(
            "expected a lease between 10s and 10m, found {}",
            humantime::format_duration(h.0)
        )));
    }
    Ok(Some(h))
}

/// `[notify]`: where run events are sent. Either, both, or neither.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Notify {
    #[serde(default, deserialize_with = "topic_arn")]
    pub sns_topic_arn: Option<String>,
    #[serde(default, deserialize_with = "webhook")]
    pub webhook_url: Option<String>,
}

impl Notify {
    /// The region an SNS topic lives in, from its ARN (`arn:PARTITION:sns:REGION:ACCOUNT:NAME`).
    pub fn topic_region(arn: &str) -> Option<&str> {
        arn.split(':').nth(3)
    }
}

/// DynamoDB table names: 3 to 255 characters of `a-z A-Z 0-9 _ - .`.
fn table_name<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    let t = String::deserialize(d)?;
    let ok = (3..=255).contains(&t.len())
        && t.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'));
    if ok {
        Ok(t)
    } else {
        Err(serde::de::Error::custom(format!(
            "expected a DynamoDB table name (3 to 255 of a-z, A-Z, 0-9, _, -, .), found {t:?}"
        )))
    }
}

fn topic_arn<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    let arn = String::deserialize(d)?;
    check_topic_arn(&arn).map_err(serde::de::Error::custom)?;
    Ok(Some(arn))
}

/// `arn:PARTITION:sns:REGION:ACCOUNT:TOPIC`, the region a valid region name.
pub fn check_topic_arn(arn: &str) -> Result<(), String> {
    let parts: Vec<&str> = arn.split(':').collect();
    let ok = parts.len() == 6
        && parts[0] == "arn"
        && !parts[1].is_empty()
        && parts[2] == "sns"
        && Region::parse(parts[3]).is_ok()
        && parts[4].len() == 12
        && parts[4].chars().all(|c| c.is_ascii_digit())
        && !parts[5].is_empty();
    if ok {
        Ok(())
    } else {
        Err(format!(
            "expected an SNS topic ARN such as \"arn:aws:sns:us-west-2:123456789012:dr-events\", \
             found {arn:?}"
        ))
    }
}

fn webhook<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    let url = String::deserialize(d)?;
    check_webhook(&url).map_err(serde::de::Error::custom)?;
    Ok(Some(url))
}

/// `http://` or `https://`, a host, no spaces or control characters.
pub fn check_webhook(url: &str) -> Result<(), String> {
    let lower = url.to_ascii_lowercase();
    let rest = lower
        .strip_prefix("https://")
        .or_else(|| lower.strip_prefix("http://"));
    let host = rest.map(|r| r.split(['/', '?', '#']).next().unwrap_or(""));
    let ok = host.is_some_and(|h| !h.is_empty() && !h.contains('@'))
        && !url.chars().any(|c| c.is_whitespace() || c.is_control());
    if ok {
        Ok(())
    } else {
        Err(format!(
            "expected an http:// or https:// URL with a host and no credentials, found {url:?}"
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn topic_arns() {
        assert!(check_topic_arn("arn:aws:sns:us-west-2:123456789012:dr-events").is_ok());
        assert!(check_topic_arn("arn:aws:sns:us-west-2:123456789012").is_err());
        assert!(check_topic_arn("arn:aws:sqs:us-west-2:123456789012:q").is_err());
        assert!(check_topic_arn("arn:aws:sns:uswest2:123456789012:t").is_err());
        assert_eq!(
            Notify::topic_region("arn:aws:sns:eu-west-1:123456789012:t"),
            Some("eu-west-1")
        );
    }

    #[test]
    fn webhooks() {
        assert!(check_webhook("https://hooks.example.com/services/T0/B0/X").is_ok());
        assert!(check_webhook("http://127.0.0.1:8080/hook").is_ok());
        assert!(check_webhook("ftp://x").is_err());
        assert!(check_webhook("https://user:pw@host/x").is_err());
        assert!(check_webhook("https:///x").is_err());
        assert!(check_webhook("https://h/a b").is_err());
    }
}

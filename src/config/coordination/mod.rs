//! `[coordination]` (the run lock shared by every operator, in a DynamoDB table) and `[notify]`
//! (run events to an SNS topic and/or a webhook). Both optional; their values are checked as
//! they are read, so that a typo fails at load time.

mod notify;
#[cfg(test)]
mod tests;

pub use notify::{Notify, check_topic_arn, check_webhook};

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
    /// `"irreversible"`: a step whose calls cannot be undone (or that discards acknowledged
    /// writes) waits, after its operator's typed confirmation, for another operator's
    /// approval through the table. `"none"` (the default): it does not.
    #[serde(default)]
    pub approval: Approval,
    /// How long such a step waits for the approval before the run stops there, unfinished
    /// (default 30 min, 10 s to 24 h).
    #[serde(default, deserialize_with = "approval_timeout")]
    pub approval_timeout: Option<HumanDuration>,
}

/// `[coordination] approval`: which steps need a second operator's approval.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Approval {
    #[default]
    None,
    Irreversible,
}

/// The default and the bounds of `[coordination] approval_timeout`.
pub const APPROVAL_TIMEOUT: Duration = Duration::from_secs(30 * 60);
pub const APPROVAL_TIMEOUT_RANGE: (Duration, Duration) =
    (Duration::from_secs(10), Duration::from_secs(24 * 3600));

impl Coordination {
    /// Whether a step that is irreversible or discards writes waits for a second operator.
    pub fn needs_approval(&self) -> bool {
        self.approval == Approval::Irreversible
    }

    pub fn approval_timeout(&self) -> Duration {
        self.approval_timeout.map_or(APPROVAL_TIMEOUT, |t| t.0)
    }
}

fn approval_timeout<'de, D: Deserializer<'de>>(d: D) -> Result<Option<HumanDuration>, D::Error> {
    let h = HumanDuration::deserialize(d)?;
    let (lo, hi) = APPROVAL_TIMEOUT_RANGE;
    if h.0 < lo || h.0 > hi {
        return Err(serde::de::Error::custom(format!(
            "expected an approval timeout between 10s and 24h, found {}",
            humantime::format_duration(h.0)
        )));
    }
    Ok(Some(h))
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

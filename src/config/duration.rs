//! Durations written the human way ("5s", "2m30s"), as the estate file uses everywhere.

use std::fmt;
use std::time::Duration;

use serde::{Deserialize, Deserializer};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct HumanDuration(pub Duration);

impl HumanDuration {
    /// Parses "30s", "2m30s", "1h 5m" and the like.
    pub fn parse(text: &str) -> Result<HumanDuration, String> {
        let expected = format!("expected a duration such as \"30s\" or \"5m\", found {text:?}");
        if may_overflow(text) {
            return Err(format!("{expected} (too large)"));
        }
        humantime::parse_duration(text)
            .map(HumanDuration)
            .map_err(|e| format!("{expected} ({e})"))
    }
}

/// Whether a duration's total could come near `u64::MAX` seconds. Such a text is refused
/// before humantime sees it: humantime checks most overflows, but not a carry of nanoseconds
/// into a full seconds count, on which it panics (`"18446744073709551615s 999999999ns 1ns"`).
/// The bound counts every run of digits as years, so it only refuses absurd values.
fn may_overflow(text: &str) -> bool {
    const YEAR_SECS: u128 = 31_557_600; // humantime's longest unit
    let mut total: u128 = 0;
    let mut number: Option<u128> = None;
    for c in text.chars().chain(std::iter::once(' ')) {
        if let Some(d) = c.to_digit(10) {
            let n = number.unwrap_or(0);
            number = Some(n.saturating_mul(10).saturating_add(u128::from(d)));
        } else if let Some(n) = number.take() {
            total = total.saturating_add(n.saturating_mul(YEAR_SECS).saturating_add(1));
        }
    }
    total >= u128::from(u64::MAX / 2)
}

impl<'de> Deserialize<'de> for HumanDuration {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        HumanDuration::parse(&text).map_err(serde::de::Error::custom)
    }
}

impl serde::Serialize for HumanDuration {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_string())
    }
}

impl fmt::Display for HumanDuration {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", humantime::format_duration(self.0))
    }
}

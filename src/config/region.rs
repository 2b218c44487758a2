//! An AWS region name, checked for shape so that a typo fails at load time, not at 03:00.

use std::fmt;

use serde::{Deserialize, Deserializer};

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Region(String);

impl Region {
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// `xx-name-N`, optionally with a partition infix (`us-gov-west-1`, `us-isob-east-1`).
    pub fn parse(text: &str) -> Result<Region, String> {
        let parts: Vec<&str> = text.split('-').collect();
        let ok = (3..=4).contains(&parts.len())
            && parts[0].len() == 2
            && parts[0].chars().all(|c| c.is_ascii_lowercase())
            && parts[1..parts.len() - 1]
                .iter()
                .all(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_lowercase()))
            && parts
                .last()
                .is_some_and(|n| !n.is_empty() && n.chars().all(|c| c.is_ascii_digit()));
        if ok {
            Ok(Region(text.to_string()))
        } else {
            Err(format!(
                "expected an AWS region name such as \"us-east-1\", found {text:?}"
            ))
        }
    }
}

impl<'de> Deserialize<'de> for Region {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        Region::parse(&text).map_err(serde::de::Error::custom)
    }
}

impl fmt::Display for Region {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

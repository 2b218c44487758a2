//! The estate's posture, read from AWS on every poll and never from a journal: which region
//! holds the database writer, where DNS sends traffic, and whether the passive region holds a
//! replica of the active writer. Another operator, a Lambda or AWS itself may have acted.
//!
//! | state | DNS serves | its database | the other region |
//! |---|---|---|---|
//! | `normal` | primary | writer | a replica of it (or, flagged in the detail, none) |
//! | `failed-over` | standby | writer | no replica of it (a stale old writer, or nothing) |
//! | `reprotected` | standby | writer | a replica of it |
//! | `split-brain` | a side whose database is not the writer, or the primary while the standby also writes | | |
//! | `unknown` | a side needed to decide is unreadable | | |
//!
//! Without `[dns]` the active side is the one whose database is the writer; without
//! `[database]` it is the side DNS serves.

mod decide;
#[cfg(test)]
mod tests;

pub use decide::posture;

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::model::Side;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum PostureState {
    Normal,
    FailedOver,
    Reprotected,
    SplitBrain,
    Unknown,
}

impl PostureState {
    pub fn as_str(self) -> &'static str {
        match self {
            PostureState::Normal => "normal",
            PostureState::FailedOver => "failed-over",
            PostureState::Reprotected => "reprotected",
            PostureState::SplitBrain => "split-brain",
            PostureState::Unknown => "unknown",
        }
    }
}

impl fmt::Display for PostureState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Posture {
    pub state: PostureState,
    /// The side that serves traffic and holds the writer; `None` when that is not known.
    pub active: Option<Side>,
    /// What was seen, and what disagrees.
    pub detail: String,
}

impl Posture {
    fn new(state: PostureState, active: Option<Side>, detail: impl Into<String>) -> Posture {
        Posture {
            state,
            active,
            detail: detail.into(),
        }
    }
    /// The side that stands by: the other side of the active one (the standby when unknown).
    pub fn passive(&self) -> Side {
        self.active.map(Side::other).unwrap_or(Side::Standby)
    }
}

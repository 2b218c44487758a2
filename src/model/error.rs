//! Why a call or a section of a reading failed: its kind for decisions, its text for the panel.

use std::fmt;

use serde::{Deserialize, Serialize};

/// What kind of failure an AWS (or simulated) call met. Decisions are made on this, never on
/// the text of an error.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorKind {
    /// The endpoint did not answer in time, or refused the connection.
    Unreachable,
    Throttled,
    AccessDenied,
    Credentials,
    /// The resource does not exist.
    NotFound,
    /// AWS answered with its own failure (HTTP 5xx): a change may have been applied.
    ServerSide,
    Other,
}

/// Why a section of a reading could not be read: its kind, for decisions, and the full text,
/// for the panel that shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SectionError {
    pub kind: ErrorKind,
    pub message: String,
}

impl SectionError {
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> SectionError {
        SectionError {
            kind,
            message: message.into(),
        }
    }
    pub fn is_not_found(&self) -> bool {
        self.kind == ErrorKind::NotFound
    }
}

impl fmt::Display for SectionError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

/// A section of a reading: its data, or why it could not be read (shown on its panel).
pub type Section<T> = Result<T, SectionError>;

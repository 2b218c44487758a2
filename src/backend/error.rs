//! Backend errors that a person can act on: region, service, operation, resource and AWS code.

use std::fmt;

pub use crate::model::ErrorKind;
use crate::model::{IdentityError, SectionError};

#[derive(Debug, Clone)]
pub struct BackendError {
    pub kind: ErrorKind,
    /// `us-west-2 (standby)` or `route53`.
    pub region: String,
    /// `ecs:DescribeServices`.
    pub operation: String,
    pub resource: String,
    /// The AWS error code, when AWS answered.
    pub code: Option<String>,
    pub message: String,
    /// What to run to fix missing or expired credentials (already part of `message`).
    pub fix: Option<String>,
}

impl BackendError {
    pub fn new(
        kind: ErrorKind,
        region: &str,
        operation: &str,
        resource: &str,
        message: impl Into<String>,
    ) -> Self {
        BackendError {
            kind,
            region: region.to_string(),
            operation: operation.to_string(),
            resource: resource.to_string(),
            code: None,
            message: message.into(),
            fix: None,
        }
    }
    pub fn with_fix(mut self, fix: impl Into<String>) -> Self {
        self.fix = Some(fix.into());
        self
    }
    pub fn with_code(mut self, code: impl Into<String>) -> Self {
        self.code = Some(code.into());
        self
    }
}

impl fmt::Display for BackendError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} in {}", self.operation, self.region)?;
        if !self.resource.is_empty() {
            write!(f, " on {}", self.resource)?;
        }
        f.write_str(": ")?;
        if let Some(code) = &self.code {
            write!(f, "{code}: ")?;
        }
        f.write_str(&self.message)
    }
}

impl std::error::Error for BackendError {}

impl From<BackendError> for SectionError {
    /// The section keeps the error's kind and its full text.
    fn from(e: BackendError) -> SectionError {
        SectionError::new(e.kind, e.to_string())
    }
}

impl From<BackendError> for IdentityError {
    /// Keeps the kind, the full text and the fix.
    fn from(e: BackendError) -> IdentityError {
        IdentityError {
            kind: e.kind,
            message: e.to_string(),
            fix: e.fix,
        }
    }
}

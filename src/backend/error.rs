//! Backend errors that a person can act on: region, service, operation, resource and AWS code.

use std::fmt;

pub use crate::model::ErrorKind;
use crate::model::SectionError;

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
        }
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

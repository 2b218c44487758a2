//! Runbooks as written in the estate file.

use serde::Deserialize;

use crate::config::Estate;

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RunbookSpec {
    pub description: Option<String>,
}

impl RunbookSpec {
    pub fn validate(&self, _estate: &Estate) -> Result<(), String> {
        Ok(())
    }
}

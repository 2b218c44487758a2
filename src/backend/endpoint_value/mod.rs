//! Where the database endpoint sits in a stored value, and how a new one is written into it
//! without damaging the rest: the same rules for the AWS backend and the simulator.
//!
//! A secret whose value is a JSON object holds the endpoint under one key
//! (`[database] endpoint_secret_key`, default `host`); only that key changes and every other
//! key keeps its value, its type and its place. Any other secret value is replaced whole,
//! unless `endpoint_secret_key` was written explicitly, which says the value must be a JSON
//! object. An SSM parameter holds the endpoint whole. A secret value is never part of any
//! text built here: what is wrong is said with the key names and JSON types only.

mod entries;
mod secret;
#[cfg(test)]
mod tests;

pub use secret::{edit_secret, locate_in_secret};

use crate::config::Estate;
use crate::model::{REDACTED, SecretString};

/// The key of a JSON secret that holds the endpoint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EndpointKey {
    pub name: String,
    /// Written in the estate file: the secret must then be a JSON object.
    pub explicit: bool,
}

pub const DEFAULT_KEY: &str = "host";

/// The error code of a write refused before anything was changed: the stored value cannot
/// take the endpoint without damage (the backend checked again just before the write).
pub const NOT_EDITABLE: &str = "EndpointNotWritable";

impl EndpointKey {
    pub fn of(estate: &Estate) -> EndpointKey {
        match estate
            .database
            .as_ref()
            .and_then(|d| d.endpoint_secret_key.as_ref())
        {
            Some(k) => EndpointKey {
                name: k.clone(),
                explicit: true,
            },
            None => EndpointKey {
                name: DEFAULT_KEY.into(),
                explicit: false,
            },
        }
    }
}

/// A stored endpoint as read back.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredEndpoint {
    /// The JSON key holding the endpoint, `None` when the value is the endpoint whole.
    pub key: Option<String>,
    /// What is there now, or why no endpoint can be written into this value (never the value).
    pub endpoint: Result<Option<SecretString>, String>,
    /// Whether what is there may be shown: a JSON key's host name, an SSM `String`
    /// parameter. A whole secret or a SecureString may hold anything, a password included.
    pub showable: bool,
}

impl StoredEndpoint {
    /// An SSM parameter: its whole value; a `SecureString` is not shown.
    pub fn parameter(value: String, secure: bool) -> StoredEndpoint {
        StoredEndpoint {
            key: None,
            endpoint: Ok(Some(SecretString::from(value))),
            showable: !secure,
        }
    }

    /// Whether the endpoint stored is `endpoint`.
    pub fn holds(&self, endpoint: &str) -> bool {
        matches!(&self.endpoint, Ok(Some(v)) if v.expose() == endpoint)
    }

    /// For a plan or a log: `host=db.example.com`, `‹redacted›`, or `host unset`. A value
    /// that is not shown is shown all the same when it is `endpoint` (an endpoint is no secret).
    pub fn shown(&self, endpoint: &str) -> String {
        let value = match &self.endpoint {
            Err(_) => "cannot be written".to_string(),
            Ok(None) => "unset".to_string(),
            Ok(Some(v)) if self.showable || v.expose() == endpoint => v.expose().clone(),
            Ok(Some(_)) => REDACTED.to_string(),
        };
        match &self.key {
            Some(k) => format!("{k}={value}"),
            None => value,
        }
    }
}

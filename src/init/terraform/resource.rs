//! One resource as `init` pairs it, whether read from a state file or from AWS.

use serde_json::{Map, Value};

/// One managed resource instance of a state file.
#[derive(Debug, Clone, PartialEq)]
pub struct TfResource {
    /// `module.dr.aws_db_instance.replica`, `aws_ecs_service.api["web"]`.
    pub address: String,
    /// `aws_db_instance`.
    pub kind: String,
    pub values: Map<String, Value>,
    /// The provider configuration: `aws`, or `aws.west` for an alias.
    pub provider: String,
    pub region: Option<String>,
    /// The state file it came from, as the user named it; for a resource found in AWS, the
    /// source that found it (`tag app=orders`, `stack orders in us-east-1`).
    pub file: String,
    pub origin: Origin,
}

/// Where a resource was found: a Terraform state, or AWS itself (by tag or in a stack), whose
/// values are then what AWS answered, written with Terraform's attribute names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Origin {
    #[default]
    Terraform,
    Aws,
}

impl TfResource {
    pub fn str(&self, key: &str) -> Option<&str> {
        self.values
            .get(key)
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty())
    }
    pub fn u64(&self, key: &str) -> Option<u64> {
        self.values.get(key).and_then(Value::as_u64)
    }
    /// A nested block (Terraform writes blocks as lists of one object).
    pub fn block(&self, key: &str) -> Option<&Map<String, Value>> {
        match self.values.get(key)? {
            Value::Array(a) => a.first().and_then(Value::as_object),
            Value::Object(o) => Some(o),
            _ => None,
        }
    }
    pub fn strings(&self, key: &str) -> Vec<String> {
        match self.values.get(key) {
            Some(Value::Array(a)) => a
                .iter()
                .filter_map(Value::as_str)
                .map(str::to_string)
                .collect(),
            _ => Vec::new(),
        }
    }
    /// `tags.Name`, when it has one.
    pub fn tag(&self, key: &str) -> Option<&str> {
        self.values
            .get("tags")
            .and_then(Value::as_object)
            .and_then(|t| t.get(key))
            .and_then(Value::as_str)
    }
}

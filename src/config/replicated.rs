//! What is replicated besides the database: S3 buckets with cross-region replication, and ECR
//! repositories whose images the standby must hold. Both optional; readiness items only.
//!
//! ```toml
//! [[s3_buckets]]
//! primary = "orders-assets"        # the source bucket, in the primary region
//! standby = "orders-assets-dr"     # the destination its replication rule writes to
//!
//! [[ecr_repositories]]
//! name = "orders-web"              # the same repository name in both regions
//! tags = ["v42"]                   # tags that must exist in the standby with the primary's digest
//! ```

use serde::Deserialize;

use super::Estate;

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct S3Bucket {
    pub primary: String,
    pub standby: String,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EcrRepository {
    pub name: String,
    pub tags: Vec<String>,
}

/// Names present and unique, each repository with at least one tag: `(key, message)`.
pub fn check(estate: &Estate) -> Result<(), (String, String)> {
    let empty = |key: String| Err((key, "expected a name, found an empty string".to_string()));
    for (i, b) in estate.s3_buckets.iter().enumerate() {
        for (which, name) in [("primary", &b.primary), ("standby", &b.standby)] {
            if name.trim().is_empty() {
                return empty(format!("s3_buckets[{i}].{which}"));
            }
        }
        if estate.s3_buckets[..i]
            .iter()
            .any(|o| o.primary == b.primary)
        {
            return Err((
                format!("s3_buckets[{i}].primary"),
                format!("bucket {:?} is listed twice", b.primary),
            ));
        }
    }
    for (i, r) in estate.ecr_repositories.iter().enumerate() {
        if r.name.trim().is_empty() {
            return empty(format!("ecr_repositories[{i}].name"));
        }
        if estate.ecr_repositories[..i]
            .iter()
            .any(|o| o.name == r.name)
        {
            return Err((
                format!("ecr_repositories[{i}].name"),
                format!("repository {:?} is listed twice", r.name),
            ));
        }
        if r.tags.is_empty() {
            return Err((
                format!("ecr_repositories[{i}].tags"),
                "expected at least one image tag".into(),
            ));
        }
        if let Some(t) = r.tags.iter().find(|t| t.trim().is_empty()) {
            return Err((
                format!("ecr_repositories[{i}].tags"),
                format!("expected image tags, found {t:?}"),
            ));
        }
    }
    Ok(())
}

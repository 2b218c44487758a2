//! What a region reports of what is replicated besides the database: each S3 bucket's
//! replication rules and its newest object's replication status (the primary, where the
//! source buckets are), and the digest each ECR tag names (both regions).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::SectionError;

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ReplicatedReading {
    /// When this was read: it is read less often than the rest of the region (see the AWS
    /// backend), so it carries its own time.
    pub taken_at: Option<DateTime<Utc>>,
    #[serde(default)]
    pub buckets: Vec<BucketReading>,
    #[serde(default)]
    pub images: Vec<ImageReading>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BucketReading {
    /// The source bucket.
    pub bucket: String,
    /// This bucket's own error (no such bucket, access denied), or `None`.
    pub error: Option<SectionError>,
    /// Its replication rules; empty when it has no replication configuration.
    #[serde(default)]
    pub rules: Vec<ReplicationRule>,
    /// The newest object of the first page of its listing; `None` when it is empty.
    pub newest: Option<NewestObject>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReplicationRule {
    pub id: Option<String>,
    /// `Enabled` or `Disabled`, as S3 writes it.
    pub status: String,
    /// The destination bucket's name (from its ARN).
    pub destination: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NewestObject {
    pub key: String,
    pub last_modified: Option<DateTime<Utc>>,
    /// `x-amz-replication-status` of the source object: `COMPLETED`, `PENDING`, `FAILED`
    /// (`None`: not replicated by a rule, e.g. written before the rule existed).
    pub status: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ImageReading {
    pub repository: String,
    pub tag: String,
    /// The image digest the tag names here; `None` when the tag (or the repository) is
    /// missing, with `error` saying which.
    pub digest: Option<String>,
    pub error: Option<SectionError>,
}

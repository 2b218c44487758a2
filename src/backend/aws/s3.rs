//! S3 cross-region replication of one source bucket: its rules (`GetBucketReplication`), and
//! the replication status of its newest object (`ListObjectsV2`, one page of at most 1,000
//! keys, then `HeadObject` of the newest: `x-amz-replication-status`). Three calls per bucket,
//! whatever its size: the newest object is the newest of the first page, which for a bucket of
//! more than 1,000 objects is a sample, said in the readiness detail.

use chrono::{DateTime, Utc};

use super::clients::RegionClients;
use super::errors::sdk_error;
use crate::backend::{BackendError, ErrorKind};
use crate::model::{BucketReading, NewestObject, ReplicationRule, SectionError};

/// Keys listed to find the newest object: one page.
pub const LIST_KEYS: i32 = 1000;

/// `arn:aws:s3:::orders-assets-dr` → `orders-assets-dr`.
fn bucket_of(arn: &str) -> String {
    arn.strip_prefix("arn:aws:s3:::")
        .or_else(|| arn.rsplit(":::").next())
        .unwrap_or(arn)
        .to_string()
}

fn when(t: Option<&aws_sdk_s3::primitives::DateTime>) -> Option<DateTime<Utc>> {
    t.and_then(|t| DateTime::from_timestamp(t.secs(), t.subsec_nanos()))
}

pub async fn read_bucket(c: &RegionClients, bucket: &str) -> Result<BucketReading, BackendError> {
    let rules = match c
        .s3
        .get_bucket_replication()
        .bucket(bucket)
        .send()
        .await
        .map_err(|e| sdk_error(c.ctx(), "s3:GetReplicationConfiguration", bucket, e))
    {
        Ok(out) => out
            .replication_configuration()
            .map(|cfg| {
                cfg.rules()
                    .iter()
                    .map(|r| ReplicationRule {
                        id: r.id().map(str::to_string),
                        status: r.status().as_str().to_string(),
                        destination: r
                            .destination()
                            .map(|d| bucket_of(d.bucket()))
                            .unwrap_or_default(),
                    })
                    .collect()
            })
            .unwrap_or_default(),
        Err(e) if e.code.as_deref() == Some("ReplicationConfigurationNotFoundError") => Vec::new(),
        Err(e) if e.kind == ErrorKind::Unreachable => return Err(e),
        Err(e) => {
            return Ok(BucketReading {
                bucket: bucket.to_string(),
                error: Some(SectionError::from(e)),
                rules: Vec::new(),
                newest: None,
            });
        }
    };
    let listed =
        c.s3.list_objects_v2()
            .bucket(bucket)
            .max_keys(LIST_KEYS)
            .send()
            .await
            .map_err(|e| sdk_error(c.ctx(), "s3:ListBucket", bucket, e));
    let newest = match listed {
        Ok(out) => out
            .contents()
            .iter()
            .filter_map(|o| Some((o.key()?.to_string(), when(o.last_modified()))))
            .max_by_key(|(_, at)| *at),
        Err(e) => {
            return Ok(BucketReading {
                bucket: bucket.to_string(),
                error: Some(SectionError::from(e)),
                rules,
                newest: None,
            });
        }
    };
    let newest = match newest {
        None => None,
        Some((key, last_modified)) => {
            let head =
                c.s3.head_object()
                    .bucket(bucket)
                    .key(&key)
                    .send()
                    .await
                    .map_err(|e| sdk_error(c.ctx(), "s3:GetObject", &format!("{bucket}/{key}"), e));
            match head {
                Ok(h) => Some(NewestObject {
                    key,
                    last_modified,
                    status: h.replication_status().map(|s| s.as_str().to_string()),
                }),
                Err(e) => {
                    return Ok(BucketReading {
                        bucket: bucket.to_string(),
                        error: Some(SectionError::from(e)),
                        rules,
                        newest: None,
                    });
                }
            }
        }
    };
    Ok(BucketReading {
        bucket: bucket.to_string(),
        error: None,
        rules,
        newest,
    })
}

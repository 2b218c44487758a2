//! S3 buckets and ECR images, read with the region but not on every poll: what they show
//! changes in minutes (an image pushed, a replication falling behind), and S3 bills every
//! LIST and HEAD. Each bucket is read in its own region: the source bucket in the primary,
//! its destination in the standby (its own rules, which replicate back after a failover, and
//! the status of its newest object: `REPLICA` once a copy has arrived). A region's reading keeps what was read within [`EVERY`] (or the poll
//! interval, when longer); a read that did not reach AWS is not kept, so it is tried again on
//! the next poll.

use std::time::{Duration, Instant};

use futures::future::join_all;

use super::read::all_unreachable;
use super::{AwsBackend, ecr, s3};
use crate::backend::ErrorKind;
use crate::model::{ReplicatedReading, Section, SectionError, Side};

/// How long a reading of buckets and images serves the polls that follow.
pub const EVERY: Duration = Duration::from_secs(60);

impl AwsBackend {
    /// `None` when the estate lists nothing to read in `side` (each bucket in its region,
    /// images in both).
    pub(super) async fn read_replicated(&self, side: Side) -> Option<Section<ReplicatedReading>> {
        let buckets: Vec<&str> = self
            .estate
            .s3_buckets
            .iter()
            .map(|b| match side {
                Side::Primary => b.primary.as_str(),
                Side::Standby => b.standby.as_str(),
            })
            .collect();
        let repos = &self.estate.ecr_repositories;
        if buckets.is_empty() && repos.is_empty() {
            return None;
        }
        let every = EVERY.max(self.estate.poll_interval());
        if let Some((at, r)) = self.replicated_cache(side).clone()
            && at.elapsed() < every
        {
            return Some(Ok(r));
        }
        let c = self.clients(side);
        let (b, i) = futures::join!(
            join_all(buckets.iter().map(|b| s3::read_bucket(c, b))),
            join_all(repos.iter().map(|r| ecr::read_tags(c, &r.name, &r.tags))),
        );
        let outcomes: Vec<Option<ErrorKind>> = b
            .iter()
            .map(|r| r.as_ref().err().map(|e| e.kind))
            .chain(i.iter().map(|r| r.as_ref().err().map(|e| e.kind)))
            .collect();
        if all_unreachable(&outcomes) {
            let e = b
                .into_iter()
                .filter_map(Result::err)
                .chain(i.into_iter().filter_map(Result::err))
                .next()?;
            return Some(Err(SectionError::from(e)));
        }
        let mut reading = ReplicatedReading {
            taken_at: Some(chrono::Utc::now()),
            ..ReplicatedReading::default()
        };
        let mut reached = true;
        for (name, r) in buckets.iter().zip(b) {
            reading.buckets.push(r.unwrap_or_else(|e| {
                reached = false;
                crate::model::BucketReading {
                    bucket: name.to_string(),
                    error: Some(SectionError::from(e)),
                    rules: Vec::new(),
                    newest: None,
                }
            }));
        }
        for (cfg, r) in repos.iter().zip(i) {
            match r {
                Ok(images) => reading.images.extend(images),
                Err(e) => {
                    reached = false;
                    let err = SectionError::from(e);
                    reading
                        .images
                        .extend(cfg.tags.iter().map(|t| crate::model::ImageReading {
                            repository: cfg.name.clone(),
                            tag: t.clone(),
                            digest: None,
                            error: Some(err.clone()),
                        }));
                }
            }
        }
        if reached {
            *self.replicated_cache(side) = Some((Instant::now(), reading.clone()));
        }
        Some(Ok(reading))
    }

    fn replicated_cache(
        &self,
        side: Side,
    ) -> std::sync::MutexGuard<'_, Option<(Instant, ReplicatedReading)>> {
        let i = match side {
            Side::Primary => 0,
            Side::Standby => 1,
        };
        self.replicated[i].lock().unwrap_or_else(|p| p.into_inner())
    }
}

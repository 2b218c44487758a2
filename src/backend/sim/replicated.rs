//! S3 buckets and ECR images on the simulator. Each bucket listed replicates to its standby
//! bucket with one enabled rule; the application writes an object to it every minute, which
//! replicates within 15 s (`PENDING` until then), or stays `PENDING` while replication is
//! stopped (the `L` fault). The standby bucket, read in the standby, has no rule of its own
//! and holds the copies (`REPLICA`) of what has replicated. Each tag names the same digest in both regions (a digest made
//! from the repository and the tag), as a working ECR replication would.

use chrono::{DateTime, Utc};

use crate::config::Estate;
use crate::model::{
    BucketReading, ImageReading, NewestObject, ReplicatedReading, ReplicationRule, Section, Side,
};

/// Every how many seconds the simulated application writes an object.
const WRITE_EVERY: f64 = 60.0;
/// How long an object stays `PENDING` before it is replicated.
const REPLICATES_IN: f64 = 15.0;

/// A stable digest for a repository's tag (FNV-1a, spelled as ECR spells digests).
fn digest(repository: &str, tag: &str) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in repository.bytes().chain([b':']).chain(tag.bytes()) {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    format!(
        "sha256:{h:016x}{:016x}{h:016x}{:016x}",
        !h,
        h.rotate_left(17)
    )
}

/// `side`'s reading at simulated time `now` (seconds); `None` when nothing is listed there.
pub fn reading(
    estate: &Estate,
    side: Side,
    now: f64,
    replication_stopped: bool,
) -> Option<Section<ReplicatedReading>> {
    let buckets = estate.s3_buckets.as_slice();
    if buckets.is_empty() && estate.ecr_repositories.is_empty() {
        return None;
    }
    let written = (now / WRITE_EVERY).floor() * WRITE_EVERY;
    let start = DateTime::<Utc>::from_timestamp(1_767_225_600, 0).unwrap_or_default();
    let at = start + chrono::Duration::milliseconds((written * 1000.0) as i64);
    let status = if replication_stopped || now - written < REPLICATES_IN {
        "PENDING"
    } else {
        "COMPLETED"
    };
    Some(Ok(ReplicatedReading {
        taken_at: Some(start + chrono::Duration::milliseconds((now * 1000.0) as i64)),
        buckets: buckets
            .iter()
            .map(|b| match side {
                Side::Primary => BucketReading {
                    bucket: b.primary.clone(),
                    error: None,
                    rules: vec![ReplicationRule {
                        id: Some("to-standby".into()),
                        status: "Enabled".into(),
                        destination: b.standby.clone(),
                    }],
                    newest: Some(NewestObject {
                        key: format!("orders/{}.json", written as u64),
                        last_modified: Some(at),
                        status: Some(status.into()),
                    }),
                },
                // The copy of the newest object once replicated, else the one before it.
                Side::Standby => {
                    let copied = if status == "COMPLETED" {
                        written
                    } else {
                        written - WRITE_EVERY
                    };
                    BucketReading {
                        bucket: b.standby.clone(),
                        error: None,
                        rules: Vec::new(),
                        newest: (copied >= 0.0).then(|| NewestObject {
                            key: format!("orders/{}.json", copied as u64),
                            last_modified: Some(
                                start + chrono::Duration::milliseconds((copied * 1000.0) as i64),
                            ),
                            status: Some("REPLICA".into()),
                        }),
                    }
                }
            })
            .collect(),
        images: estate
            .ecr_repositories
            .iter()
            .flat_map(|r| {
                r.tags.iter().map(|t| ImageReading {
                    repository: r.name.clone(),
                    tag: t.clone(),
                    digest: Some(digest(&r.name, t)),
                    error: None,
                })
            })
            .collect(),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn estate() -> Estate {
        Estate::parse(
            r#"name = "t"
[primary]
region = "us-east-1"
[standby]
region = "us-west-2"
[[s3_buckets]]
primary = "orders-assets"
standby = "orders-assets-dr"
[[ecr_repositories]]
name = "orders-web"
tags = ["v42", "v43"]
"#,
            "t.toml",
        )
        .unwrap()
    }

    #[test]
    fn a_new_object_is_pending_then_completed_and_stays_pending_while_replication_stops() {
        let e = estate();
        let status = |now: f64, stopped: bool| {
            let r = reading(&e, Side::Primary, now, stopped).unwrap().unwrap();
            r.buckets[0].newest.clone().unwrap().status.unwrap()
        };
        assert_eq!(status(125.0, false), "PENDING");
        assert_eq!(status(140.0, false), "COMPLETED");
        assert_eq!(status(140.0, true), "PENDING");
    }

    #[test]
    fn each_bucket_is_read_in_its_region_and_images_in_both_with_the_same_digests() {
        let e = estate();
        let p = reading(&e, Side::Primary, 70.0, false).unwrap().unwrap();
        let s = reading(&e, Side::Standby, 70.0, false).unwrap().unwrap();
        assert_eq!(p.buckets.len(), 1);
        assert_eq!(s.buckets.len(), 1);
        assert_eq!(s.buckets[0].bucket, e.s3_buckets[0].standby);
        assert!(s.buckets[0].rules.is_empty());
        // At 70 s the object written at 60 s is still PENDING: the standby's newest copy is
        // the one of 0 s; at 80 s it has arrived.
        let newest = |r: &ReplicatedReading| r.buckets[0].newest.clone().unwrap();
        assert_eq!(newest(&p).status.as_deref(), Some("PENDING"));
        assert_eq!(newest(&s).key, "orders/0.json");
        assert_eq!(newest(&s).status.as_deref(), Some("REPLICA"));
        let later = reading(&e, Side::Standby, 80.0, false).unwrap().unwrap();
        assert_eq!(newest(&later).key, "orders/60.json");
        assert_eq!(p.images, s.images);
        assert_ne!(p.images[0].digest, p.images[1].digest);
    }
}

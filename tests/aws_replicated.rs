//! S3 replication and ECR images read by the AWS backend against moto, judged by the readiness
//! checklist. moto keeps a bucket's replication rules but replicates nothing and reports no
//! `x-amz-replication-status`: the harness patch tests/moto/s3_replication.py replicates new
//! objects as AWS reports them: `PENDING` for a few reads, then `COMPLETED`, or `FAILED`
//! without a destination.

mod support;

#[path = "common/moto_control.rs"]
mod control;

use aws_config::BehaviorVersion;
use drconsole::backend::Backend;
use drconsole::model::{RegionReading, Side};
use drconsole::readiness::{Check, Item, Verdict, evaluate};
use support::Moto;

const PRIMARY: &str = "us-east-1";
const STANDBY: &str = "us-west-2";

async fn sdk(moto: &Moto, region: &'static str) -> aws_config::SdkConfig {
    aws_config::defaults(BehaviorVersion::latest())
        .region(aws_config::Region::new(region))
        .endpoint_url(&moto.url)
        .load()
        .await
}

fn s3(sdk: &aws_config::SdkConfig) -> aws_sdk_s3::Client {
    aws_sdk_s3::Client::from_conf(
        aws_sdk_s3::config::Builder::from(sdk)
            .force_path_style(true)
            .build(),
    )
}

async fn bucket(c: &aws_sdk_s3::Client, name: &str, region: &str) {
    let mut req = c.create_bucket().bucket(name);
    if region != "us-east-1" {
        req = req.create_bucket_configuration(
            aws_sdk_s3::types::CreateBucketConfiguration::builder()
                .location_constraint(region.into())
                .build(),
        );
    }
    req.send().await.expect("create bucket");
    c.put_bucket_versioning()
        .bucket(name)
        .versioning_configuration(
            aws_sdk_s3::types::VersioningConfiguration::builder()
                .status(aws_sdk_s3::types::BucketVersioningStatus::Enabled)
                .build(),
        )
        .send()
        .await
        .expect("versioning");
}

async fn replicate(c: &aws_sdk_s3::Client, from: &str, to: &str, status: &str) {
    use aws_sdk_s3::types::*;
    let rule = ReplicationRule::builder()
        .id("to-dr")
        .priority(1)
        .status(ReplicationRuleStatus::from(status))
        .filter(ReplicationRuleFilter::builder().prefix("").build())
        .delete_marker_replication(
            DeleteMarkerReplication::builder()
                .status(DeleteMarkerReplicationStatus::Disabled)
                .build(),
        )
        .destination(
            Destination::builder()
                .bucket(format!("arn:aws:s3:::{to}"))
                .build()
                .unwrap(),
        )
        .build()
        .unwrap();
    c.put_bucket_replication()
        .bucket(from)
        .replication_configuration(
            ReplicationConfiguration::builder()
                .role("arn:aws:iam::123456789012:role/s3-replication")
                .rules(rule)
                .build()
                .unwrap(),
        )
        .send()
        .await
        .expect("put replication");
}

async fn put(c: &aws_sdk_s3::Client, bucket: &str, key: &str) {
    c.put_object()
        .bucket(bucket)
        .key(key)
        .body(aws_sdk_s3::primitives::ByteStream::from_static(b"{}"))
        .send()
        .await
        .expect("put object");
}

fn manifest(layer: &str) -> String {
    serde_json::json!({
        "schemaVersion": 2,
        "mediaType": "application/vnd.docker.distribution.manifest.v2+json",
        "config": {"mediaType": "application/vnd.docker.container.image.v1+json", "size": 2,
                   "digest": format!("sha256:{}", layer.repeat(64 / layer.len()))},
        // moto's digest is made from the layers' digests.
        "layers": [{"mediaType": "application/vnd.docker.image.rootfs.diff.tar.gzip", "size": 1,
                    "digest": format!("sha256:{}", layer.repeat(64 / layer.len()))}],
    })
    .to_string()
}

async fn image(c: &aws_sdk_ecr::Client, repo: &str, tag: &str, layer: &str) {
    c.put_image()
        .repository_name(repo)
        .image_tag(tag)
        .image_manifest(manifest(layer))
        .send()
        .await
        .expect("put image");
}

/// Buckets: `orders-assets` replicating to `orders-assets-dr` (an object written, COMPLETED),
/// `orders-uploads` whose rule names a bucket that does not exist (FAILED), `orders-logs`
/// with a disabled rule, `orders-empty` replicating with no object. Repositories:
/// `orders-web` v42 the same in both regions, v43 different, v44 only in the primary.
async fn seed(moto: &Moto) {
    let (p, s) = (sdk(moto, PRIMARY).await, sdk(moto, STANDBY).await);
    let (ps3, ss3) = (s3(&p), s3(&s));
    bucket(&ps3, "orders-assets", PRIMARY).await;
    bucket(&ss3, "orders-assets-dr", STANDBY).await;
    replicate(&ps3, "orders-assets", "orders-assets-dr", "Enabled").await;
    put(&ps3, "orders-assets", "img/1.png").await;
    bucket(&ps3, "orders-uploads", PRIMARY).await;
    replicate(&ps3, "orders-uploads", "orders-uploads-dr", "Enabled").await;
    put(&ps3, "orders-uploads", "u/1.bin").await;
    bucket(&ps3, "orders-logs", PRIMARY).await;
    bucket(&ss3, "orders-logs-dr", STANDBY).await;
    replicate(&ps3, "orders-logs", "orders-logs-dr", "Disabled").await;
    bucket(&ps3, "orders-empty", PRIMARY).await;
    bucket(&ss3, "orders-empty-dr", STANDBY).await;
    replicate(&ps3, "orders-empty", "orders-empty-dr", "Enabled").await;

    let (pecr, secr) = (aws_sdk_ecr::Client::new(&p), aws_sdk_ecr::Client::new(&s));
    for c in [&pecr, &secr] {
        c.create_repository()
            .repository_name("orders-web")
            .send()
            .await
            .expect("repository");
    }
    image(&pecr, "orders-web", "v42", "a").await;
    image(&secr, "orders-web", "v42", "a").await;
    image(&pecr, "orders-web", "v43", "b").await;
    image(&secr, "orders-web", "v43", "c").await;
    image(&pecr, "orders-web", "v44", "d").await;
}

fn estate_toml(url: &str) -> String {
    format!(
        r#"name = "orders"
[primary]
region = "{PRIMARY}"
endpoint_url = "{url}"
[standby]
region = "{STANDBY}"
endpoint_url = "{url}"

[[s3_buckets]]
primary = "orders-assets"
standby = "orders-assets-dr"
[[s3_buckets]]
primary = "orders-uploads"
standby = "orders-uploads-dr"
[[s3_buckets]]
primary = "orders-logs"
standby = "orders-logs-dr"
[[s3_buckets]]
primary = "orders-empty"
standby = "orders-empty-dr"
[[s3_buckets]]
primary = "orders-missing"
standby = "orders-missing-dr"

[[ecr_repositories]]
name = "orders-web"
tags = ["v42"]
[[ecr_repositories]]
name = "orders-web-all"
tags = ["v1"]
"#
    )
}

fn find<'a>(items: &'a [Item], label: &str) -> &'a Item {
    items
        .iter()
        .find(|i| i.label == label)
        .unwrap_or_else(|| panic!("no item {label:?} in {items:#?}"))
}

async fn readings(toml: &str) -> (RegionReading, RegionReading) {
    let b = support::backend(toml).await;
    let p = b.read_region(Side::Primary).await.expect("primary");
    let s = b.read_region(Side::Standby).await.expect("standby");
    (p, s)
}

#[tokio::test]
async fn each_bucket_and_tag_is_judged_from_what_aws_reports() {
    let moto = Moto::start();
    // Replication under way for a few reads of each object, then done.
    control::in_progress(&moto.url, 4);
    seed(&moto).await;
    let toml = estate_toml(&moto.url);
    let estate = support::estate(&toml);
    let (p, s) = readings(&toml).await;
    let r = evaluate(&estate, Side::Primary, [Some(&p), Some(&s)], None);
    for (bucket, key) in [
        ("orders-assets", "img/1.png"),
        ("orders-uploads", "u/1.bin"),
    ] {
        let it = find(&r.items, &format!("S3 {bucket} replication"));
        assert_eq!(
            (it.check, it.detail.clone()),
            (Check::Warn, format!("PENDING · newest {key}")),
            "replication under way is a warning, neither done nor failed"
        );
    }
    // New backends read the buckets again (one backend reads them once a minute), until the
    // harness has finished the replication.
    let mut r = r;
    for _ in 0..8 {
        let pending = find(&r.items, "S3 orders-assets replication")
            .detail
            .starts_with("PENDING");
        if !pending {
            break;
        }
        let (p, s) = readings(&toml).await;
        r = evaluate(&estate, Side::Primary, [Some(&p), Some(&s)], None);
    }
    let items = &r.items;
    let it = find(items, "S3 orders-assets replication");
    assert_eq!(
        (it.check, it.detail.as_str()),
        (Check::Pass, "COMPLETED · newest img/1.png")
    );
    let it = find(items, "S3 orders-uploads replication");
    assert_eq!(
        (it.check, it.detail.as_str()),
        (Check::Fail, "FAILED · newest u/1.bin")
    );
    let it = find(items, "S3 orders-logs replication");
    assert_eq!(it.check, Check::Fail);
    assert!(it.detail.contains("no enabled rule"), "{}", it.detail);
    let it = find(items, "S3 orders-empty replication");
    assert_eq!(
        (it.check, it.detail.as_str()),
        (Check::Pass, "rule to orders-empty-dr enabled; bucket empty")
    );
    let it = find(items, "S3 orders-missing replication");
    assert_eq!(it.check, Check::Fail);
    assert!(it.detail.contains("NoSuchBucket"), "{}", it.detail);
    let it = find(items, "ECR orders-web in standby");
    assert_eq!(it.check, Check::Pass, "{}", it.detail);
    assert!(it.detail.starts_with("v42 sha256:"), "{}", it.detail);
    // A repository that exists nowhere: the primary has no such tag either.
    let it = find(items, "ECR orders-web-all in standby");
    assert_eq!(it.check, Check::Warn, "{}", it.detail);
    assert_eq!(r.verdict, Verdict::Degraded);
}

#[tokio::test]
async fn a_tag_that_differs_or_is_missing_in_the_standby_fails() {
    let moto = Moto::start();
    seed(&moto).await;
    let toml =
        estate_toml(&moto.url).replace("tags = [\"v42\"]", "tags = [\"v42\", \"v43\", \"v44\"]");
    let estate = support::estate(&toml);
    let (p, s) = readings(&toml).await;
    let r = evaluate(&estate, Side::Primary, [Some(&p), Some(&s)], None);
    let it = find(&r.items, "ECR orders-web in standby");
    assert_eq!(it.check, Check::Fail);
    assert!(it.detail.contains("v43 differs"), "{}", it.detail);
    assert!(
        it.detail.contains("v44 missing in standby"),
        "{}",
        it.detail
    );
}

#[tokio::test]
async fn buckets_and_images_are_read_at_most_once_a_minute() {
    let moto = Moto::start();
    seed(&moto).await;
    let toml = estate_toml(&moto.url);
    let b = support::backend(&toml).await;
    b.read_region(Side::Primary).await.unwrap();
    b.read_region(Side::Primary).await.unwrap();
    let calls = b
        .calls(drconsole::model::Scope::Region(Side::Primary))
        .snapshot();
    let count = |op: &str| -> u64 {
        calls
            .iter()
            .filter(|(k, _)| k.ends_with(&format!(".{op}")) || k.as_str() == op)
            .map(|(_, v)| *v)
            .sum()
    };
    // Five buckets: one GetBucketReplication each, one listing each that exists, one HEAD
    // per non-empty bucket; two repositories, one BatchGetImage each. Once, though read twice.
    assert_eq!(count("GetBucketReplication"), 5, "{calls:?}");
    assert_eq!(count("ListObjectsV2"), 4, "{calls:?}");
    assert_eq!(count("HeadObject"), 2, "{calls:?}");
    assert_eq!(count("BatchGetImage"), 2, "{calls:?}");
}

#[tokio::test]
async fn each_destination_bucket_is_read_in_the_standby() {
    let moto = Moto::start();
    // Objects replicate as they are written.
    control::in_progress(&moto.url, 0);
    seed(&moto).await;
    let toml = estate_toml(&moto.url);
    let (p, s) = readings(&toml).await;
    let standby = s.replicated.expect("standby lists buckets").expect("read");
    let primary = p.replicated.expect("primary lists buckets").expect("read");
    let find = |r: &drconsole::model::ReplicatedReading, name: &str| {
        r.buckets
            .iter()
            .find(|b| b.bucket == name)
            .cloned()
            .unwrap_or_else(|| panic!("no {name} in {r:#?}"))
    };
    // The sources in the primary, the destinations in the standby, none read twice.
    assert!(primary.buckets.iter().all(|b| !b.bucket.ends_with("-dr")));
    assert!(standby.buckets.iter().all(|b| b.bucket.ends_with("-dr")));
    // The copy of the source's newest object arrived: REPLICA; the destination has no rule
    // of its own (nothing replicates back yet).
    let assets = find(&standby, "orders-assets-dr");
    assert_eq!(assets.error, None, "{assets:?}");
    assert!(assets.rules.is_empty(), "{assets:?}");
    let newest = assets.newest.clone().expect("a copy");
    assert_eq!(newest.key, "img/1.png");
    assert_eq!(newest.status.as_deref(), Some("REPLICA"));
    // A destination that does not exist is that bucket's error, in the standby's reading.
    let uploads = find(&standby, "orders-uploads-dr");
    assert!(uploads.error.is_some(), "{uploads:?}");
}

use super::*;
use crate::model::{BucketReading, ImageReading, NewestObject, ReplicationRule, SectionError};
use crate::readiness::{Verdict, evaluate};

const ESTATE: &str = r#"name = "t"
[primary]
region = "us-east-1"
[standby]
region = "us-west-2"
[[s3_buckets]]
primary = "orders-assets"
standby = "orders-assets-dr"
[[ecr_repositories]]
name = "orders-web"
tags = ["v42"]
"#;

fn estate() -> Estate {
    Estate::parse(ESTATE, "t.toml").unwrap()
}

fn region(r: Option<Section<ReplicatedReading>>) -> RegionReading {
    let mut x = RegionReading::unread(false);
    x.services = Ok(vec![]);
    x.asgs = Ok(vec![]);
    x.target_groups = Ok(vec![]);
    x.alarms = Ok(vec![]);
    x.replicated = r;
    x
}

fn bucket(rules: Vec<(&str, &str)>, status: Option<&str>) -> BucketReading {
    BucketReading {
        bucket: "orders-assets".into(),
        error: None,
        rules: rules
            .into_iter()
            .map(|(s, d)| ReplicationRule {
                id: None,
                status: s.into(),
                destination: d.into(),
            })
            .collect(),
        newest: Some(NewestObject {
            key: "img/1.png".into(),
            last_modified: None,
            status: status.map(str::to_string),
        }),
    }
}

fn image(digest: Option<&str>, error: Option<SectionError>) -> ImageReading {
    ImageReading {
        repository: "orders-web".into(),
        tag: "v42".into(),
        digest: digest.map(str::to_string),
        error,
    }
}

fn reading(buckets: Vec<BucketReading>, images: Vec<ImageReading>) -> Section<ReplicatedReading> {
    Ok(ReplicatedReading {
        taken_at: None,
        buckets,
        images,
    })
}

fn checks(p: &RegionReading, s: &RegionReading) -> Vec<(Check, String)> {
    items(&estate(), [Some(p), Some(s)])
        .into_iter()
        .map(|i| (i.check, i.detail))
        .collect()
}

fn s3_check(b: BucketReading) -> (Check, String) {
    let p = region(Some(reading(vec![b], vec![image(Some("sha256:a"), None)])));
    let s = region(Some(reading(vec![], vec![image(Some("sha256:a"), None)])));
    checks(&p, &s).remove(0)
}

#[test]
fn the_newest_objects_status_decides_the_bucket() {
    let to_dr = vec![("Enabled", "orders-assets-dr")];
    assert_eq!(
        s3_check(bucket(to_dr.clone(), Some("COMPLETED"))).0,
        Check::Pass
    );
    assert_eq!(
        s3_check(bucket(to_dr.clone(), Some("PENDING"))).0,
        Check::Warn
    );
    let (c, d) = s3_check(bucket(to_dr.clone(), Some("FAILED")));
    assert_eq!((c, d.as_str()), (Check::Fail, "FAILED · newest img/1.png"));
    assert_eq!(s3_check(bucket(to_dr, None)).0, Check::Warn);
}

#[test]
fn a_bucket_without_an_enabled_rule_to_the_standby_bucket_fails() {
    let (c, d) = s3_check(bucket(vec![], Some("COMPLETED")));
    assert_eq!(
        (c, d.as_str()),
        (Check::Fail, "no replication configuration")
    );
    let (c, d) = s3_check(bucket(vec![("Disabled", "orders-assets-dr")], None));
    assert_eq!(c, Check::Fail);
    assert!(d.contains("Disabled → orders-assets-dr"), "{d}");
    let (c, d) = s3_check(bucket(vec![("Enabled", "somewhere-else")], None));
    assert_eq!(c, Check::Fail);
    assert!(d.contains("no enabled rule to orders-assets-dr"), "{d}");
}

#[test]
fn images_pass_with_the_same_digest_and_fail_when_missing_or_different() {
    let p = |d: Option<&str>| region(Some(reading(vec![], vec![image(d, None)])));
    let nf = Some(SectionError::new(ErrorKind::NotFound, "ImageNotFound"));
    let same = checks(&p(Some("sha256:a")), &p(Some("sha256:a")));
    assert_eq!(same[1].0, Check::Pass);
    let differs = checks(&p(Some("sha256:a")), &p(Some("sha256:b")));
    assert_eq!(differs[1].0, Check::Fail);
    assert!(differs[1].1.contains("v42 differs"), "{:?}", differs[1]);
    let s = region(Some(reading(vec![], vec![image(None, nf)])));
    let missing = checks(&p(Some("sha256:a")), &s);
    assert_eq!(
        missing[1],
        (Check::Fail, "v42 missing in standby".to_string())
    );
}

#[test]
fn an_unreachable_primary_makes_both_unknown_and_does_not_degrade_the_verdict() {
    let down = region(Some(Err(SectionError::new(
        ErrorKind::Unreachable,
        "no answer within 5s",
    ))));
    let s = region(Some(reading(vec![], vec![image(Some("sha256:a"), None)])));
    let c = checks(&down, &s);
    assert!(c.iter().all(|(c, _)| *c == Check::Unknown), "{c:?}");
    assert!(c[0].1.contains("no answer within 5s"));
    let r = evaluate(&estate(), Side::Primary, [Some(&down), Some(&s)], None);
    assert_eq!(r.verdict, Verdict::Ready, "{:?}", r.items);
    // Not read at all: unknown too, never failed.
    let c = items(&estate(), [None, Some(&s)]);
    assert!(c.iter().all(|i| i.check == Check::Unknown), "{c:?}");
}

#[test]
fn a_failed_replication_degrades_the_verdict() {
    let p = region(Some(reading(
        vec![bucket(
            vec![("Enabled", "orders-assets-dr")],
            Some("FAILED"),
        )],
        vec![image(Some("sha256:a"), None)],
    )));
    let s = region(Some(reading(vec![], vec![image(Some("sha256:a"), None)])));
    let r = evaluate(&estate(), Side::Primary, [Some(&p), Some(&s)], None);
    assert_eq!(r.verdict, Verdict::Degraded);
}

//! What reading the estate's S3 buckets and ECR repositories needs: the replication rules,
//! the listing and a HEAD of the source and destination buckets (`s3:GetObject` covers
//! HEAD), and the images of each repository in both regions.

use serde_json::Value;

use super::statement;
use crate::config::Estate;
use crate::model::Side;

pub(super) fn statements(estate: &Estate) -> Vec<Option<Value>> {
    let buckets = |suffix: &str| -> Vec<String> {
        estate
            .s3_buckets
            .iter()
            .flat_map(|b| [&b.primary, &b.standby])
            .map(|b| format!("arn:aws:s3:::{b}{suffix}"))
            .collect()
    };
    let repositories: Vec<String> = estate
        .ecr_repositories
        .iter()
        .flat_map(|r| {
            Side::BOTH.map(|s| {
                format!(
                    "arn:aws:ecr:{}:*:repository/{}",
                    estate.region(s).region,
                    r.name
                )
            })
        })
        .collect();
    vec![
        statement(
            "ReadBucketReplication",
            &["s3:GetReplicationConfiguration", "s3:ListBucket"],
            buckets(""),
        ),
        statement("ReadNewestObject", &["s3:GetObject"], buckets("/*")),
        statement("ReadImages", &["ecr:BatchGetImage"], repositories),
    ]
}

#[cfg(test)]
mod tests {
    use super::super::iam_policy;
    use crate::config::Estate;

    #[test]
    fn buckets_and_repositories_are_read_only_when_listed() {
        let base =
            "name = \"t\"\n[primary]\nregion = \"us-east-1\"\n[standby]\nregion = \"us-west-2\"\n";
        let with = format!(
            "{base}[[s3_buckets]]\nprimary = \"orders-assets\"\nstandby = \"orders-assets-dr\"\n\
             [[ecr_repositories]]\nname = \"orders-web\"\ntags = [\"v42\"]\n"
        );
        let policy = |t: &str| iam_policy(&Estate::parse(t, "t.toml").unwrap(), false).to_string();
        let p = policy(&with);
        for needle in [
            r#""s3:GetReplicationConfiguration","s3:ListBucket"],"Effect":"Allow","Resource":["arn:aws:s3:::orders-assets","arn:aws:s3:::orders-assets-dr"]"#,
            r#""Action":["s3:GetObject"],"Effect":"Allow","Resource":["arn:aws:s3:::orders-assets-dr/*","arn:aws:s3:::orders-assets/*"]"#,
            r#""arn:aws:ecr:us-east-1:*:repository/orders-web","arn:aws:ecr:us-west-2:*:repository/orders-web""#,
        ] {
            assert!(p.contains(needle), "{needle} not in {p}");
        }
        let p = policy(base);
        assert!(!p.contains("s3:") && !p.contains("ecr:"), "{p}");
    }
}

//! Tests that names are present and unique, and duplicates name both entries.

use super::*;

#[test]
fn names_must_be_non_empty_and_unique() {
    let cases: &[(&str, &str, &str, &str)] = &[
        ("name = \"orders\"", "name = \" \"", "name", "non-empty"),
        (
            "name = \"worker\"",
            "name = \"\"",
            "ecs.services[1].name",
            "non-empty",
        ),
        (
            "name = \"worker\"",
            "name = \"web\"",
            "ecs.services[1].name",
            "duplicate",
        ),
        (
            "primary_cluster = \"orders\"",
            "primary_cluster = \"\"",
            "ecs.primary_cluster",
            "non-empty",
        ),
        (
            "name = \"orders-web\"",
            "name = \"\"",
            "asgs[0].name",
            "non-empty",
        ),
        (
            "[[target_groups]]\nname = \"web\"",
            "[[target_groups]]\nname = \"\"",
            "target_groups[0].name",
            "non-empty",
        ),
        (
            "primary_arn = \"arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/web/1\"",
            "primary_arn = \"\"",
            "target_groups[0].primary_arn",
            "ARN",
        ),
        (
            "standby_arn = \"arn:aws:elasticloadbalancing:us-west-2:123456789012:targetgroup/web/2\"",
            "standby_arn = \"web\"",
            "target_groups[0].standby_arn",
            "ARN",
        ),
        (
            "primary = \"orders-db\"",
            "primary = \"\"",
            "database.primary",
            "non-empty",
        ),
        (
            "standby = \"orders-db-replica\"",
            "standby = \"\"",
            "database.standby",
            "non-empty",
        ),
        (
            "id = \"hc-1\"",
            "id = \"\"",
            "health_checks[0].id",
            "non-empty",
        ),
        (
            "name = \"orders-5xx\"",
            "name = \"\"",
            "alarms[0].name",
            "non-empty",
        ),
        (
            "zone_id = \"Z0123456789\"",
            "zone_id = \"\"",
            "dns.zone_id",
            "non-empty",
        ),
        (
            "standby_value = \"lb-usw2.example.com\"",
            "standby_value = \"LB-use1.example.com.\"",
            "dns.standby_value",
            "differ",
        ),
    ];
    for (from, to, key, words) in cases {
        let msg = parse_err(&with(from, to));
        assert!(msg.contains(&format!("key `{key}`")), "{to}: {msg}");
        assert!(msg.contains(words), "{to}: {msg}");
    }
}

#[test]
fn duplicates_name_both_entries() {
    let dup = |section: &str| format!("{BASE}{section}");
    let msg = parse_err(&dup(
        "[[asgs]]\nname = \"orders-web\"\nproduction = { min = 0, max = 1, desired = 0 }\nstandby = { min = 0, max = 1, desired = 0 }\n",
    ));
    assert!(msg.starts_with("t.toml:45:1: key `asgs[1].name`"), "{msg}");
    assert!(msg.contains("asgs[0]"), "{msg}");
    let msg = parse_err(&dup(
        "[[target_groups]]\nname = \"web\"\nprimary_arn = \"arn:aws:elasticloadbalancing:us-east-1:1:targetgroup/b/1\"\nstandby_arn = \"arn:aws:elasticloadbalancing:us-west-2:1:targetgroup/b/2\"\n",
    ));
    assert!(msg.contains("key `target_groups[1].name`"), "{msg}");
    let msg = parse_err(&dup(
        "[[health_checks]]\nid = \"hc-1\"\nlabel = \"again\"\nregion = \"standby\"\n",
    ));
    assert!(msg.contains("key `health_checks[1].id`"), "{msg}");
    // The same alarm name in the other region is another alarm; in the same region it is not.
    Estate::parse(
        &dup("[[alarms]]\nname = \"orders-5xx\"\nregion = \"standby\"\n"),
        "t.toml",
    )
    .expect("same alarm name in the other region");
    let msg = parse_err(&dup(
        "[[alarms]]\nname = \"orders-5xx\"\nregion = \"primary\"\n",
    ));
    assert!(msg.contains("key `alarms[1].name`"), "{msg}");
    assert!(msg.contains("duplicate"), "{msg}");
}

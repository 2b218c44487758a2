//! Tests that whole estates parse, and the cross-checks between their sections.

use super::*;

#[test]
fn the_example_estate_parses_with_every_section() {
    let text = include_str!("../../../assets/example-estate.toml");
    let e = Estate::parse(text, "example").expect("example estate parses");
    assert_eq!(e.name, "orders");
    assert_eq!(e.poll_interval.0, Duration::from_secs(5));
    assert_eq!(e.rpo_budget.0, Duration::from_secs(300));
    assert_eq!(e.primary.region.as_str(), "us-east-1");
    assert_eq!(e.primary.profile.as_deref(), Some("prod"));
    assert_eq!(e.standby.region.as_str(), "us-west-2");
    let db = e.database.as_ref().expect("database");
    assert_eq!(db.kind, DatabaseKind::RdsReplica);
    assert_eq!(db.standby, "orders-db-replica");
    assert_eq!(e.services().len(), 2);
    assert_eq!(e.services()[0].production, 4);
    assert_eq!(e.asgs[0].name_in(Side::Standby), "orders-web");
    assert_eq!(e.asgs[0].production.desired, 4);
    assert_eq!(e.target_groups[0].asg.as_deref(), Some("orders-web"));
    let dns = e.dns.as_ref().expect("dns");
    assert_eq!(dns.record_type, "CNAME");
    assert_eq!(dns.side_of("lb-usw2.example.com."), Some(Side::Standby));
    assert_eq!(dns.side_of("elsewhere.example.com"), None);
    assert_eq!(e.health_checks[0].region, Side::Primary);
    assert_eq!(e.alarms[0].name, "orders-5xx");
    assert_eq!(
        e.call_timeout.0,
        Duration::from_secs(5),
        "default call timeout"
    );
}

#[test]
fn the_built_in_estate_parses() {
    let e = crate::backend::sim::built_in_estate();
    assert!(e.services().len() >= 6);
    assert_eq!(e.asgs.len(), 2);
    assert_eq!(e.health_checks.len(), 2);
}

#[test]
fn region_names_are_checked_for_shape() {
    for ok in [
        "us-east-1",
        "eu-central-2",
        "us-gov-west-1",
        "ap-southeast-4",
    ] {
        assert!(Region::parse(ok).is_ok(), "{ok}");
    }
    for bad in [
        "us-east",
        "useast1",
        "US-EAST-1",
        "us-east-1a",
        "",
        "u-east-1",
    ] {
        assert!(Region::parse(bad).is_err(), "{bad}");
    }
}

#[test]
fn asg_names_fall_back_per_region() {
    let text = r#"
name = "x"
[primary]
region = "us-east-1"
[standby]
region = "us-west-2"
[[asgs]]
primary_name = "web-east"
standby_name = "web-west"
production = { min = 1, max = 4, desired = 2 }
standby = { min = 0, max = 4, desired = 0 }
"#;
    let e = Estate::parse(text, "t").expect("parses");
    assert_eq!(e.asgs[0].name_in(Side::Primary), "web-east");
    assert_eq!(e.asgs[0].name_in(Side::Standby), "web-west");
}

#[test]
fn cross_checks_point_at_the_offending_line() {
    let text = r#"name = "x"
[primary]
region = "us-east-1"
[standby]
region = "us-west-2"
[[asgs]]
name = "a"
production = { min = 1, max = 4, desired = 2 }
standby = { min = 0, max = 4, desired = 0 }
[[asgs]]
name = "b"
production = { min = 3, max = 4, desired = 2 }
standby = { min = 0, max = 4, desired = 0 }
"#;
    let err = Estate::parse(text, "t.toml").expect_err("min > desired");
    let msg = err.to_string();
    assert!(
        msg.starts_with("t.toml:12:1: key `asgs[1].production`"),
        "{msg}"
    );
    assert!(msg.contains("min <= desired <= max"), "{msg}");
}

#[test]
fn aurora_needs_a_global_cluster() {
    let text = r#"name = "x"
[primary]
region = "us-east-1"
[standby]
region = "us-west-2"
[database]
kind = "aurora-global"
primary = "a"
standby = "b"
"#;
    let msg = Estate::parse(text, "t.toml")
        .expect_err("no global")
        .to_string();
    assert!(msg.contains("database.global_cluster"), "{msg}");
    assert!(msg.starts_with("t.toml:6:1:"), "{msg}");
}

use super::*;

#[test]
fn the_example_estate_parses_with_every_section() {
    let text = include_str!("../../assets/example-estate.toml");
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

/// The smallest valid estate with every section the checks below touch.
const BASE: &str = r#"name = "orders"
[primary]
region = "us-east-1"
endpoint_url = "http://127.0.0.1:5000"
[standby]
region = "us-west-2"
[database]
kind = "rds-replica"
primary = "orders-db"
standby = "orders-db-replica"
[ecs]
primary_cluster = "orders"
standby_cluster = "orders"
[[ecs.services]]
name = "web"
production = 2
standby = 0
[[ecs.services]]
name = "worker"
production = 1
standby = 0
[[asgs]]
name = "orders-web"
production = { min = 1, max = 4, desired = 2 }
standby = { min = 0, max = 4, desired = 0 }
[[target_groups]]
name = "web"
asg = "orders-web"
primary_arn = "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/web/1"
standby_arn = "arn:aws:elasticloadbalancing:us-west-2:123456789012:targetgroup/web/2"
[dns]
zone_id = "Z0123456789"
record = "www.example.com"
ttl = 60
primary_value = "lb-use1.example.com"
standby_value = "lb-usw2.example.com"
[[health_checks]]
id = "hc-1"
label = "primary ALB"
region = "primary"
[[alarms]]
name = "orders-5xx"
region = "primary"
"#;

/// `BASE` with one piece of text replaced (which must be there).
fn with(from: &str, to: &str) -> String {
    assert!(BASE.contains(from), "{from:?} is not in BASE");
    BASE.replacen(from, to, 1)
}

fn parse_err(text: &str) -> String {
    match Estate::parse(text, "t.toml") {
        Ok(_) => panic!("expected an error for\n{text}"),
        Err(e) => e.to_string(),
    }
}

#[test]
fn the_base_estate_for_these_tests_is_valid() {
    Estate::parse(BASE, "t.toml").expect("BASE parses");
}

#[test]
fn endpoint_urls_must_be_absolute_http_urls() {
    for ok in [
        "http://127.0.0.1:5000",
        "http://localhost:4566/",
        "https://vpce-0abc-xyz.rds.us-east-1.vpce.amazonaws.com",
        "HTTPS://Host.example.com:443/some/path",
        "http://[::1]:5000",
        "http://moto_server:5000",
    ] {
        assert_eq!(validate::endpoint_url(ok), Ok(()), "{ok}");
    }
    for bad in [
        "",
        " ",
        "localhost:5000",
        "127.0.0.1:5000",
        "ftp://example.com",
        "http://",
        "http:///path",
        "http://:5000",
        "http://host:",
        "http://host:0",
        "http://host:65536",
        "http://host:port",
        "http://user:secret@host",
        "http://host?x=1",
        "http://host#frag",
        "http://ho st",
        "http://host..example",
        "http://.host",
        "http://[::1",
        "http://[zz]:5000",
        " http://host",
        "http://host/a b",
    ] {
        assert!(validate::endpoint_url(bad).is_err(), "{bad:?} accepted");
    }
}

#[test]
fn an_empty_endpoint_url_names_its_line_and_key() {
    let msg = parse_err(&with(
        "endpoint_url = \"http://127.0.0.1:5000\"",
        "endpoint_url = \"\"",
    ));
    assert!(
        msg.starts_with("t.toml:4:1: key `primary.endpoint_url`"),
        "{msg}"
    );
    assert!(msg.contains("http://"), "{msg}");
}

#[test]
fn dns_ttl_is_within_route53_range() {
    for bad in ["-60", "-1", "2147483648", "9223372036854775807"] {
        let msg = parse_err(&with("ttl = 60", &format!("ttl = {bad}")));
        assert!(msg.starts_with("t.toml:34:1: key `dns.ttl`"), "{msg}");
        assert!(msg.contains("0 to 2147483647"), "{msg}");
    }
    for ok in ["0", "2147483647"] {
        Estate::parse(&with("ttl = 60", &format!("ttl = {ok}")), "t.toml").expect(ok);
    }
}

#[test]
fn durations_are_within_sane_bounds() {
    let cases = [
        ("call_timeout = \"0s\"", "call_timeout", "at least 100ms"),
        ("call_timeout = \"99ms\"", "call_timeout", "at least 100ms"),
        ("call_timeout = \"5m 1s\"", "call_timeout", "at most 5m"),
        (
            "poll_interval = \"999999999h\"",
            "poll_interval",
            "at most 1h",
        ),
        ("poll_interval = \"61m\"", "poll_interval", "at most 1h"),
        (
            "poll_interval = \"10ms\"",
            "poll_interval",
            "at least 100ms",
        ),
        ("lag_warning = \"0s\"", "lag_warning", "more than 0s"),
        ("rpo_budget = \"0s\"", "rpo_budget", "more than 0s"),
    ];
    for (line, key, words) in cases {
        let msg = parse_err(&format!("{line}\n{BASE}"));
        assert!(
            msg.starts_with(&format!("t.toml:1:1: key `{key}`")),
            "{line}: {msg}"
        );
        assert!(msg.contains(words), "{line}: {msg}");
    }
    for line in [
        "call_timeout = \"100ms\"",
        "call_timeout = \"5m\"",
        "poll_interval = \"1h\"",
        "poll_interval = \"100ms\"",
    ] {
        Estate::parse(&format!("{line}\n{BASE}"), "t.toml").expect(line);
    }
}

#[test]
fn durations_that_overflow_are_errors_not_panics() {
    for d in [
        "18446744073709551615s 1s",
        "18446744073709551616s",
        "99999999999999999999999h",
        "584942417356y",
        "1000000000000000000000000000ns",
        "18446744073709551615s 999999999ns 1ns",
    ] {
        for key in ["poll_interval", "call_timeout", "lag_warning", "rpo_budget"] {
            let text = format!("{key} = \"{d}\"\n{BASE}");
            let msg = parse_err(&text);
            assert!(msg.starts_with("t.toml:1:"), "{key} = {d}: {msg}");
        }
    }
}

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

#[test]
fn control_characters_are_refused_wherever_they_are() {
    let cases = [
        (
            "name = \"orders\"",
            "name = \"orders\\u001b[2J\"",
            "name",
            "1:1",
        ),
        (
            "name = \"web\"",
            "name = \"w\\teb\"",
            "ecs.services[0].name",
            "15:1",
        ),
        (
            "label = \"primary ALB\"",
            "label = \"primary\\nALB\"",
            "health_checks[0].label",
            "39:1",
        ),
        (
            "desired = 2 }",
            "desired = 2, x = \"\\u0007\" }",
            "asgs[0].production.x",
            "24:47",
        ),
        (
            "region = \"primary\"\n[[alarms]]",
            "region = \"primary\"\n\"a\\u001bb\" = 1\n[[alarms]]",
            "health_checks[0].\"a\\u001Bb\"",
            "41:1",
        ),
        (
            "name = \"orders\"",
            "name = \"orders\\u009b\"",
            "name",
            "1:1",
        ),
        (
            "name = \"orders\"",
            "name = \"orders\\u007f\"",
            "name",
            "1:1",
        ),
    ];
    for (from, to, key, at) in cases {
        let msg = parse_err(&with(from, to));
        assert!(
            msg.starts_with(&format!("t.toml:{at}: key `{key}`")),
            "{to}: {msg}"
        );
        assert!(msg.contains("control character"), "{msg}");
        assert!(!msg.chars().any(|c| c.is_control() && c != '\n'), "{msg:?}");
    }
    // Inside an array, and in a runbook the estate checks know nothing about.
    let text = format!(
        "{BASE}[runbooks.drill]\ndescription = \"a\\u001b\"\n[[runbooks.drill.steps]]\nkind = \"manual\"\ninstruction = \"go\"\n"
    );
    let msg = parse_err(&text);
    assert!(
        msg.starts_with("t.toml:45:1: key `runbooks.drill.description`"),
        "{msg}"
    );
}

#[test]
fn locate_key_follows_nested_tables_and_inline_tables() {
    let text = "name = \"x\"\n[[a]]\nk = 1\n[[a]]\nk = 2\n[a.b]\nq = { r = 1, s = 2 }\n[[a.c]]\nz = 1\n[[a]]\n[[a.c]]\nz = 3\n";
    assert_eq!(error::locate_key(text, "a[1].k"), (5, 1));
    assert_eq!(error::locate_key(text, "a[1].b.q"), (7, 1));
    assert_eq!(error::locate_key(text, "a[1].b.q.s"), (7, 14));
    assert_eq!(error::locate_key(text, "a[1].c[0].z"), (9, 1));
    assert_eq!(error::locate_key(text, "a[2].c[0].z"), (12, 1));
    assert_eq!(error::locate_key(text, "a[2].c[0]"), (11, 1));
    assert_eq!(error::locate_key(text, "nowhere"), (1, 1));
}

#[test]
fn invalid_utf8_names_the_first_bad_byte() {
    let mut bytes = BASE.as_bytes().to_vec();
    // Line 2 is `[primary]`: make it `[pr\xFFmary]`.
    let at = BASE.find("[primary]").unwrap() + 3;
    bytes[at] = 0xFF;
    let msg = Estate::parse_bytes(&bytes, "t.toml")
        .expect_err("invalid UTF-8")
        .to_string();
    assert!(msg.starts_with("t.toml:2:4: invalid UTF-8"), "{msg}");
    assert!(msg.contains("0xFF") || msg.contains("0xff"), "{msg}");
}

#[test]
fn a_directory_is_not_an_estate_file() {
    let dir = tempfile::tempdir().expect("tempdir");
    let msg = Estate::load(dir.path())
        .expect_err("a directory")
        .to_string();
    assert!(msg.starts_with(&dir.path().display().to_string()), "{msg}");
    assert!(msg.contains("is a directory"), "{msg}");
}

#[test]
fn parse_error_snippets_never_echo_control_characters() {
    let text = "name = \"x\u{1b}[2J\"\n";
    let msg = parse_err(text);
    assert!(msg.starts_with("t.toml:1:"), "{msg}");
    assert!(!msg.contains('\u{1b}'), "{msg:?}");
}

//! Tests of values within bounds: endpoint URLs, the DNS TTL and durations.

use super::*;

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
fn account_ids_are_twelve_digits() {
    let pinned = with(
        "region = \"us-west-2\"",
        "region = \"us-west-2\"\naccount_id = \"012345678901\"",
    );
    let e = Estate::parse(&pinned, "t.toml").expect("a 12-digit id with a leading zero");
    assert_eq!(e.standby.account_id.as_deref(), Some("012345678901"));
    assert_eq!(e.primary.account_id, None);
    for bad in [
        "12345678901",
        "1234567890123",
        "12345678901a",
        "",
        " 123456789012",
    ] {
        let msg = parse_err(&with(
            "region = \"us-west-2\"",
            &format!("region = \"us-west-2\"\naccount_id = {bad:?}"),
        ));
        assert!(
            msg.starts_with("t.toml:7:1: key `standby.account_id`"),
            "{bad:?}: {msg}"
        );
        assert!(msg.contains("exactly 12 digits"), "{msg}");
    }
    // A number loses leading zeros: the id is written as a string.
    let msg = parse_err(&with(
        "region = \"us-west-2\"",
        "region = \"us-west-2\"\naccount_id = 123456789012",
    ));
    assert!(msg.starts_with("t.toml:7:"), "{msg}");
    assert!(msg.contains("string"), "{msg}");
}

#[test]
fn rto_objective_is_optional_and_within_bounds() {
    assert_eq!(
        Estate::parse(BASE, "t.toml").expect("base").rto_objective,
        None
    );
    let estate = Estate::parse(&format!("rto_objective = \"15m\"\n{BASE}"), "t.toml").expect("15m");
    assert_eq!(
        estate.rto_objective.map(|d| d.0),
        Some(std::time::Duration::from_secs(900))
    );
    let cases = [
        ("rto_objective = \"30s\"", 1, "at least 1m"),
        ("rto_objective = \"2d\"", 1, "at most 1day"),
        ("rto_objective = \"soon\"", 1, "expected a duration"),
        ("rto_objective = 15", 1, "string"),
    ];
    for (line, row, words) in cases {
        let msg = parse_err(&format!("{line}\n{BASE}"));
        assert!(msg.starts_with(&format!("t.toml:{row}:")), "{line}: {msg}");
        assert!(msg.contains("rto_objective"), "{line}: {msg}");
        assert!(msg.contains(words), "{line}: {msg}");
    }
    // Located where it is written, not on the first line.
    let text = BASE.replacen("[primary]", "rto_objective = \"0s\"\n[primary]", 1);
    let msg = parse_err(&text);
    assert!(msg.starts_with("t.toml:2:1: key `rto_objective`"), "{msg}");
}

#[test]
fn the_database_reads_as_the_file_writes_it() {
    let estate = Estate::parse(BASE, "t.toml").expect("base");
    let db = estate.database.expect("database");
    assert_eq!(
        db.to_string(),
        "rds-replica orders-db -> orders-db-replica · endpoint not written"
    );
    let text = BASE.replacen(
        "standby = \"orders-db-replica\"",
        "standby = \"orders-db-replica\"\nendpoint_parameter = \"/orders/db\"\nendpoint_secret = \"orders/db\"",
        1,
    );
    let db = Estate::parse(&text, "t.toml")
        .expect("endpoint")
        .database
        .expect("database");
    assert_eq!(
        db.to_string(),
        "rds-replica orders-db -> orders-db-replica · endpoint parameter /orders/db · endpoint secret orders/db"
    );
}

//! The real binary against broken estate files: every error names file, line, column and key,
//! and exits 78 (`drconsole::exit::CONFIG`).

use std::process::Command;

const GOOD: &str = r#"name = "orders"
poll_interval = "5s"
lag_warning = "30s"
rpo_budget = "5m"

[primary]
region = "us-east-1"

[standby]
region = "us-west-2"

[database]
kind = "rds-replica"
primary = "orders-db"
standby = "orders-db-replica"
"#;

fn check(text: impl AsRef<[u8]>) -> (i32, String, String) {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("estate.toml");
    std::fs::write(&path, text.as_ref()).expect("write");
    let out = Command::new(env!("CARGO_BIN_EXE_drconsole"))
        .args(["check", "--config"])
        .arg(&path)
        .output()
        .expect("run drconsole");
    let stderr = String::from_utf8_lossy(&out.stderr).replace(&path.display().to_string(), "FILE");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr,
    )
}

#[test]
fn a_good_file_passes_with_a_summary() {
    let (code, stdout, stderr) = check(GOOD);
    assert_eq!(code, 0, "{stderr}");
    assert!(stdout.contains(": OK"), "{stdout}");
    assert!(stdout.contains("primary        us-east-1"), "{stdout}");
    assert!(
        stdout.contains("rds-replica orders-db -> orders-db-replica"),
        "{stdout}"
    );
}

fn assert_error(text: impl AsRef<[u8]>, position: &str, words: &[&str]) {
    let (code, _, stderr) = check(text);
    assert_eq!(code, drconsole::exit::CONFIG, "{stderr}");
    assert!(
        stderr.starts_with(&format!("FILE:{position}:")),
        "expected FILE:{position}: at the start of\n{stderr}"
    );
    for w in words {
        assert!(stderr.contains(w), "expected {w:?} in\n{stderr}");
    }
}

#[test]
fn syntax_error() {
    let text = GOOD.replace("rpo_budget = \"5m\"", "rpo_budget = \"5m");
    assert_error(&text, "4:17", &["invalid basic string"]);
}

#[test]
fn wrong_type() {
    let text = GOOD.replace("poll_interval = \"5s\"", "poll_interval = 5");
    assert_error(&text, "2:17", &["string"]);
}

#[test]
fn unknown_key() {
    let text = GOOD.replace("[standby]\n", "[standby]\nregoin = \"us-west-1\"\n");
    assert_error(&text, "10:1", &["unknown field `regoin`", "region"]);
}

#[test]
fn missing_required_key() {
    let text = GOOD.replace("standby = \"orders-db-replica\"\n", "");
    assert_error(&text, "12:1", &["missing field `standby`"]);
}

#[test]
fn bad_duration() {
    let text = GOOD.replace("lag_warning = \"30s\"", "lag_warning = \"thirty seconds\"");
    assert_error(&text, "3:15", &["expected a duration", "thirty seconds"]);
}

#[test]
fn bad_region() {
    let text = GOOD.replace("region = \"us-west-2\"", "region = \"us-west\"");
    assert_error(&text, "10:10", &["expected an AWS region name", "us-west"]);
}

#[test]
fn bad_enum_value() {
    let text = GOOD.replace("kind = \"rds-replica\"", "kind = \"mysql\"");
    assert_error(&text, "13:8", &["rds-replica", "aurora-global"]);
}

#[test]
fn missing_file_is_reported() {
    let out = Command::new(env!("CARGO_BIN_EXE_drconsole"))
        .args(["check", "--config", "/nonexistent/estate.toml"])
        .output()
        .expect("run drconsole");
    assert_eq!(out.status.code(), Some(drconsole::exit::CONFIG));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("/nonexistent/estate.toml: cannot read"),
        "{stderr}"
    );
}

#[test]
fn empty_endpoint_url() {
    // An empty URL used to pass here and then trip an assertion inside the AWS SDK.
    let text = GOOD.replace(
        "region = \"us-east-1\"\n",
        "region = \"us-east-1\"\nendpoint_url = \"\"\n",
    );
    assert_error(
        &text,
        "8:1",
        &["key `primary.endpoint_url`", "http:// or https://"],
    );
}

#[test]
fn endpoint_url_without_a_scheme() {
    let text = GOOD.replace(
        "region = \"us-west-2\"\n",
        "region = \"us-west-2\"\nendpoint_url = \"localhost:5000\"\n",
    );
    assert_error(
        &text,
        "11:1",
        &["key `standby.endpoint_url`", "localhost:5000"],
    );
}

#[test]
fn negative_ttl() {
    let text = format!(
        "{GOOD}\n[dns]\nzone_id = \"Z1\"\nrecord = \"www.example.com\"\nttl = -60\nprimary_value = \"a.example.com\"\nstandby_value = \"b.example.com\"\n"
    );
    assert_error(&text, "20:1", &["key `dns.ttl`", "0 to 2147483647", "-60"]);
}

#[test]
fn zero_call_timeout() {
    let text = GOOD.replace(
        "rpo_budget = \"5m\"\n",
        "rpo_budget = \"5m\"\ncall_timeout = \"0s\"\n",
    );
    assert_error(&text, "5:1", &["key `call_timeout`", "at least 100ms"]);
}

#[test]
fn huge_poll_interval() {
    let text = GOOD.replace("poll_interval = \"5s\"", "poll_interval = \"999999999h\"");
    assert_error(&text, "2:1", &["key `poll_interval`", "at most 1h"]);
}

#[test]
fn duplicate_service_name() {
    let text = format!(
        "{GOOD}\n[ecs]\nprimary_cluster = \"c\"\nstandby_cluster = \"c\"\n[[ecs.services]]\nname = \"web\"\nproduction = 1\nstandby = 0\n[[ecs.services]]\nname = \"web\"\nproduction = 1\nstandby = 0\n"
    );
    assert_error(
        &text,
        "25:1",
        &["key `ecs.services[1].name`", "duplicate", "ecs.services[0]"],
    );
}

#[test]
fn empty_estate_name() {
    let text = GOOD.replace("name = \"orders\"", "name = \"\"");
    assert_error(&text, "1:1", &["key `name`", "non-empty"]);
}

#[test]
fn control_character_in_a_string() {
    // ESC [2J clears the screen when printed: it must be refused, and never echoed.
    let text = GOOD.replace("primary = \"orders-db\"", "primary = \"orders\\u001b[2J\"");
    assert_error(
        &text,
        "14:1",
        &["key `database.primary`", "control character", "U+001B"],
    );
    let (_, _, stderr) = check(&text);
    assert!(!stderr.contains('\u{1b}'), "{stderr:?}");
}

#[test]
fn invalid_utf8() {
    let mut bytes = GOOD.as_bytes().to_vec();
    let at = GOOD.find("us-west-2").expect("standby region") + 3;
    bytes[at] = 0xC3; // a lead byte with no continuation
    assert_error(bytes, "10:14", &["invalid UTF-8", "0xC3"]);
}

#[test]
fn a_directory_is_reported() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = Command::new(env!("CARGO_BIN_EXE_drconsole"))
        .args(["check", "--config"])
        .arg(dir.path())
        .output()
        .expect("run drconsole");
    assert_eq!(out.status.code(), Some(drconsole::exit::CONFIG));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.starts_with(&format!("{}: ", dir.path().display())),
        "{stderr}"
    );
    assert!(stderr.contains("is a directory"), "{stderr}");
}

#[test]
fn account_id_that_is_not_twelve_digits() {
    let text = GOOD.replace(
        "region = \"us-west-2\"\n",
        "region = \"us-west-2\"\naccount_id = \"1234-5678-9012\"\n",
    );
    assert_error(
        &text,
        "11:1",
        &[
            "key `standby.account_id`",
            "exactly 12 digits",
            "1234-5678-9012",
        ],
    );
    let text = GOOD.replace(
        "region = \"us-east-1\"\n",
        "region = \"us-east-1\"\naccount_id = \"123456789012\"\n",
    );
    let (code, stdout, stderr) = check(text);
    assert_eq!(code, 0, "{stderr}");
    assert!(stdout.contains(": OK"), "{stdout}");
}

/// `GOOD` with a `[dns]` section of `body`, and the line (1-based) where `key` is written in
/// it (`[dns]` for a key that is missing).
fn with_dns(body: &str, key: &str) -> (String, usize) {
    let text = format!("{GOOD}\n[dns]\nzone_id = \"Z1\"\nrecord = \"www.example.com\"\n{body}");
    let line = text
        .lines()
        .position(|l| l.starts_with(key))
        .expect("key in the text")
        + 1;
    (text, line)
}

const ALIASES: &str = "primary_alias = { dns_name = \"a-1.us-east-1.elb.amazonaws.com\", zone_id = \"Z35SXDOTRQ7X7K\" }\nstandby_alias = { dns_name = \"b-2.us-west-2.elb.amazonaws.com\", zone_id = \"Z1H1FL5HABSF5\" }\n";

#[test]
fn an_alias_record_and_an_a_record_of_addresses_pass() {
    let (text, _) = with_dns(&format!("type = \"A\"\n{ALIASES}"), "[dns]");
    let (code, stdout, stderr) = check(&text);
    assert_eq!(code, 0, "{stderr}");
    assert!(
        stdout.contains("DNS record     www.example.com (swap, alias)"),
        "{stdout}"
    );
    let (text, _) = with_dns(
        "type = \"A\"\nprimary_value = \"192.0.2.10\"\nstandby_value = \"198.51.100.20\"\n",
        "[dns]",
    );
    let (code, _, stderr) = check(&text);
    assert_eq!(code, 0, "{stderr}");
}

#[test]
fn a_hostname_value_on_an_a_record() {
    let (text, line) = with_dns(
        "type = \"A\"\nprimary_value = \"lb-use1.example.com\"\nstandby_value = \"lb-usw2.example.com\"\n",
        "primary_value",
    );
    assert_error(
        &text,
        &format!("{line}:1"),
        &[
            "key `dns.primary_value`",
            "hostname \"lb-use1.example.com\"",
            "primary_alias",
        ],
    );
}

#[test]
fn an_alias_on_a_cname() {
    let (text, line) = with_dns(&format!("type = \"CNAME\"\n{ALIASES}"), "primary_alias");
    assert_error(
        &text,
        &format!("{line}:1"),
        &["key `dns.primary_alias`", "\"A\" or \"AAAA\"", "\"CNAME\""],
    );
}

#[test]
fn an_alias_without_its_pair() {
    let primary_only = ALIASES.lines().next().unwrap();
    let (text, line) = with_dns(&format!("type = \"AAAA\"\n{primary_only}\n"), "[dns]");
    assert_error(
        &text,
        &format!("{line}:1"),
        &[
            "key `dns.standby_alias`",
            "beside primary_alias, found none",
        ],
    );
}

#[test]
fn a_value_without_its_pair() {
    let (text, line) = with_dns("primary_value = \"lb-use1.example.com\"\n", "[dns]");
    assert_error(
        &text,
        &format!("{line}:1"),
        &["key `dns.standby_value`", "found none"],
    );
}

#[test]
fn an_unknown_dns_mode() {
    let (text, line) = with_dns(
        "mode = \"weighted\"\nprimary_value = \"a.example.com\"\nstandby_value = \"b.example.com\"\n",
        "mode",
    );
    assert_error(
        &text,
        &format!("{line}:8"),
        &["weighted", "swap", "failover-routing"],
    );
}

#[test]
fn a_failover_pair_without_its_health_check() {
    let (text, line) = with_dns(
        "mode = \"failover-routing\"\ntype = \"A\"\nprimary_set_identifier = \"primary\"\nstandby_set_identifier = \"secondary\"\n",
        "[dns]",
    );
    assert_error(
        &text,
        &format!("{line}:1"),
        &["key `dns.primary_health_check`", "failover-routing"],
    );
}

#[test]
fn a_failover_pair_with_values_or_equal_identifiers() {
    let pair = "mode = \"failover-routing\"\ntype = \"A\"\nprimary_set_identifier = \"primary\"\nstandby_set_identifier = \"secondary\"\nprimary_health_check = \"hc-1\"\n";
    let (text, line) = with_dns(
        &format!("{pair}primary_value = \"lb-use1.example.com\"\n"),
        "primary_value",
    );
    assert_error(
        &text,
        &format!("{line}:1"),
        &["key `dns.primary_value`", "read from Route 53"],
    );
    let (text, line) = with_dns(
        &pair.replace("\"secondary\"", "\"primary\""),
        "standby_set_identifier",
    );
    assert_error(
        &text,
        &format!("{line}:1"),
        &["key `dns.standby_set_identifier`", "differ"],
    );
    let (text, _) = with_dns(pair, "[dns]");
    let (code, stdout, stderr) = check(&text);
    assert_eq!(code, 0, "{stderr}");
    assert!(
        stdout.contains("DNS record     www.example.com (failover-routing)"),
        "{stdout}"
    );
}

#[test]
fn failover_keys_in_swap_mode() {
    let (text, line) = with_dns(
        "primary_value = \"a.example.com\"\nstandby_value = \"b.example.com\"\nprimary_health_check = \"hc-1\"\n",
        "primary_health_check",
    );
    assert_error(
        &text,
        &format!("{line}:1"),
        &[
            "key `dns.primary_health_check`",
            "mode = \"failover-routing\"",
        ],
    );
}

/// `GOOD` with a runbook whose first step is `step` (its table starts on line 17), and a
/// second step inside a parallel group (line 23) when `in_group` is given.
fn with_step(step: &str, in_group: Option<&str>) -> String {
    let mut text = format!("{GOOD}\n[[runbooks.drill.steps]]\n{step}\n");
    if let Some(inner) = in_group {
        text.push_str(&format!(
            "\n[[runbooks.drill.steps]]\nkind = \"parallel\"\n  [[runbooks.drill.steps.steps]]\n{inner}\n"
        ));
    }
    text
}

#[test]
fn a_command_without_a_program() {
    let text = with_step("kind = \"command\"\nprogram = \"\"", None);
    assert_error(&text, "17:1", &["step 1 (command)", "`program`"]);
}

#[test]
fn a_command_with_a_shell_key() {
    let text = with_step(
        "kind = \"command\"\nprogram = \"./x.sh\"\nshell = true",
        None,
    );
    assert_error(
        &text,
        "17:1",
        &["unknown field `shell`", "`program`, `args`, `env`, `dir`"],
    );
}

#[test]
fn an_http_check_with_a_bad_url_or_status() {
    let text = with_step("kind = \"http_check\"\nurl = \"ftp://x\"", None);
    assert_error(
        &text,
        "17:1",
        &["step 1 (http_check)", "http:// or https://"],
    );
    let text = with_step(
        "kind = \"check\"\nrequire = [{ region_reachable = \"standby\" }]",
        Some("  kind = \"http_check\"\n  url = \"http://127.0.0.1/\"\n  expect_status = 700"),
    );
    assert_error(
        &text,
        "23:3",
        &["step 2.1 (http_check)", "100 to 599", "700"],
    );
}

#[test]
fn an_invoke_lambda_without_a_function_or_with_a_bad_region() {
    let text = with_step("kind = \"invoke_lambda\"\nfunction = \"\"", None);
    assert_error(&text, "17:1", &["step 1 (invoke_lambda)", "`function`"]);
    let text = with_step(
        "kind = \"invoke_lambda\"\nfunction = \"orders\"\nregion = \"east\"",
        None,
    );
    assert_error(
        &text,
        "17:1",
        &["unknown variant `east`", "`primary` or `standby`"],
    );
}

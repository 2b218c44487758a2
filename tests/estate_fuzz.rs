//! Random damage to the example estates: the parser answers Ok or Err, never panics, never hangs.
//!
//! 512 cases per run by default so that `cargo test` stays quick; for a longer search:
//! `PROPTEST_CASES=20000 cargo test --test estate_fuzz`.

use std::time::{Duration, Instant};

use drconsole::config::Estate;
use proptest::prelude::*;

const ESTATES: [&str; 2] = [
    include_str!("../assets/example-estate.toml"),
    include_str!("../assets/simulated-estate.toml"),
];

/// Longest one parse may take. Far above what it needs (well under a millisecond), so only a
/// runaway loop trips it, even on a loaded machine in a debug build.
const PER_CASE: Duration = Duration::from_secs(2);

/// Whole lines that break the shape, the numbers, or the durations.
const LINES: &[&str] = &[
    "",
    "[",
    "[[",
    "]]",
    "[[asgs]]",
    "[[ecs.services]]",
    "[primary]",
    "[dns]",
    "[runbooks.failover]",
    "[[runbooks.failover.steps]]",
    "kind = \"manual\"",
    "steps = []",
    "name = \"\"",
    "name = \"\\u001b[2J\"",
    "name = \"a\\u0000b\"",
    "name = 'x'''",
    "region = \"\"",
    "region = \"us-east-1\"",
    "endpoint_url = \"\"",
    "endpoint_url = \"http://\"",
    "endpoint_url = \"http://[::1\"",
    "endpoint_url = \"http://h:99999999999999999999\"",
    "ttl = -9223372036854775808",
    "ttl = 9223372036854775807",
    "ttl = -1",
    "ttl = 1e309",
    "ttl = nan",
    "production = 4294967296",
    "production = -1",
    "production = { min = 4294967295, max = 0, desired = 4294967295 }",
    "port = 65536",
    "port = 0",
    "poll_interval = \"999999999h\"",
    "poll_interval = \"18446744073709551615s 1s\"",
    "poll_interval = \"0s\"",
    "call_timeout = \"0ns\"",
    "rpo_budget = \"18446744073709551615s 999999999ns 1ns\"",
    "call_timeout = \"584942417356y\"",
    "lag_warning = \"99999999999999999999999h\"",
    "rpo_budget = \"1000000000000000000000000000ns\"",
    "timeout = \"18446744073709551615s\"",
    "a.b.c.d.e.f = 1",
    "x = [[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]",
    "x = {a={b={c={d={e={}}}}}}",
    "\"\" = 1",
    "\"\\u001b\" = 1",
];

/// Values put in place of a number or a quoted string.
const VALUES: &[&str] = &[
    "0",
    "-0",
    "-1",
    "2147483648",
    "4294967296",
    "9223372036854775807",
    "-9223372036854775808",
    "99999999999999999999999",
    "1e309",
    "inf",
    "nan",
    "\"\"",
    "\"0s\"",
    "\"999999999h\"",
    "\"18446744073709551615s 999999999ns\"",
    "\"18446744073709551615s 999999999ns 1ns\"",
    "\"\\u001b\"",
    "\"\\u009b\"",
    "\"\\t\"",
    "true",
    "[]",
    "{}",
];

/// Keys whose values `SetKey` replaces (or, for a top-level one not written, adds).
const KEYS: &[&str] = &[
    "name",
    "poll_interval",
    "lag_warning",
    "rpo_budget",
    "call_timeout",
    "region",
    "endpoint_url",
    "profile",
    "primary",
    "standby",
    "production",
    "ttl",
    "id",
    "primary_arn",
    "asg",
];
const TOP_LEVEL: &[&str] = &[
    "name",
    "poll_interval",
    "lag_warning",
    "rpo_budget",
    "call_timeout",
];

const CONTROLS: &[u8] = &[0x00, 0x07, 0x08, 0x09, 0x0A, 0x0D, 0x1B, 0x7F];

#[derive(Debug, Clone)]
enum Mutation {
    DeleteLine(usize),
    DuplicateLine(usize),
    ReplaceLine(usize, &'static str),
    InsertLine(usize, &'static str),
    SwapLines(usize, usize),
    FlipByte(usize, u8),
    InsertControl(usize, u8),
    ReplaceValue(usize, &'static str),
    SetKey(usize, &'static str, &'static str),
    Truncate(usize),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    let index = any::<usize>();
    prop_oneof![
        3 => (index, prop::sample::select(KEYS), prop::sample::select(VALUES))
            .prop_map(|(i, k, v)| Mutation::SetKey(i, k, v)),
        1 => index.prop_map(Mutation::DeleteLine),
        1 => index.prop_map(Mutation::DuplicateLine),
        1 => (index, prop::sample::select(LINES)).prop_map(|(i, l)| Mutation::ReplaceLine(i, l)),
        1 => (index, prop::sample::select(LINES)).prop_map(|(i, l)| Mutation::InsertLine(i, l)),
        1 => (index, index).prop_map(|(a, b)| Mutation::SwapLines(a, b)),
        1 => (index, 1..=255u8).prop_map(|(i, m)| Mutation::FlipByte(i, m)),
        1 => (index, prop::sample::select(CONTROLS)).prop_map(|(i, c)| Mutation::InsertControl(i, c)),
        1 => (index, prop::sample::select(VALUES)).prop_map(|(i, v)| Mutation::ReplaceValue(i, v)),
        1 => index.prop_map(Mutation::Truncate),
    ]
}

fn lines_of(bytes: &[u8]) -> Vec<Vec<u8>> {
    bytes.split(|b| *b == b'\n').map(<[u8]>::to_vec).collect()
}

fn apply(bytes: &mut Vec<u8>, m: &Mutation) {
    let mut lines = lines_of(bytes);
    match m {
        Mutation::DeleteLine(i) if !lines.is_empty() => {
            lines.remove(i % lines.len());
        }
        Mutation::DuplicateLine(i) if !lines.is_empty() => {
            let l = lines[i % lines.len()].clone();
            lines.insert(i % lines.len(), l);
        }
        Mutation::ReplaceLine(i, l) if !lines.is_empty() => {
            let at = i % lines.len();
            lines[at] = l.as_bytes().to_vec();
        }
        Mutation::InsertLine(i, l) => lines.insert(i % (lines.len() + 1), l.as_bytes().to_vec()),
        Mutation::SwapLines(a, b) if !lines.is_empty() => {
            let len = lines.len();
            lines.swap(a % len, b % len);
        }
        Mutation::FlipByte(i, mask) if !bytes.is_empty() => {
            let at = i % bytes.len();
            bytes[at] ^= mask;
            return;
        }
        Mutation::InsertControl(i, c) => {
            let at = i % (bytes.len() + 1);
            bytes.insert(at, *c);
            return;
        }
        Mutation::ReplaceValue(i, v) => {
            // The i-th value after an `=`: up to the end of the line or a comment.
            let starts: Vec<usize> = bytes
                .windows(3)
                .enumerate()
                .filter(|(_, w)| w == b" = ")
                .map(|(p, _)| p + 3)
                .collect();
            if starts.is_empty() {
                return;
            }
            let start = starts[i % starts.len()];
            let end = bytes[start..]
                .iter()
                .position(|b| *b == b'\n' || *b == b'#' || *b == b',' || *b == b'}')
                .map_or(bytes.len(), |p| start + p);
            bytes.splice(start..end, v.bytes());
            return;
        }
        Mutation::SetKey(i, key, v) => {
            let prefix = format!("{key} = ");
            let written: Vec<usize> = (0..lines.len())
                .filter(|&n| lines[n].starts_with(prefix.as_bytes()))
                .collect();
            if let Some(&n) = written.get(i % written.len().max(1)) {
                lines[n] = format!("{prefix}{v}").into_bytes();
            } else if TOP_LEVEL.contains(key) {
                lines.insert(0, format!("{prefix}{v}").into_bytes());
            }
        }
        Mutation::Truncate(i) => {
            bytes.truncate(i % (bytes.len() + 1));
            return;
        }
        _ => return,
    }
    *bytes = lines.join(&b'\n');
}

fn config() -> ProptestConfig {
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(512);
    ProptestConfig {
        cases,
        // Found failures are printed with their input; no files are written next to the tests.
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn a_damaged_estate_parses_or_fails_cleanly(
        which in 0..ESTATES.len(),
        mutations in prop::collection::vec(mutation(), 1..5),
    ) {
        let mut bytes = ESTATES[which].as_bytes().to_vec();
        for m in &mutations {
            apply(&mut bytes, m);
        }
        let started = Instant::now();
        let result = Estate::parse_bytes(&bytes, "fuzz.toml");
        let took = started.elapsed();
        prop_assert!(took < PER_CASE, "took {took:?}");
        if let Err(e) = result {
            let msg = e.to_string();
            prop_assert!(msg.starts_with("fuzz.toml"), "{msg}");
            // Nothing from the file reaches the terminal as a control sequence.
            prop_assert!(
                !msg.chars().any(|c| c.is_control() && c != '\n'),
                "{msg:?}"
            );
        }
    }
}

#[test]
fn the_undamaged_estates_parse() {
    for text in ESTATES {
        Estate::parse_bytes(text.as_bytes(), "asset.toml").expect("asset parses");
    }
}

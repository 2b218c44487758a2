//! Tests of the raw text: control characters, invalid UTF-8, locating keys and the file itself.

use super::*;

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

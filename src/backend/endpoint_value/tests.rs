//! Tests of the endpoint in a stored value: one JSON key changed and the rest kept, whole values
//! replaced, and refusals that never quote the value.

use super::*;
use serde_json::Value;

const CREDS: &str = r#"{"username":"app","password":"p@ss\"w0rd{}","engine":"postgres","host":"old.example.com","port":5432,"dbname":"orders","ratio":1.5,"tls":true,"extra":null,"tags":["a",1]}"#;

fn key(explicit: bool) -> EndpointKey {
    EndpointKey {
        name: "host".into(),
        explicit,
    }
}

#[test]
fn a_json_secret_changes_one_key_and_keeps_every_other_with_its_type_and_place() {
    let v = SecretString::from(CREDS);
    let out = edit_secret(&v, &key(false), "new.example.com").unwrap();
    let text = out.expose();
    assert_eq!(
        text,
        &CREDS.replace("old.example.com", "new.example.com"),
        "same keys, same order, same types"
    );
    let parsed: Value = serde_json::from_str(text).unwrap();
    assert_eq!(parsed["port"], Value::from(5432));
    assert!(parsed["port"].is_u64());
    assert_eq!(parsed["password"], "p@ss\"w0rd{}");
    assert_eq!(parsed["ratio"], 1.5);
}

#[test]
fn located_keys_are_shown_and_whole_secrets_are_not() {
    let json = locate_in_secret(&SecretString::from(CREDS), &key(false));
    assert_eq!(json.shown("x"), "host=old.example.com");
    assert!(json.holds("old.example.com"));
    let plain = locate_in_secret(&SecretString::from("postgres://u:pw@h/db"), &key(false));
    assert_eq!(plain.key, None);
    assert_eq!(plain.shown("new.example.com"), REDACTED);
    let same = locate_in_secret(&SecretString::from("new.example.com"), &key(false));
    assert_eq!(same.shown("new.example.com"), "new.example.com");
    let text = format!("{plain:?}");
    assert!(!text.contains("pw@"), "{text}");
}

#[test]
fn a_plain_secret_is_replaced_whole_unless_a_key_was_asked_for() {
    let v = SecretString::from("old.example.com");
    assert_eq!(
        edit_secret(&v, &key(false), "new.example.com")
            .unwrap()
            .expose(),
        "new.example.com"
    );
    let e = edit_secret(&v, &key(true), "new.example.com").unwrap_err();
    assert!(e.contains("not JSON"), "{e}");
    assert!(!e.contains("old.example.com"), "{e}");
}

#[test]
fn refusals_say_what_is_wrong_without_the_value() {
    let missing = SecretString::from(r#"{"username":"u","password":"hunter2"}"#);
    let e = locate_in_secret(&missing, &key(false))
        .endpoint
        .unwrap_err();
    assert!(e.contains("without the key \"host\""), "{e}");
    assert!(e.contains("username, password"), "{e}");
    assert!(!e.contains("hunter2"), "{e}");
    assert!(edit_secret(&missing, &key(false), "n").is_err());

    let number = SecretString::from(r#"{"host":5,"password":"hunter2"}"#);
    let e = edit_secret(&number, &key(false), "n").unwrap_err();
    assert!(e.contains("holds a number"), "{e}");

    let damaged = SecretString::from(r#"{"password":"hunter2","host":"h""#);
    for explicit in [false, true] {
        let e = edit_secret(&damaged, &key(explicit), "n").unwrap_err();
        assert!(!e.contains("hunter2"), "{e}");
    }

    let array = SecretString::from(r#"["hunter2"]"#);
    let e = edit_secret(&array, &key(false), "n").unwrap_err();
    assert!(e.contains("an array"), "{e}");
    assert!(!e.contains("hunter2"), "{e}");

    let number_whole = SecretString::from("42");
    assert!(edit_secret(&number_whole, &key(true), "n").is_err());
    assert_eq!(
        edit_secret(&number_whole, &key(false), "n")
            .unwrap()
            .expose(),
        "n"
    );
}

#[test]
fn another_key_can_be_named() {
    let v = SecretString::from(r#"{"endpoint":"a","password":"x"}"#);
    let k = EndpointKey {
        name: "endpoint".into(),
        explicit: true,
    };
    assert_eq!(
        edit_secret(&v, &k, "b").unwrap().expose(),
        r#"{"endpoint":"b","password":"x"}"#
    );
}

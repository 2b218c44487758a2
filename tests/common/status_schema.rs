//! `drconsole status --json` against its published schema, `assets/status.schema.json`, and
//! against the enum shapes serde would write by default (`{"Ok": ...}`, `{"Known": 7}`).
#![allow(dead_code)]

use serde_json::Value;

pub fn schema() -> Value {
    serde_json::from_str(include_str!("../../assets/status.schema.json"))
        .expect("assets/status.schema.json is JSON")
}

/// The schema's complaints about `status`, one line each (empty when it conforms).
pub fn violations(status: &Value) -> Vec<String> {
    let schema = schema();
    let validator =
        jsonschema::draft202012::new(&schema).expect("the schema is a valid 2020-12 schema");
    validator
        .iter_errors(status)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect()
}

/// Keys that start with a capital letter: the mark of serde's externally tagged enums
/// (`Ok`, `Err`, `Known`, `Replica`, ...). Every key of the schema is snake_case.
pub fn enum_wrappers(v: &Value, at: &str, found: &mut Vec<String>) {
    match v {
        Value::Object(map) => {
            for (k, v) in map {
                let here = format!("{at}/{k}");
                if k.starts_with(|c: char| c.is_ascii_uppercase()) {
                    found.push(here.clone());
                }
                enum_wrappers(v, &here, found);
            }
        }
        Value::Array(items) => {
            for (i, v) in items.iter().enumerate() {
                enum_wrappers(v, &format!("{at}/{i}"), found);
            }
        }
        _ => {}
    }
}

/// Panics, saying where, unless `status` conforms to the schema and has no enum wrapper.
pub fn assert_conforms(status: &Value) {
    let problems = violations(status);
    assert!(
        problems.is_empty(),
        "status --json does not match assets/status.schema.json:\n{}\n{status:#}",
        problems.join("\n")
    );
    let mut wrappers = Vec::new();
    enum_wrappers(status, "", &mut wrappers);
    assert!(
        wrappers.is_empty(),
        "enum wrappers in status --json: {wrappers:?}\n{status:#}"
    );
    assert_eq!(status["schema_version"], 3);
}

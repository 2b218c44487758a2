//! Refusing control characters anywhere in the file, with the dotted key path they sit at.

use super::{Failure, fail};
use crate::config::error::segment;

fn join(path: &str, key: &str) -> String {
    if path.is_empty() {
        segment(key)
    } else {
        format!("{path}.{}", segment(key))
    }
}

fn control_message(where_: &str, text: &str) -> Option<String> {
    let (at, c) = text.chars().enumerate().find(|(_, c)| c.is_control())?;
    Some(format!(
        "expected no control characters {where_}, found U+{:04X} at character {} (AWS names \
         never contain one, and printed to a terminal it can rewrite the screen)",
        c as u32,
        at + 1
    ))
}

/// Refuses a control character (C0, DEL or C1; tab and newline included) in any key or
/// string of the file, wherever it is, including sections the typed checks know nothing about.
pub fn control_characters(root: &toml::Table) -> Result<(), Failure> {
    fn value(path: &str, v: &toml::Value) -> Result<(), Failure> {
        match v {
            toml::Value::String(s) => match control_message("in a value", s) {
                Some(m) => fail(path, m),
                None => Ok(()),
            },
            toml::Value::Array(items) => items
                .iter()
                .enumerate()
                .try_for_each(|(i, item)| value(&format!("{path}[{i}]"), item)),
            toml::Value::Table(t) => table(path, t),
            _ => Ok(()),
        }
    }
    fn table(path: &str, t: &toml::Table) -> Result<(), Failure> {
        for (k, v) in t {
            let here = join(path, k);
            if let Some(m) = control_message("in a key", k) {
                return fail(here, m);
            }
            value(&here, v)?;
        }
        Ok(())
    }
    table("", root)
}

//! Where the database endpoint sits in a stored value, and how a new one is written into it
//! without damaging the rest: the same rules for the AWS backend and the simulator.
//!
//! A secret whose value is a JSON object holds the endpoint under one key
//! (`[database] endpoint_secret_key`, default `host`); only that key changes and every other
//! key keeps its value, its type and its place. Any other secret value is replaced whole,
//! unless `endpoint_secret_key` was written explicitly, which says the value must be a JSON
//! object. An SSM parameter holds the endpoint whole. A secret value is never part of any
//! text built here: what is wrong is said with the key names and JSON types only.

use serde::de::{MapAccess, Visitor};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::config::Estate;
use crate::model::{REDACTED, SecretString};

/// The key of a JSON secret that holds the endpoint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EndpointKey {
    pub name: String,
    /// Written in the estate file: the secret must then be a JSON object.
    pub explicit: bool,
}

pub const DEFAULT_KEY: &str = "host";

/// The error code of a write refused before anything was changed: the stored value cannot
/// take the endpoint without damage (the backend checked again just before the write).
pub const NOT_EDITABLE: &str = "EndpointNotWritable";

impl EndpointKey {
    pub fn of(estate: &Estate) -> EndpointKey {
        match estate
            .database
            .as_ref()
            .and_then(|d| d.endpoint_secret_key.as_ref())
        {
            Some(k) => EndpointKey {
                name: k.clone(),
                explicit: true,
            },
            None => EndpointKey {
                name: DEFAULT_KEY.into(),
                explicit: false,
            },
        }
    }
}

/// A stored endpoint as read back.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredEndpoint {
    /// The JSON key holding the endpoint, `None` when the value is the endpoint whole.
    pub key: Option<String>,
    /// What is there now, or why no endpoint can be written into this value (never the value).
    pub endpoint: Result<Option<SecretString>, String>,
    /// Whether what is there may be shown: a JSON key's host name, an SSM `String`
    /// parameter. A whole secret or a SecureString may hold anything, a password included.
    pub showable: bool,
}

impl StoredEndpoint {
    /// An SSM parameter: its whole value; a `SecureString` is not shown.
    pub fn parameter(value: String, secure: bool) -> StoredEndpoint {
        StoredEndpoint {
            key: None,
            endpoint: Ok(Some(SecretString::from(value))),
            showable: !secure,
        }
    }

    /// Whether the endpoint stored is `endpoint`.
    pub fn holds(&self, endpoint: &str) -> bool {
        matches!(&self.endpoint, Ok(Some(v)) if v.expose() == endpoint)
    }

    /// For a plan or a log: `host=db.example.com`, `‹redacted›`, or `host unset`. A value
    /// that is not shown is shown all the same when it is `endpoint` (an endpoint is no secret).
    pub fn shown(&self, endpoint: &str) -> String {
        let value = match &self.endpoint {
            Err(_) => "cannot be written".to_string(),
            Ok(None) => "unset".to_string(),
            Ok(Some(v)) if self.showable || v.expose() == endpoint => v.expose().clone(),
            Ok(Some(_)) => REDACTED.to_string(),
        };
        match &self.key {
            Some(k) => format!("{k}={value}"),
            None => value,
        }
    }
}

/// The top-level entries of a JSON object, in the order written.
struct Entries(Vec<(String, Value)>);

impl<'de> Deserialize<'de> for Entries {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Entries;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a JSON object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut m: A) -> Result<Entries, A::Error> {
                let mut v = Vec::new();
                while let Some((k, val)) = m.next_entry::<String, Value>()? {
                    v.push((k, val));
                }
                Ok(Entries(v))
            }
        }
        d.deserialize_map(V)
    }
}

impl Serialize for Entries {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut m = s.serialize_map(Some(self.0.len()))?;
        for (k, v) in &self.0 {
            m.serialize_entry(k, v)?;
        }
        m.end()
    }
}

fn type_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// What the secret's value is, for the endpoint.
enum Shape {
    /// A JSON object: its entries in order.
    Object(Entries),
    /// Anything else: replaced whole.
    Whole,
}

fn shape(value: &SecretString, key: &EndpointKey) -> Result<Shape, String> {
    let text = value.expose();
    if let Ok(e) = serde_json::from_str::<Entries>(text) {
        return Ok(Shape::Object(e));
    }
    // The JSON type only: a parse error can quote the text it failed on.
    let parsed = serde_json::from_str::<Value>(text).ok();
    match (parsed, key.explicit) {
        (Some(v @ Value::Array(_)), _) => Err(format!(
            "the secret's value is JSON ({}), not an object with the key {:?}",
            type_name(&v),
            key.name
        )),
        (None, true) if text.trim_start().starts_with('{') => Err(format!(
            "endpoint_secret_key = {:?} is set but the secret's value is not valid JSON \
             (it looks like a damaged JSON object)",
            key.name
        )),
        (Some(v), true) => Err(format!(
            "endpoint_secret_key = {:?} is set but the secret's value is JSON {}, not an object",
            key.name,
            type_name(&v)
        )),
        (None, true) => Err(format!(
            "endpoint_secret_key = {:?} is set but the secret's value is not JSON",
            key.name
        )),
        (_, false) if text.trim_start().starts_with('{') => Err(
            "the secret's value looks like a JSON object but is not valid JSON: it is not \
             replaced whole, which would lose its other keys"
                .to_string(),
        ),
        (_, false) => Ok(Shape::Whole),
    }
}

fn keys_of(e: &Entries) -> String {
    let names: Vec<&str> = e.0.iter().map(|(k, _)| k.as_str()).collect();
    if names.is_empty() {
        "none".into()
    } else {
        names.join(", ")
    }
}

/// Where the endpoint sits in a secret's value, and what is there now.
pub fn locate_in_secret(value: &SecretString, key: &EndpointKey) -> StoredEndpoint {
    match shape(value, key) {
        Err(why) => StoredEndpoint {
            key: Some(key.name.clone()),
            endpoint: Err(why),
            showable: false,
        },
        Ok(Shape::Whole) => StoredEndpoint {
            key: None,
            endpoint: Ok(Some(value.clone())),
            showable: false,
        },
        Ok(Shape::Object(e)) => {
            let found = e.0.iter().rev().find(|(k, _)| k == &key.name);
            let endpoint = match found {
                None => Err(format!(
                    "the secret is a JSON object without the key {:?} (its keys: {}); set \
                     [database] endpoint_secret_key to the key that holds the host",
                    key.name,
                    keys_of(&e)
                )),
                Some((_, Value::String(s))) => Ok(Some(SecretString::from(s.clone()))),
                Some((_, v)) => Err(format!(
                    "the secret's key {:?} holds {}, not a host name",
                    key.name,
                    type_name(v)
                )),
            };
            StoredEndpoint {
                key: Some(key.name.clone()),
                endpoint,
                showable: true,
            }
        }
    }
}

/// The secret's value with the endpoint written in: the key changed and everything else kept,
/// or the whole value replaced. Refused, with the reason, where [`locate_in_secret`] refuses.
pub fn edit_secret(
    value: &SecretString,
    key: &EndpointKey,
    endpoint: &str,
) -> Result<SecretString, String> {
    locate_in_secret(value, key).endpoint?;
    match shape(value, key)? {
        Shape::Whole => Ok(SecretString::from(endpoint)),
        Shape::Object(mut e) => {
            for (k, v) in e.0.iter_mut() {
                if k == &key.name {
                    *v = Value::String(endpoint.to_string());
                }
            }
            serde_json::to_string(&e)
                .map(SecretString::from)
                .map_err(|_| "the edited secret could not be written as JSON".to_string())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
}

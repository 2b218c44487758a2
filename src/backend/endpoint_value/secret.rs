//! Where the endpoint sits in a secret's value, and the value with a new endpoint written in.

use serde_json::Value;

use super::entries::{Entries, type_name};
use super::{EndpointKey, StoredEndpoint};
use crate::model::SecretString;

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

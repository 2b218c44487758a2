//! The JSON of `terraform show -json`: the resources of the root module and every child module,
//! and, from the configuration, the provider configuration each uses and the region it sets.

use std::collections::BTreeMap;

use serde_json::{Map, Value};

use super::raw::provider_key;
use super::{Origin, TfResource};

pub(super) fn from_show_json(obj: &Map<String, Value>, file: &str) -> Vec<TfResource> {
    let mut out = Vec::new();
    // The configuration, when present, says which provider configuration each root resource
    // uses and which region each provider configuration sets.
    let config = obj.get("configuration");
    let mut provider_of: BTreeMap<String, String> = BTreeMap::new();
    let mut region_of: BTreeMap<String, String> = BTreeMap::new();
    if let Some(cfg) = config {
        if let Some(pc) = cfg.get("provider_config").and_then(Value::as_object) {
            for (key, p) in pc {
                if let Some(r) = p
                    .pointer("/expressions/region/constant_value")
                    .and_then(Value::as_str)
                {
                    region_of.insert(config_key(key), r.to_string());
                }
            }
        }
        collect_config(cfg.get("root_module"), "", &mut provider_of);
    }
    if let Some(root) = obj.get("values").and_then(|v| v.get("root_module")) {
        walk_module(root, file, &provider_of, &region_of, &mut out);
    }
    out
}

/// `module.dr:aws.west` (a module's own provider) → `aws.west`.
fn config_key(key: &str) -> String {
    key.rsplit(':').next().unwrap_or(key).to_string()
}

fn collect_config(module: Option<&Value>, prefix: &str, into: &mut BTreeMap<String, String>) {
    let Some(m) = module else { return };
    for r in m
        .get("resources")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        if let (Some(addr), Some(key)) = (
            r.get("address").and_then(Value::as_str),
            r.get("provider_config_key").and_then(Value::as_str),
        ) {
            into.insert(format!("{prefix}{addr}"), config_key(key));
        }
    }
    if let Some(calls) = m.get("module_calls").and_then(Value::as_object) {
        for (name, call) in calls {
            collect_config(call.get("module"), &format!("{prefix}module.{name}."), into);
        }
    }
}

fn walk_module(
    module: &Value,
    file: &str,
    provider_of: &BTreeMap<String, String>,
    region_of: &BTreeMap<String, String>,
    out: &mut Vec<TfResource>,
) {
    for r in module
        .get("resources")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        if r.get("mode").and_then(Value::as_str) != Some("managed") {
            continue;
        }
        let (Some(address), Some(kind), Some(values)) = (
            r.get("address").and_then(Value::as_str),
            r.get("type").and_then(Value::as_str),
            r.get("values").and_then(Value::as_object),
        ) else {
            continue;
        };
        // The configuration names resources without their index and without module indexes.
        let unindexed = strip_indexes(address);
        let provider = provider_of.get(&unindexed).cloned().unwrap_or_else(|| {
            provider_key(r.get("provider_name").and_then(Value::as_str).unwrap_or(""))
        });
        let region = region_of.get(&provider).cloned();
        out.push(TfResource {
            address: address.to_string(),
            kind: kind.to_string(),
            values: values.clone(),
            provider,
            region,
            file: file.to_string(),
            origin: Origin::Terraform,
        });
    }
    for child in module
        .get("child_modules")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        walk_module(child, file, provider_of, region_of, out);
    }
}

/// `module.a["x"].aws_thing.b[0]` → `module.a.aws_thing.b`.
pub(super) fn strip_indexes(address: &str) -> String {
    let mut out = String::new();
    let mut depth = 0usize;
    let mut quoted = false;
    for c in address.chars() {
        match c {
            '"' if depth > 0 => quoted = !quoted,
            '[' if !quoted => depth += 1,
            ']' if !quoted => depth = depth.saturating_sub(1),
            _ if depth == 0 => out.push(c),
            _ => {}
        }
    }
    out
}

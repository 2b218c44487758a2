//! A raw `terraform.tfstate` (version 4): each managed resource's instances, addressed as
//! Terraform addresses them, with the provider configuration each uses.

use serde_json::{Map, Value};

use super::{Origin, StateError, TfResource};

pub(super) fn from_raw_v4(
    obj: &Map<String, Value>,
    file: &str,
) -> Result<Vec<TfResource>, StateError> {
    let mut out = Vec::new();
    let resources = match obj.get("resources") {
        None | Some(Value::Null) => return Ok(out),
        Some(Value::Array(a)) => a,
        Some(_) => {
            return Err(StateError(format!(
                "{file}: `resources` is not a list (a damaged terraform.tfstate?)"
            )));
        }
    };
    for r in resources {
        if r.get("mode").and_then(Value::as_str) != Some("managed") {
            continue;
        }
        let (Some(kind), Some(name)) = (
            r.get("type").and_then(Value::as_str),
            r.get("name").and_then(Value::as_str),
        ) else {
            continue;
        };
        let module = r.get("module").and_then(Value::as_str);
        let provider = provider_key(r.get("provider").and_then(Value::as_str).unwrap_or(""));
        let base = match module {
            Some(m) if !m.is_empty() => format!("{m}.{kind}.{name}"),
            _ => format!("{kind}.{name}"),
        };
        for inst in r
            .get("instances")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            let Some(values) = inst.get("attributes").and_then(Value::as_object) else {
                continue;
            };
            let address = match inst.get("index_key") {
                Some(Value::Number(n)) => format!("{base}[{n}]"),
                Some(Value::String(s)) => format!("{base}[\"{s}\"]"),
                _ => base.clone(),
            };
            out.push(TfResource {
                address,
                kind: kind.to_string(),
                values: values.clone(),
                provider: provider.clone(),
                region: None,
                file: file.to_string(),
                origin: Origin::Terraform,
            });
        }
    }
    Ok(out)
}

/// `provider["registry.terraform.io/hashicorp/aws"].west` → `aws.west`.
pub(super) fn provider_key(raw: &str) -> String {
    let (inside, alias) = match (raw.find("[\""), raw.find("\"]")) {
        (Some(a), Some(b)) if b > a => (&raw[a + 2..b], raw[b + 2..].trim_start_matches('.')),
        _ => (raw, ""),
    };
    let name = inside.rsplit('/').next().unwrap_or(inside);
    if alias.is_empty() {
        name.to_string()
    } else {
        format!("{name}.{alias}")
    }
}

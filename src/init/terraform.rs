//! Terraform state as `init` reads it: the JSON of `terraform show -json` (format 1.x), or a
//! raw `terraform.tfstate` (version 4), with every module and child module flattened into one
//! list of managed resources, each with its address, attributes and the region it lives in.
//!
//! The region of a resource comes from, in order: its `region` attribute (AWS provider 6), its
//! ARN, the region its provider configuration sets (`show -json` keeps it), what the other
//! resources of the same provider (alias) say, an Auto Scaling group's zones.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{Map, Value};

/// One managed resource instance of a state file.
#[derive(Debug, Clone, PartialEq)]
pub struct TfResource {
    /// `module.dr.aws_db_instance.replica`, `aws_ecs_service.api["web"]`.
    pub address: String,
    /// `aws_db_instance`.
    pub kind: String,
    pub values: Map<String, Value>,
    /// The provider configuration: `aws`, or `aws.west` for an alias.
    pub provider: String,
    pub region: Option<String>,
    /// The state file it came from, as the user named it; for a resource found in AWS, the
    /// source that found it (`tag app=orders`, `stack orders in us-east-1`).
    pub file: String,
    pub origin: Origin,
}

/// Where a resource was found: a Terraform state, or AWS itself (by tag or in a stack), whose
/// values are then what AWS answered, written with Terraform's attribute names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Origin {
    #[default]
    Terraform,
    Aws,
}

impl TfResource {
    pub fn str(&self, key: &str) -> Option<&str> {
        self.values
            .get(key)
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty())
    }
    pub fn u64(&self, key: &str) -> Option<u64> {
        self.values.get(key).and_then(Value::as_u64)
    }
    /// A nested block (Terraform writes blocks as lists of one object).
    pub fn block(&self, key: &str) -> Option<&Map<String, Value>> {
        match self.values.get(key)? {
            Value::Array(a) => a.first().and_then(Value::as_object),
            Value::Object(o) => Some(o),
            _ => None,
        }
    }
    pub fn strings(&self, key: &str) -> Vec<String> {
        match self.values.get(key) {
            Some(Value::Array(a)) => a
                .iter()
                .filter_map(Value::as_str)
                .map(str::to_string)
                .collect(),
            _ => Vec::new(),
        }
    }
    /// `tags.Name`, when it has one.
    pub fn tag(&self, key: &str) -> Option<&str> {
        self.values
            .get("tags")
            .and_then(Value::as_object)
            .and_then(|t| t.get(key))
            .and_then(Value::as_str)
    }
}

/// Why a file is not read: one line, naming the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StateError(pub String);

impl std::fmt::Display for StateError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// Parses one state file's text; `file` names it in errors and provenance.
pub fn parse(text: &str, file: &str) -> Result<Vec<TfResource>, StateError> {
    let not_state = || {
        StateError(format!(
            "{file} is not Terraform state: expected the JSON of `terraform show -json` or a \
             terraform.tfstate file"
        ))
    };
    let doc: Value = serde_json::from_str(text).map_err(|_| not_state())?;
    let Some(obj) = doc.as_object() else {
        return Err(not_state());
    };
    let mut out = if let Some(fv) = obj.get("format_version") {
        if obj.contains_key("planned_values") || obj.contains_key("resource_changes") {
            return Err(StateError(format!(
                "{file} is a Terraform plan, not state: run `terraform show -json` without a \
                 plan file"
            )));
        }
        let fv = fv.as_str().unwrap_or("?");
        if fv.split('.').next() != Some("1") {
            return Err(StateError(format!(
                "{file}: `terraform show -json` format version {fv} is not read (drconsole \
                 reads 1.x)"
            )));
        }
        from_show_json(obj, file)
    } else if let Some(v) = obj.get("version") {
        if !(obj.contains_key("lineage") || obj.contains_key("terraform_version")) {
            return Err(not_state());
        }
        match v.as_u64() {
            Some(4) => from_raw_v4(obj, file)?,
            Some(n) => {
                return Err(StateError(format!(
                    "{file}: terraform.tfstate version {n} is not read (drconsole reads \
                     version 4, Terraform 0.12 and later); run `terraform show -json` with a \
                     current Terraform"
                )));
            }
            None => return Err(not_state()),
        }
    } else {
        return Err(not_state());
    };
    infer_regions(&mut out);
    Ok(out)
}

fn from_raw_v4(obj: &Map<String, Value>, file: &str) -> Result<Vec<TfResource>, StateError> {
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
fn provider_key(raw: &str) -> String {
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

fn from_show_json(obj: &Map<String, Value>, file: &str) -> Vec<TfResource> {
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
fn strip_indexes(address: &str) -> String {
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

/// The region of an ARN, when it is one and names one.
pub fn arn_region(arn: &str) -> Option<&str> {
    let mut parts = arn.split(':');
    (parts.next() == Some("arn"))
        .then(|| parts.nth(2))
        .flatten()
        .filter(|r| !r.is_empty())
}

/// What a resource's own attributes say about its region.
fn own_region(r: &TfResource) -> Option<String> {
    if let Some(region) = r.str("region") {
        return Some(region.to_string());
    }
    for key in ["arn", "id"] {
        if let Some(region) = r.str(key).and_then(arn_region) {
            return Some(region.to_string());
        }
    }
    // An Auto Scaling group's zones: `us-east-1a` → `us-east-1`.
    let zones = r.strings("availability_zones");
    if let Some(z) = zones.first() {
        let region = z.trim_end_matches(|c: char| c.is_ascii_lowercase());
        if region.len() < z.len() && region.ends_with(|c: char| c.is_ascii_digit()) {
            return Some(region.to_string());
        }
    }
    None
}

fn infer_regions(resources: &mut [TfResource]) {
    let mut by_provider: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for r in resources.iter_mut() {
        if r.kind.starts_with("aws_route53_") {
            // Route 53 is global: its ARNs name no region and its provider's region is moot.
            r.region = None;
            continue;
        }
        if let Some(region) = own_region(r) {
            r.region = Some(region);
        }
        if let Some(region) = &r.region {
            by_provider
                .entry(format!("{}\u{0}{}", r.file, r.provider))
                .or_default()
                .insert(region.clone());
        }
    }
    for r in resources.iter_mut() {
        if r.region.is_some() || r.kind.starts_with("aws_route53_") {
            continue;
        }
        if let Some(set) = by_provider.get(&format!("{}\u{0}{}", r.file, r.provider))
            && set.len() == 1
        {
            r.region = set.iter().next().cloned();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_raw_v4_state_with_modules_counts_and_aliases() {
        let text = r#"{"version":4,"terraform_version":"1.9.5","serial":3,"lineage":"x",
          "resources":[
            {"module":"module.dr","mode":"managed","type":"aws_db_instance","name":"replica",
             "provider":"provider[\"registry.terraform.io/hashicorp/aws\"].west",
             "instances":[{"attributes":{"identifier":"db-replica",
               "arn":"arn:aws:rds:us-west-2:123456789012:db:db-replica"}}]},
            {"module":"module.dr","mode":"managed","type":"aws_ecs_cluster","name":"c",
             "provider":"provider[\"registry.terraform.io/hashicorp/aws\"].west",
             "instances":[{"attributes":{"name":"c"}}]},
            {"mode":"data","type":"aws_region","name":"r","provider":"provider[\"x/aws\"]",
             "instances":[{"attributes":{"name":"us-east-1"}}]},
            {"mode":"managed","type":"aws_autoscaling_group","name":"g",
             "provider":"provider[\"registry.terraform.io/hashicorp/aws\"]",
             "instances":[{"index_key":0,"attributes":{"name":"g0","availability_zones":["us-east-1a"]}},
                          {"index_key":"b","attributes":{"name":"gb","arn":"arn:aws:autoscaling:us-east-1:1:autoScalingGroup:x"}}]}
          ]}"#;
        let rs = parse(text, "s.tfstate").expect("parsed");
        let addrs: Vec<_> = rs.iter().map(|r| r.address.as_str()).collect();
        assert_eq!(
            addrs,
            [
                "module.dr.aws_db_instance.replica",
                "module.dr.aws_ecs_cluster.c",
                "aws_autoscaling_group.g[0]",
                "aws_autoscaling_group.g[\"b\"]"
            ]
        );
        assert_eq!(rs[0].provider, "aws.west");
        assert_eq!(rs[0].region.as_deref(), Some("us-west-2"));
        // No ARN of its own: the region the alias's other resources are in.
        assert_eq!(rs[1].region.as_deref(), Some("us-west-2"));
        assert_eq!(rs[2].region.as_deref(), Some("us-east-1"));
        assert_eq!(rs[2].provider, "aws");
    }

    #[test]
    fn show_json_takes_regions_from_provider_configuration() {
        let text = r#"{"format_version":"1.0","terraform_version":"1.9.5",
          "values":{"root_module":{"resources":[
             {"address":"aws_ecs_cluster.dr","mode":"managed","type":"aws_ecs_cluster","name":"dr",
              "provider_name":"registry.terraform.io/hashicorp/aws","values":{"name":"dr"}}],
            "child_modules":[{"address":"module.db","resources":[
             {"address":"module.db.aws_db_instance.main","mode":"managed","type":"aws_db_instance",
              "name":"main","provider_name":"registry.terraform.io/hashicorp/aws",
              "values":{"identifier":"main","arn":"arn:aws:rds:us-east-1:1:db:main"}}]}]}},
          "configuration":{"provider_config":{
              "aws":{"name":"aws","expressions":{"region":{"constant_value":"us-east-1"}}},
              "aws.dr":{"name":"aws","alias":"dr","expressions":{"region":{"constant_value":"us-west-2"}}}},
            "root_module":{"resources":[{"address":"aws_ecs_cluster.dr","provider_config_key":"aws.dr"}]}}}"#;
        let rs = parse(text, "show.json").expect("parsed");
        assert_eq!(rs.len(), 2);
        assert_eq!(rs[0].provider, "aws.dr");
        assert_eq!(rs[0].region.as_deref(), Some("us-west-2"));
        assert_eq!(rs[1].address, "module.db.aws_db_instance.main");
        assert_eq!(rs[1].region.as_deref(), Some("us-east-1"));
    }

    #[test]
    fn what_is_not_state_is_one_line_naming_the_file() {
        for (text, words) in [
            ("not json", &["x.json is not Terraform state"][..]),
            ("[1,2]", &["is not Terraform state"]),
            (r#"{"name":"orders"}"#, &["is not Terraform state"]),
            (
                r#"{"version":3,"lineage":"x","modules":[]}"#,
                &["version 3 is not read", "version 4"],
            ),
            (
                r#"{"format_version":"2.0","values":{}}"#,
                &["format version 2.0 is not read"],
            ),
            (
                r#"{"format_version":"1.2","planned_values":{}}"#,
                &["is a Terraform plan"],
            ),
        ] {
            let e = parse(text, "x.json").expect_err(text);
            assert!(!e.0.contains('\n'), "{e}");
            for w in words {
                assert!(e.0.contains(w), "{w} not in {e}");
            }
        }
    }

    #[test]
    fn an_empty_state_has_no_resources() {
        let rs = parse(
            r#"{"version":4,"terraform_version":"1.9.5","serial":1,"lineage":"x","resources":[]}"#,
            "e",
        )
        .expect("parsed");
        assert!(rs.is_empty());
        let rs =
            parse(r#"{"format_version":"1.0","terraform_version":"1.9"}"#, "e").expect("parsed");
        assert!(rs.is_empty());
    }

    #[test]
    fn indexes_are_stripped_for_configuration_lookups() {
        assert_eq!(
            strip_indexes("module.a[\"x]\"].aws_thing.b[0]"),
            "module.a.aws_thing.b"
        );
        assert_eq!(
            provider_key("provider[\"registry.terraform.io/hashicorp/aws\"]"),
            "aws"
        );
    }
}

//! Terraform state as `init` reads it: the JSON of `terraform show -json` (format 1.x), or a
//! raw `terraform.tfstate` (version 4), with every module and child module flattened into one
//! list of managed resources, each with its address, attributes and the region it lives in.
//!
//! The region of a resource comes from, in order: its `region` attribute (AWS provider 6), its
//! ARN, the region its provider configuration sets (`show -json` keeps it), what the other
//! resources of the same provider (alias) say, an Auto Scaling group's zones.

mod raw;
mod region;
mod resource;
mod show;
#[cfg(test)]
mod tests;

pub use region::arn_region;
pub use resource::{Origin, TfResource};

use serde_json::Value;

use raw::from_raw_v4;
use region::infer_regions;
use show::from_show_json;

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

//! The region of each resource: its own attributes (`region`, an ARN, an Auto Scaling group's
//! zones), else what the other resources of the same provider configuration say.

use std::collections::{BTreeMap, BTreeSet};

use super::TfResource;

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

pub(super) fn infer_regions(resources: &mut [TfResource]) {
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

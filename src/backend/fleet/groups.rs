//! Region groups and Route 53 groups: which estate sides are read together.

use std::collections::BTreeMap;

use crate::config::Estate;
use crate::model::Side;

/// One estate's side in a region group.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Member {
    /// Index of the estate in the fleet.
    pub estate: usize,
    pub side: Side,
}

/// The estate sides that share a profile, a region and an endpoint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegionGroup {
    /// `us-east-1 profile prod via http://…`, for people.
    pub label: String,
    pub members: Vec<Member>,
}

/// What groups estate sides together: the region, the profile, the endpoint.
pub fn group_key(estate: &Estate, side: Side) -> (String, Option<String>, Option<String>) {
    let r = estate.region(side);
    (
        r.region.to_string(),
        r.profile.clone(),
        r.endpoint_url.clone(),
    )
}

/// Groups every side of `estates` by [`group_key`], in order of first appearance.
pub fn region_groups(estates: &[Estate]) -> Vec<RegionGroup> {
    let mut order: Vec<(String, Option<String>, Option<String>)> = Vec::new();
    let mut members: BTreeMap<usize, Vec<Member>> = BTreeMap::new();
    for (i, e) in estates.iter().enumerate() {
        for side in Side::BOTH {
            let key = group_key(e, side);
            let at = match order.iter().position(|k| *k == key) {
                Some(at) => at,
                None => {
                    order.push(key);
                    order.len() - 1
                }
            };
            members
                .entry(at)
                .or_default()
                .push(Member { estate: i, side });
        }
    }
    order
        .into_iter()
        .enumerate()
        .map(|(at, (region, profile, endpoint))| {
            let mut label = region;
            if let Some(p) = profile {
                label.push_str(&format!(" profile {p}"));
            }
            if let Some(u) = endpoint {
                label.push_str(&format!(" via {u}"));
            }
            RegionGroup {
                label,
                members: members.remove(&at).unwrap_or_default(),
            }
        })
        .collect()
}

/// Estates whose Route 53 reads go through the same credentials and endpoint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GlobalGroup {
    /// `route53 profile prod via http://…`, for people.
    pub label: String,
    pub estates: Vec<usize>,
}

/// Groups the estates by their standby's profile and endpoint (Route 53 is global: the
/// region does not matter), in order of first appearance.
pub fn global_groups(estates: &[Estate]) -> Vec<GlobalGroup> {
    type Key = (Option<String>, Option<String>);
    let mut groups: Vec<(Key, GlobalGroup)> = Vec::new();
    for (i, e) in estates.iter().enumerate() {
        let r = e.region(Side::Standby);
        let key = (r.profile.clone(), r.endpoint_url.clone());
        match groups.iter_mut().find(|(k, _)| *k == key) {
            Some((_, g)) => g.estates.push(i),
            None => {
                let mut label = "route53".to_string();
                if let Some(p) = &key.0 {
                    label.push_str(&format!(" profile {p}"));
                }
                if let Some(u) = &key.1 {
                    label.push_str(&format!(" via {u}"));
                }
                groups.push((
                    key,
                    GlobalGroup {
                        label,
                        estates: vec![i],
                    },
                ));
            }
        }
    }
    groups.into_iter().map(|(_, g)| g).collect()
}

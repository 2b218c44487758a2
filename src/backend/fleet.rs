//! Several estates read together. Estates whose regions share credentials and an endpoint
//! (the same profile, region and `endpoint_url`) form one **region group**: a poll cycle reads
//! a group once, for every estate side in it, and splits the answer back per estate. On AWS
//! the group's calls are batched across its estates (`aws::AwsFleet`); elsewhere (the
//! simulator) each member is read on its own, through the same interface.
//!
//! Route 53 is global and reached with the standby's credentials: estates whose standbys share
//! a profile and an endpoint form one **Route 53 group**, read once per cycle for all of them
//! (each zone, health check and check configuration once, see `aws::route53_read`).

use std::collections::BTreeMap;
use std::sync::Arc;

use async_trait::async_trait;

use super::{Backend, BackendError};
use crate::config::Estate;
use crate::model::{GlobalReading, Parts, RegionReading, SectionError, Side};

/// What the fleet overview needs of every estate on every cycle: its rows and the posture
/// and readiness verdicts use the database and its lag, the ASGs and the alarms.
pub fn overview_parts() -> Parts {
    Parts::DATABASE | Parts::LAG | Parts::ASGS | Parts::ALARMS
}

/// What is read in turn (ECS services, target health): per estate, with no batched form.
pub fn rotated_parts() -> Parts {
    Parts::SERVICES | Parts::TARGETS
}

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

/// The fleet's reads: each estate's own backend (for runs, identities and Route 53), and
/// one read per region group for the poll.
#[async_trait]
pub trait FleetBackend: Send + Sync {
    /// The estate's own backend.
    fn backend(&self, estate: usize) -> Arc<dyn Backend>;
    fn groups(&self) -> &[RegionGroup];
    /// Every member of group `group`, in the group's member order.
    async fn read_group(&self, group: usize) -> Vec<Result<RegionReading, BackendError>> {
        let all = vec![Parts::REGION; self.groups().get(group).map_or(0, |g| g.members.len())];
        self.read_group_parts(group, &all).await
    }
    /// Member `i` of group `group` reads only `parts[i]`; a section not asked for is
    /// [`SectionError::not_read`]. A member asked for [`Parts::NONE`] is not read at all (its
    /// entry is an unread reading, to be ignored).
    async fn read_group_parts(
        &self,
        group: usize,
        parts: &[Parts],
    ) -> Vec<Result<RegionReading, BackendError>>;
    fn global_groups(&self) -> &[GlobalGroup];
    /// Route 53 of every estate of global group `group`, in the group's order. Without a
    /// shared read, each estate's own.
    async fn read_global_group(&self, group: usize) -> Vec<Result<GlobalReading, BackendError>> {
        let Some(g) = self.global_groups().get(group) else {
            return Vec::new();
        };
        let reads = g.estates.iter().map(|e| {
            let backend = self.backend(*e);
            async move { backend.read_global().await }
        });
        futures::future::join_all(reads).await
    }
}

/// Leaves only `parts` of a reading, the others not read (what a backend that reads
/// everything returns when asked for less).
pub fn keep_only(mut r: RegionReading, parts: Parts) -> RegionReading {
    let parts = parts.normalized();
    fn unread<T>() -> Result<T, SectionError> {
        Err(SectionError::not_read())
    }
    if !parts.contains(Parts::DATABASE) {
        r.database = r.database.map(|_| unread());
    }
    if !parts.contains(Parts::SERVICES) {
        r.services = unread();
    }
    if !parts.contains(Parts::ASGS) {
        r.asgs = unread();
    }
    if !parts.contains(Parts::TARGETS) {
        r.target_groups = unread();
    }
    if !parts.contains(Parts::ALARMS) {
        r.alarms = unread();
    }
    r
}

/// A fleet whose members are read one by one through their own backends (the simulator).
pub struct PerEstate {
    backends: Vec<Arc<dyn Backend>>,
    groups: Vec<RegionGroup>,
    global: Vec<GlobalGroup>,
}

impl PerEstate {
    pub fn new(estates: &[Estate], backends: Vec<Arc<dyn Backend>>) -> PerEstate {
        PerEstate {
            groups: region_groups(estates),
            global: global_groups(estates),
            backends,
        }
    }
}

#[async_trait]
impl FleetBackend for PerEstate {
    fn backend(&self, estate: usize) -> Arc<dyn Backend> {
        self.backends[estate].clone()
    }
    fn groups(&self) -> &[RegionGroup] {
        &self.groups
    }
    fn global_groups(&self) -> &[GlobalGroup] {
        &self.global
    }
    async fn read_group_parts(
        &self,
        group: usize,
        parts: &[Parts],
    ) -> Vec<Result<RegionReading, BackendError>> {
        let Some(g) = self.groups.get(group) else {
            return Vec::new();
        };
        let reads = g.members.iter().enumerate().map(|(i, m)| async move {
            let want = parts.get(i).copied().unwrap_or(Parts::REGION);
            let backend = &self.backends[m.estate];
            if want.is_empty() {
                return Ok(RegionReading::unread(false));
            }
            if want.contains(Parts::REGION) {
                return backend.read_region(m.side).await;
            }
            backend
                .read_parts(m.side, want)
                .await
                .map(|r| keep_only(r, want))
        });
        futures::future::join_all(reads).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn estate(name: &str, p: &str, s: &str, profile: Option<&str>) -> Estate {
        let profile = profile
            .map(|p| format!("profile = \"{p}\"\n"))
            .unwrap_or_default();
        let text = format!(
            "name = \"{name}\"\n[primary]\nregion = \"{p}\"\n{profile}[standby]\nregion = \"{s}\"\n{profile}"
        );
        Estate::parse(&text, "t.toml").expect("estate")
    }

    #[test]
    fn sides_with_the_same_region_profile_and_endpoint_share_a_group() {
        let estates = [
            estate("a", "us-east-1", "us-west-2", None),
            estate("b", "us-west-2", "us-east-1", None),
            estate("c", "us-east-1", "us-west-2", Some("other")),
        ];
        let groups = region_groups(&estates);
        let labels: Vec<&str> = groups.iter().map(|g| g.label.as_str()).collect();
        assert_eq!(
            labels,
            [
                "us-east-1",
                "us-west-2",
                "us-east-1 profile other",
                "us-west-2 profile other"
            ]
        );
        let m = |estate, side| Member { estate, side };
        assert_eq!(
            groups[0].members,
            [m(0, Side::Primary), m(1, Side::Standby)]
        );
        assert_eq!(
            groups[1].members,
            [m(0, Side::Standby), m(1, Side::Primary)]
        );
        assert_eq!(groups[2].members, [m(2, Side::Primary)]);
        // Route 53 by the standby's profile and endpoint only: a and b share it.
        let global = global_groups(&estates);
        let sets: Vec<(&str, &[usize])> = global
            .iter()
            .map(|g| (g.label.as_str(), g.estates.as_slice()))
            .collect();
        assert_eq!(
            sets,
            [
                ("route53", &[0usize, 1][..]),
                ("route53 profile other", &[2][..])
            ]
        );
    }

    #[test]
    fn keep_only_leaves_the_parts_asked_for_and_marks_the_others_not_read() {
        let mut r = RegionReading::unread(true);
        r.database = Some(Err(SectionError::new(crate::model::ErrorKind::Other, "x")));
        r.services = Ok(Vec::new());
        r.asgs = Ok(Vec::new());
        r.target_groups = Ok(Vec::new());
        r.alarms = Ok(Vec::new());
        let o = keep_only(r.clone(), overview_parts());
        assert_eq!(o.asgs, Ok(Vec::new()));
        assert_eq!(o.alarms, Ok(Vec::new()));
        assert_eq!(o.database, r.database);
        assert_eq!(o.services, Err(SectionError::not_read()));
        assert_eq!(o.target_groups, Err(SectionError::not_read()));
        let all = keep_only(r.clone(), Parts::REGION);
        assert_eq!(all, r);
    }
}

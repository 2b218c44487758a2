//! What one `init` has read already: a resource found by tag or in a stack is described once,
//! and confirming it reads that answer instead of asking AWS again seconds later.

use std::collections::BTreeMap;
use std::sync::Mutex;

use crate::config::Capacity;
use crate::init::confirm::{DbInstanceInfo, RecordInfo};
use crate::model::Side;

#[derive(Debug, Default)]
struct Inner {
    db: BTreeMap<(Side, String), Option<DbInstanceInfo>>,
    asgs: BTreeMap<(Side, String), Capacity>,
    checks: BTreeMap<String, bool>,
    zones: BTreeMap<String, Vec<RecordInfo>>,
}

#[derive(Debug, Default)]
pub(super) struct Cache(Mutex<Inner>);

impl Cache {
    fn with<T>(&self, f: impl FnOnce(&mut Inner) -> T) -> Option<T> {
        self.0.lock().ok().map(|mut i| f(&mut i))
    }

    /// `Some(None)`: read, and not there.
    pub fn db(&self, side: Side, id: &str) -> Option<Option<DbInstanceInfo>> {
        self.with(|i| i.db.get(&(side, id.to_string())).cloned())
            .flatten()
    }
    pub fn put_db(&self, side: Side, id: &str, found: Option<DbInstanceInfo>) {
        self.with(|i| i.db.insert((side, id.to_string()), found));
    }

    /// Every named group's capacity, when each was read already.
    pub fn asgs(&self, side: Side, names: &[String]) -> Option<Vec<(String, Capacity)>> {
        self.with(|i| {
            names
                .iter()
                .map(|n| i.asgs.get(&(side, n.clone())).map(|c| (n.clone(), *c)))
                .collect::<Option<Vec<_>>>()
        })
        .flatten()
    }
    pub fn put_asg(&self, side: Side, name: &str, cap: Capacity) {
        self.with(|i| i.asgs.insert((side, name.to_string()), cap));
    }

    pub fn check(&self, id: &str) -> Option<bool> {
        self.with(|i| i.checks.get(id).copied()).flatten()
    }
    pub fn put_check(&self, id: &str, exists: bool) {
        self.with(|i| i.checks.insert(id.to_string(), exists));
    }

    /// Every record of a zone, when the zone was read whole.
    pub fn zone(&self, zone: &str) -> Option<Vec<RecordInfo>> {
        self.with(|i| i.zones.get(zone).cloned()).flatten()
    }
    pub fn put_zone(&self, zone: &str, records: Vec<RecordInfo>) {
        self.with(|i| i.zones.insert(zone.to_string(), records));
    }
}

//! A fleet read member by member through each estate's own backend (the simulator).

use std::sync::Arc;

use async_trait::async_trait;

use super::{FleetBackend, GlobalGroup, RegionGroup, global_groups, keep_only, region_groups};
use crate::backend::{Backend, BackendError};
use crate::config::Estate;
use crate::model::{Parts, RegionReading};

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

//! The read-only calls `drconsole init` makes to confirm what the infrastructure code says.
//! Batched where AWS allows: ten ECS services per `DescribeServices`, fifty groups per
//! `DescribeAutoScalingGroups`, twenty target groups per `DescribeTargetGroups`, a hundred
//! alarms per `DescribeAlarms`. A secret's or parameter's value is compared here and dropped:
//! only whether it matched leaves this module.

mod cache;
mod capacity;
mod database;
mod exists;
mod find;
mod reader;
mod route53;
mod store;

use super::clients::{
    CallCounter, FinderClients, GlobalClients, RegionClients, finder_clients, global_clients,
    region_clients,
};
use crate::backend::BackendError;
use crate::config::{Estate, RegionConfig};
use crate::model::{ErrorKind, Side};

/// The clients `init` reads through, one set per region and Route 53's.
pub struct Discovery {
    primary: RegionClients,
    standby: RegionClients,
    global: GlobalClients,
    finders: [FinderClients; 2],
    counter: CallCounter,
    /// What was read once is not read again in the same `init` (a database found by tag is
    /// confirmed from the same answer).
    cache: cache::Cache,
}

impl Discovery {
    /// Clients for the two regions (each with its profile, the endpoint if any).
    pub async fn connect(
        primary: &RegionConfig,
        standby: &RegionConfig,
    ) -> Result<Discovery, String> {
        let estate = regions_only(primary, standby)?;
        let counter = CallCounter::default();
        let ((p, _), (s, _), (g, _), fp, fs) = futures::join!(
            region_clients(&estate, Side::Primary, &counter),
            region_clients(&estate, Side::Standby, &counter),
            global_clients(&estate, &counter),
            finder_clients(&estate, Side::Primary, &counter),
            finder_clients(&estate, Side::Standby, &counter)
        );
        Ok(Discovery {
            primary: p,
            standby: s,
            global: g,
            finders: [fp, fs],
            counter,
            cache: cache::Cache::default(),
        })
    }

    /// Every HTTP attempt so far, by operation (`ECS.DescribeServices`).
    pub fn calls(&self) -> std::collections::BTreeMap<String, u64> {
        self.counter.snapshot()
    }

    fn finder(&self, side: Side) -> &FinderClients {
        match side {
            Side::Primary => &self.finders[0],
            Side::Standby => &self.finders[1],
        }
    }

    fn of(&self, side: Side) -> &RegionClients {
        match side {
            Side::Primary => &self.primary,
            Side::Standby => &self.standby,
        }
    }
}

/// An estate of the two regions only: what the client builders take.
fn regions_only(primary: &RegionConfig, standby: &RegionConfig) -> Result<Estate, String> {
    let q = |s: &str| toml::Value::String(s.to_string()).to_string();
    let mut text = String::from("name = \"init\"\n");
    for (key, r) in [("primary", primary), ("standby", standby)] {
        text.push_str(&format!("[{key}]\nregion = {}\n", q(r.region.as_str())));
        if let Some(p) = &r.profile {
            text.push_str(&format!("profile = {}\n", q(p)));
        }
        if let Some(u) = &r.endpoint_url {
            text.push_str(&format!("endpoint_url = {}\n", q(u)));
        }
    }
    Estate::parse(&text, "init").map_err(|e| e.to_string())
}

fn not_found(e: &BackendError) -> bool {
    e.kind == ErrorKind::NotFound
}

fn clamp(v: Option<i32>) -> u32 {
    v.and_then(|v| u32::try_from(v).ok()).unwrap_or(0)
}

//! AWS backend on the official SDK crates.
//!
//! One client set per region (its profile, its endpoint, bounded timeouts); Route 53 goes through
//! the standby's configuration so that failover never depends on the failed region. A poll cycle
//! sends all of its calls at once and batches where AWS allows (ten ECS services per call, every
//! ASG in one call, every metric of a region in one `GetMetricData`). Each section of a reading
//! carries its own error; a region whose every call fails to connect is reported unreachable.

mod asg;
mod backend;
mod backup;
mod clients;
mod cloudwatch;
mod discover;
mod ecr;
mod ecs;
mod elb;
mod endpoint;
mod errors;
mod fleet;
mod iam;
mod lambda;
mod profile;
mod quotas;
mod rds;
mod read;
mod replicated;
mod route53;
mod s3;
mod sts;

pub use clients::CallCounter;
pub use clients::{conditional_write_retries, load_sdk_config};
pub use discover::Discovery;
pub use fleet::AwsFleet;
pub use iam::iam_policy;

use std::sync::Mutex;

use self::clients::{GlobalClients, RegionClients};
use crate::config::Estate;
use crate::model::{Identity, Scope, Side};

pub struct AwsBackend {
    estate: Estate,
    primary: RegionClients,
    standby: RegionClients,
    global: GlobalClients,
    /// The same clients with one attempt per call: every change goes through these.
    primary_changes: RegionClients,
    standby_changes: RegionClients,
    global_changes: GlobalClients,
    counters: [CallCounter; 3],
    mode: String,
    /// Each side's identity once read, until a call of that side fails on its credentials.
    identities: [Mutex<Option<Identity>>; 2],
    /// Each side's S3 and ECR reading, and when it was read (see `replicated`).
    replicated: [Mutex<Option<(std::time::Instant, crate::model::ReplicatedReading)>>; 2],
}

/// What the header shows: regions, profiles and endpoints (no network call needed).
fn mode_of(estate: &Estate) -> String {
    let region = |side: Side| {
        let r = estate.region(side);
        let mut s = r.region.to_string();
        match &r.profile {
            Some(p) => s.push_str(&format!(" profile {p}")),
            None => s.push_str(" default credentials"),
        }
        if let Some(url) = &r.endpoint_url {
            s.push_str(&format!(" via {url}"));
        }
        s
    };
    format!("AWS {} · {}", region(Side::Primary), region(Side::Standby))
}

impl AwsBackend {
    /// Builds the clients; makes no network call.
    pub async fn connect(estate: &Estate) -> color_eyre::Result<AwsBackend> {
        let counters: [CallCounter; 3] = Default::default();
        let ((primary, primary_changes), (standby, standby_changes), (global, global_changes)) = futures::join!(
            clients::region_clients(estate, Side::Primary, &counters[0]),
            clients::region_clients(estate, Side::Standby, &counters[1]),
            clients::global_clients(estate, &counters[2]),
        );
        Ok(AwsBackend {
            estate: estate.clone(),
            primary,
            standby,
            global,
            primary_changes,
            standby_changes,
            global_changes,
            counters,
            mode: mode_of(estate),
            identities: Default::default(),
            replicated: Default::default(),
        })
    }

    /// HTTP attempts made so far to a region (or to Route 53 for `Scope::Global`), by operation.
    pub fn calls(&self, scope: Scope) -> &CallCounter {
        match scope {
            Scope::Region(Side::Primary) => &self.counters[0],
            Scope::Region(Side::Standby) => &self.counters[1],
            Scope::Global => &self.counters[2],
        }
    }

    fn identity_cache(&self, side: Side) -> std::sync::MutexGuard<'_, Option<Identity>> {
        let i = match side {
            Side::Primary => 0,
            Side::Standby => 1,
        };
        self.identities[i].lock().unwrap_or_else(|p| p.into_inner())
    }

    /// A call of `side` failed on its credentials: they may be renewed or another's by the
    /// next read, so the identity is read again then.
    fn credentials_failed(&self, side: Side) {
        *self.identity_cache(side) = None;
    }

    fn clients(&self, side: Side) -> &RegionClients {
        match side {
            Side::Primary => &self.primary,
            Side::Standby => &self.standby,
        }
    }

    /// The clients that make changes in `side`: one attempt per call.
    fn changes(&self, side: Side) -> &RegionClients {
        match side {
            Side::Primary => &self.primary_changes,
            Side::Standby => &self.standby_changes,
        }
    }
}

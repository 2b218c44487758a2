//! AWS backend on the official SDK crates.
//!
//! One client set per region (its profile, its endpoint, bounded timeouts); Route 53 goes through
//! the standby's configuration so that failover never depends on the failed region. A poll cycle
//! sends all of its calls at once and batches where AWS allows (ten ECS services per call, every
//! ASG in one call, every metric of a region in one `GetMetricData`). Each section of a reading
//! carries its own error; a region whose every call fails to connect is reported unreachable.

mod act;
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
mod route53_read;
mod s3;
mod shared;
mod sts;

pub use clients::CallCounter;
pub use clients::{conditional_write_retries, load_sdk_config};
pub use discover::Discovery;
pub use fleet::AwsFleet;
pub use iam::iam_policy;
pub use shared::{CredentialSet, SharedReads};

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
    /// What this estate reads once with other estates: identities by credential set, and
    /// what is known of Route 53 zones (see `shared`).
    shared: std::sync::Arc<SharedReads>,
    /// Each side's credential set, the key of its identity in `shared`.
    credential_sets: [CredentialSet; 2],
    /// Each side's S3 and ECR reading, and when it was read (see `replicated`).
    replicated: [Mutex<Option<(std::time::Instant, crate::model::ReplicatedReading)>>; 2],
    /// Each side's task definition revisions and their sizes, once read (see `quotas`).
    task_sizes: [quotas::KnownSizes; 2],
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
    /// Builds the clients; makes no network call, and cannot fail: credentials are resolved,
    /// and refused, by the first call that needs them.
    pub async fn connect(estate: &Estate) -> AwsBackend {
        Self::connect_shared(estate, SharedReads::new()).await
    }

    /// Builds the clients of an estate that reads with others what they have in common.
    pub async fn connect_shared(
        estate: &Estate,
        shared: std::sync::Arc<SharedReads>,
    ) -> AwsBackend {
        let counters: [CallCounter; 3] = Default::default();
        let ((primary, primary_changes), (standby, standby_changes), (global, global_changes)) = futures::join!(
            clients::region_clients(estate, Side::Primary, &counters[0]),
            clients::region_clients(estate, Side::Standby, &counters[1]),
            clients::global_clients(estate, &counters[2]),
        );
        AwsBackend {
            estate: estate.clone(),
            primary,
            standby,
            global,
            primary_changes,
            standby_changes,
            global_changes,
            counters,
            mode: mode_of(estate),
            credential_sets: [
                CredentialSet::of(estate, Side::Primary),
                CredentialSet::of(estate, Side::Standby),
            ],
            shared,
            replicated: Default::default(),
            task_sizes: Default::default(),
        }
    }

    /// HTTP attempts made so far to a region (or to Route 53 for `Scope::Global`), by operation.
    pub fn calls(&self, scope: Scope) -> &CallCounter {
        match scope {
            Scope::Region(Side::Primary) => &self.counters[0],
            Scope::Region(Side::Standby) => &self.counters[1],
            Scope::Global => &self.counters[2],
        }
    }

    fn credential_set(&self, side: Side) -> &CredentialSet {
        match side {
            Side::Primary => &self.credential_sets[0],
            Side::Standby => &self.credential_sets[1],
        }
    }

    /// Who `side`'s credentials are, read once per credential set (see `shared`).
    async fn identity_of(&self, side: Side) -> Result<Identity, crate::backend::BackendError> {
        let c = self.clients(side);
        self.shared
            .identity(self.credential_set(side), sts::read_identity(c))
            .await
    }

    /// A call of `side` failed on its credentials: they may be renewed or another's by the
    /// next read, so the identity is read again then (by every estate using them).
    fn credentials_failed(&self, side: Side) {
        self.shared.forget(self.credential_set(side));
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

//! The run lock shared through DynamoDB: one item per estate in the `[coordination]` table
//! (partition key `estate`), reached in the table's own region (default: the standby), never
//! the primary's. The item is the [`Holder`]: who, since when, the lease (`lease_version`,
//! `expires_at` in epoch milliseconds) and the run's progress (JSON).
//!
//! - claim: `PutItem` if `attribute_not_exists(estate)`; when that fails, the item is read
//!   and, only if its lease expired and the operator typed its holder, or its holder is a
//!   dead process of this machine (a crashed run being resumed), written again on the
//!   condition `lease_version = :seen` (so that of two takers, one wins);
//! - renew: `UpdateItem` of the expiry and progress on `lease_version = :mine`, bumping it;
//! - release: `DeleteItem` on `lease_version = :mine`.
//!
//! The item's encoding and its consistent read are in [`item`]; the conditional writes in
//! [`claim`] and [`renew`].

mod claim;
mod item;
mod renew;

use std::time::Duration;

use aws_sdk_dynamodb::Client;

use super::Holder;
use crate::config::coordination::Coordination;
use crate::config::{Estate, RegionConfig};

pub(super) use item::{err_text, n, s};

/// One estate's item in the coordination table.
#[derive(Debug, Clone)]
pub struct Table {
    /// Conditional writes: one attempt each (see [`Table::connect`]).
    pub(super) client: Client,
    /// Consistent reads of the item, retried as reads are.
    pub(super) reads: Client,
    pub table: String,
    pub estate: String,
    /// Where the table is read: `drconsole-runs in us-west-2`.
    pub label: String,
}

/// How a claim ended.
#[derive(Debug)]
pub enum Claimed {
    /// The item was free: ours now.
    Fresh(Holder),
    /// An expired lease, taken over as the operator typed.
    TakenOver { now: Holder, from: Box<Holder> },
    /// Our own crashed process's lease (this machine, its process gone), claimed again.
    Reclaimed { now: Holder, from: Box<Holder> },
}

/// Why a claim did not succeed.
#[derive(Debug)]
pub enum ClaimError {
    Held { holder: Box<Holder>, expired: bool },
    Unreachable(String),
}

/// How a renewal succeeded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Renewed {
    /// This write was applied, and answered.
    Now,
    /// This write was applied, its answer lost: the item, read back, shows it.
    Resolved,
    /// An earlier write of this holder, whose answer was lost, had been applied: the item
    /// holds its version and expiry, which `mine` now carries.
    Earlier,
}

/// Why a renewal did not succeed.
#[derive(Debug)]
pub enum RenewError {
    /// The lease is no longer ours: another holder (if the item could be read) has it.
    Lost(Option<Box<Holder>>),
    /// The table did not answer (nothing known to be applied): try again.
    Unreachable(String),
    /// The write failed its condition and the item could not be read before `until`: whether
    /// the lease is still ours is unknown.
    Unresolved(String),
}

impl Table {
    /// The table's clients: its region (default the standby's), its profile (default the
    /// standby's), and the standby's `endpoint_url` when it has one (an emulator or a VPC
    /// endpoint reaches DynamoDB the way it reaches the standby). Each call is bounded by the
    /// estate's call timeout and a sixth of the lease, so that several renewals fit in one
    /// lease; writes are sent once ([`conditional_write_retries`]).
    ///
    /// [`conditional_write_retries`]: crate::backend::aws::conditional_write_retries
    pub async fn connect(estate: &Estate, c: &Coordination) -> Table {
        let region = c
            .region
            .clone()
            .unwrap_or_else(|| estate.standby.region.clone());
        let cfg = RegionConfig {
            region: region.clone(),
            profile: c.profile.clone().or_else(|| estate.standby.profile.clone()),
            endpoint_url: estate.standby.endpoint_url.clone(),
            account_id: None,
        };
        let lease = c.lease.map_or(super::LEASE, |l| l.0);
        let timeout = estate
            .call_timeout
            .0
            .min(lease / 6)
            .max(Duration::from_secs(1));
        let sdk = crate::backend::aws::load_sdk_config(&cfg, timeout).await;
        let build = |sdk: &aws_config::SdkConfig| {
            let mut b = aws_sdk_dynamodb::config::Builder::from(sdk);
            if let Some(url) = &cfg.endpoint_url {
                b = b.endpoint_url(url);
            }
            Client::from_conf(b.build())
        };
        let writes_cfg = sdk
            .to_builder()
            .retry_config(crate::backend::aws::conditional_write_retries())
            .build();
        Table {
            reads: build(&sdk),
            client: build(&writes_cfg),
            table: c.table.clone(),
            estate: estate.name.clone(),
            label: format!("{} in {}", c.table, region),
        }
    }
}

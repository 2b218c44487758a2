//! The run lock: one run per estate at a time, whoever starts it.
//!
//! - [`local`]: always. An advisory lock (`flock`) on a file in the state directory, so two
//!   consoles, or a console and `drconsole run`, on one machine cannot run at once. The
//!   operating system releases it when its process dies, so it never goes stale.
//! - [`dynamo`]: when the estate file has `[coordination]`. One item per estate in a DynamoDB
//!   table, claimed by a conditional write, kept by a lease the holder renews
//!   ([`lease`]), carrying the run's progress so that other operators can follow it.
//!
//! A live run claims both (local first) before its journal is written; a dry run calls
//! nothing and claims nothing. What a run that cannot claim the lock learns is a [`Refusal`]:
//! who holds it (user, host, pid, since when, which step), or that the table cannot be
//! reached.
//!
//! Fencing: every renewal is a conditional write on the lease version, and before each
//! mutating call the engine asks the [`Fence`], which is open only while the last successful
//! claim or renewal is younger than the lease minus a margin, and closed for good once a
//! renewal finds the lease taken over. Why this and not a read of the item before each call:
//! it costs no call on the run's path, and it holds when DynamoDB cannot be reached (the
//! holder stops by itself before anyone may take the lease over), which a read would not.

mod approval;
pub mod dynamo;
pub mod follow;
mod holder;
mod host;
pub mod lease;
pub mod local;
mod progress;

use std::time::Duration;

pub use holder::{Holder, Refusal};
pub use host::{hostname, pid_alive};
pub use lease::Fence;
pub use progress::Progress;

/// How long a DynamoDB lease lasts without renewal.
pub const LEASE: Duration = Duration::from_secs(60);
/// How often the holder renews it (and writes its progress, when nothing changed sooner).
pub const RENEW_EVERY: Duration = Duration::from_secs(10);
/// The fence closes this long before the lease expires, for clocks that drift a little.
pub const FENCE_MARGIN: Duration = Duration::from_secs(5);

/// What the caller of a run says about the lock.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct LockOptions {
    /// Run without the shared lock when its table cannot be reached (`--no-lock`, audited).
    /// The local lock is still taken.
    pub no_lock: bool,
    /// Take over an expired lease held by `user@host`, typed by the operator.
    pub take_over: Option<String>,
}

#[cfg(test)]
mod tests;

//! The fence between a run and its lease: whether a change may be made now, and one that may
//! last how long. What calls ask of it is in [`admit`]; what the keeper of the lease tells it
//! is in [`renewal`].

mod admit;
mod renewal;
#[cfg(test)]
mod tests;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::time::Instant;

use crate::runbook::lock::FENCE_MARGIN;

/// Whether the run may still make a change, and one that may last how long. Open for good
/// under the local lock alone (the operating system holds it for the process). Under a
/// DynamoDB lease, a call is admitted only if it would end (its own timeout) before the lease
/// as this holder knows it (from the start of its last successful renewal, less a margin);
/// a longer call asks the keeper for a longer lease first. Closed for good once a renewal
/// finds the lease taken over, once the lease runs out without a renewal, or once whether it
/// is still ours cannot be told before it would run out.
#[derive(Debug)]
pub struct Fence {
    state: Mutex<FenceState>,
    /// Bumped whenever the lease is renewed or lost: callers waiting for a longer lease.
    changed: tokio::sync::watch::Sender<u64>,
    /// Wakes the keeper: a call needs a longer lease than the fence allows now.
    pub(in crate::runbook::lock) wake: tokio::sync::Notify,
}

#[derive(Debug)]
struct FenceState {
    valid_until: Option<Instant>,
    lost: Option<String>,
    /// The latest end of a call admitted or asking to be: every renewal reaches past it.
    wanted: Option<Instant>,
    /// How long before the lease's end the fence closes (clocks that drift a little).
    margin: Duration,
}

/// Why the fence does not admit a call now.
#[derive(Debug, Clone, PartialEq)]
pub enum Closed {
    /// For good: the lease is lost, ran out, or cannot be told to be ours.
    Lost(String),
    /// The lease, as known here, ends in `left`: too soon for the call.
    Short { left: Duration },
}

/// Longest a call waits for the keeper to extend the lease it needs.
pub const EXTEND_WITHIN: Duration = Duration::from_secs(10);

impl Fence {
    /// Never closes by itself.
    pub fn open() -> Arc<Fence> {
        Arc::new(Fence {
            state: Mutex::new(FenceState {
                valid_until: None,
                lost: None,
                wanted: None,
                margin: FENCE_MARGIN,
            }),
            changed: tokio::sync::watch::Sender::new(0),
            wake: tokio::sync::Notify::new(),
        })
    }

    /// Open until `t` (a lease that ends at `t` plus `margin`).
    pub fn until(t: Instant, margin: Duration) -> Arc<Fence> {
        let f = Fence::open();
        {
            let mut s = f.lock();
            s.valid_until = Some(t);
            s.margin = margin;
        }
        f
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, FenceState> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn ran_out() -> String {
        "the run lock's lease ran out without a renewal (the coordination table did not \
         answer): this run makes no more changes; resume it once the table answers (another \
         operator may take the lease over meanwhile)"
            .into()
    }
}

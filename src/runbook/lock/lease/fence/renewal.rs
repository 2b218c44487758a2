//! What the keeper of the lease tells the fence: the lease it must ask for, the renewals that
//! succeeded, and the lease lost.

use std::time::Duration;

use tokio::time::Instant;

use super::{Closed, Fence};

impl Fence {
    /// How long a renewal begun at `started` must make the lease: `base`, or longer to cover
    /// every call admitted (or asking) with the margin.
    pub fn lease_for(&self, started: Instant, base: Duration) -> Duration {
        let s = self.lock();
        let need = s
            .wanted
            .map(|w| w.saturating_duration_since(started) + s.margin + Duration::from_secs(1))
            .unwrap_or_default();
        base.max(need)
    }

    /// A renewal begun at `started` succeeded with a lease of `lease`: open until it would end
    /// (less the margin). Returns how late it was, if the lease had already run out here: the
    /// fence then stays closed (calls may have been refused, the run stopping).
    pub fn renewed(&self, started: Instant, lease: Duration) -> Option<Duration> {
        let mut s = self.lock();
        if s.lost.is_some() {
            return None;
        }
        let now = Instant::now();
        if let Some(t) = s.valid_until.filter(|t| now >= *t) {
            s.lost = Some(Self::ran_out());
            drop(s);
            self.changed.send_modify(|g| *g += 1);
            return Some(now - t);
        }
        let until = started + lease.saturating_sub(s.margin);
        s.valid_until = Some(s.valid_until.map_or(until, |t| t.max(until)));
        drop(s);
        self.changed.send_modify(|g| *g += 1);
        None
    }

    /// Closes the fence for good once the lease has run out here; returns whether it is closed.
    pub fn expire_if_due(&self) -> bool {
        matches!(self.try_admit(Duration::ZERO), Err(Closed::Lost(_)))
    }

    /// When the lease, as known here, closes the fence (`None`: never, or already lost).
    pub fn valid_until(&self) -> Option<Instant> {
        let s = self.lock();
        s.valid_until.filter(|_| s.lost.is_none())
    }

    /// The lease is someone else's now (or cannot be told to be ours): closed for good.
    pub fn lose(&self, why: String) {
        self.lock().lost.get_or_insert(why);
        self.changed.send_modify(|g| *g += 1);
    }

    /// Whether it is closed for good.
    pub fn is_lost(&self) -> bool {
        self.lock().lost.is_some()
    }
}

//! What a call asks of the fence: whether it may be made now, or once the keeper has extended
//! the lease it needs.

use std::time::Duration;

use tokio::time::Instant;

use super::{Closed, EXTEND_WITHIN, Fence};

impl Fence {
    /// Whether a call that may last `limit` may be made now. Admitting it makes every later
    /// renewal reach past its end.
    pub fn try_admit(&self, limit: Duration) -> Result<(), Closed> {
        let mut s = self.lock();
        if let Some(why) = &s.lost {
            return Err(Closed::Lost(why.clone()));
        }
        let Some(t) = s.valid_until else {
            return Ok(());
        };
        let now = Instant::now();
        if now >= t {
            let why = Self::ran_out();
            s.lost = Some(why.clone());
            drop(s);
            self.changed.send_modify(|g| *g += 1);
            return Err(Closed::Lost(why));
        }
        let end = now + limit;
        if end > t {
            return Err(Closed::Short { left: t - now });
        }
        s.wanted = Some(s.wanted.map_or(end, |w| w.max(end)));
        Ok(())
    }

    /// `Ok` while the run may make an instant change; else why not.
    pub fn check(&self) -> Result<(), String> {
        match self.try_admit(Duration::ZERO) {
            Ok(()) => Ok(()),
            Err(Closed::Lost(why)) => Err(why),
            Err(Closed::Short { .. }) => Err(Self::ran_out()),
        }
    }

    /// Admits a call that may last `limit`: at once when the lease covers it, else after the
    /// keeper has extended the lease (waiting at most [`EXTEND_WITHIN`]). `Err`: why the call
    /// must not be sent.
    pub async fn admit(&self, limit: Duration) -> Result<(), String> {
        let mut seen = self.changed.subscribe();
        let deadline = Instant::now() + EXTEND_WITHIN;
        loop {
            let left = match self.try_admit(limit) {
                Ok(()) => return Ok(()),
                Err(Closed::Lost(why)) => return Err(why),
                Err(Closed::Short { left }) => left,
            };
            let now = Instant::now();
            if now >= deadline {
                return Err(format!(
                    "this call may last up to {}, and the run lock's lease is known for {} \
                     more: it could not be extended in time (the coordination table did not \
                     answer), so the call was not sent",
                    humantime::format_duration(round(limit)),
                    humantime::format_duration(round(left))
                ));
            }
            {
                let mut s = self.lock();
                let end = now + limit;
                s.wanted = Some(s.wanted.map_or(end, |w| w.max(end)));
            }
            self.wake.notify_one();
            // Past `left` the fence is closed: the next look says so.
            let wait_until = deadline.min(now + left);
            tokio::select! {
                _ = seen.changed() => {}
                _ = tokio::time::sleep_until(wait_until) => {}
            }
        }
    }
}

/// A duration to the second, for messages.
fn round(d: Duration) -> Duration {
    Duration::from_secs(d.as_secs())
}

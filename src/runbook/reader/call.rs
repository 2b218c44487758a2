//! Calls bounded by the estate's call timeout: a throttled read backs off and is tried again
//! while the throttling lasts, up to [`THROTTLE_PATIENCE`].

use std::time::Duration;

use super::Reader;
use crate::backend::{BackendError, ErrorKind};
use crate::model::Side;

/// How long a throttled read (or a throttled reversible change) keeps being retried, in
/// estate time, before its error is returned.
pub const THROTTLE_PATIENCE: Duration = Duration::from_secs(5 * 60);
/// The longest wait between two attempts of a throttled call.
pub const MAX_BACKOFF: Duration = Duration::from_secs(8);

/// The wait before attempt `attempt + 1` of a throttled call: 0.5 s doubling, capped.
pub fn backoff(attempt: u32) -> Duration {
    Duration::from_millis(500u64.saturating_mul(1 << attempt.saturating_sub(1).min(10)))
        .min(MAX_BACKOFF)
}

impl Reader {
    /// Runs one backend read with the timeout; throttling is retried, backing off, while it
    /// lasts (up to [`THROTTLE_PATIENCE`]).
    pub async fn call<T, F, Fut>(
        &self,
        side: Option<Side>,
        what: &str,
        f: F,
    ) -> Result<T, BackendError>
    where
        F: Fn() -> Fut,
        Fut: std::future::Future<Output = Result<T, BackendError>>,
    {
        self.call_with(side, what, true, self.call_timeout(), f)
            .await
    }

    /// Runs one backend call with the timeout; while it is throttled, and `patient`, it is
    /// tried again after a backoff, up to [`THROTTLE_PATIENCE`].
    pub(super) async fn call_with<T, F, Fut>(
        &self,
        side: Option<Side>,
        what: &str,
        patient: bool,
        limit: Duration,
        f: F,
    ) -> Result<T, BackendError>
    where
        F: Fn() -> Fut,
        Fut: std::future::Future<Output = Result<T, BackendError>>,
    {
        let began = tokio::time::Instant::now();
        let patience = self.pace.wall(THROTTLE_PATIENCE);
        let mut attempt = 0;
        loop {
            attempt += 1;
            let region = side
                .map(|s| self.region_label(s))
                .unwrap_or_else(|| "route53".into());
            let result = match tokio::time::timeout(limit, f()).await {
                Ok(r) => r,
                Err(_) => Err(BackendError::new(
                    ErrorKind::Unreachable,
                    &region,
                    what,
                    "",
                    format!(
                        "no answer within {}",
                        humantime::format_duration(if limit == self.call_timeout() {
                            self.estate.call_timeout.0
                        } else {
                            self.pace.estate(limit)
                        })
                    ),
                )),
            };
            match result {
                Err(e) if e.kind == ErrorKind::Throttled => {
                    self.note_throttle(side, Some(what));
                    if !patient || began.elapsed() >= patience {
                        return Err(e);
                    }
                    tokio::time::sleep(self.pace.wall(backoff(attempt))).await;
                }
                other => {
                    if other.is_ok() {
                        self.note_throttle(side, None);
                    }
                    return other;
                }
            }
        }
    }
}

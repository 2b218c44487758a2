//! One poll scope's data as the app holds it: the last good reading, when it was fetched,
//! and the latest failure, from which the panel's state (loading/fresh/stale/unreachable/
//! throttled) derives.

use std::time::{Duration, Instant};

use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FeedState {
    /// Nothing has arrived yet.
    Loading,
    Fresh,
    /// The data is older than two poll intervals.
    Stale,
    /// The latest attempt failed to reach the region.
    Unreachable,
    /// AWS answers but refuses the region's reads for now (throttling, whole or in a part):
    /// busy, not unreachable. The last good values are kept, with their age.
    Throttled,
}

#[derive(Debug, Clone)]
pub struct Feed<T> {
    pub data: Option<T>,
    pub fetched_at: Option<Instant>,
    /// The latest attempt's error; cleared by the next success.
    pub error: Option<String>,
    pub error_at: Option<Instant>,
    pub in_flight_since: Option<Instant>,
    /// Since when AWS has been throttling this scope's reads; cleared by a reading that
    /// answered in full, or by a failure of another kind.
    pub throttled_since: Option<Instant>,
}

impl<T> Default for Feed<T> {
    fn default() -> Self {
        Feed {
            data: None,
            fetched_at: None,
            error: None,
            error_at: None,
            in_flight_since: None,
            throttled_since: None,
        }
    }
}

impl<T> Feed<T> {
    pub fn started(&mut self, at: Instant) {
        self.in_flight_since = Some(at);
    }

    pub fn succeeded(&mut self, data: T, at: Instant) {
        self.data = Some(data);
        self.fetched_at = Some(at);
        self.error = None;
        self.error_at = None;
        self.in_flight_since = None;
        self.throttled_since = None;
    }

    /// A reading that answered, but with some of its parts throttled: what answered is
    /// kept, the throttled parts say so, and the scope is throttled until a full reading.
    pub fn succeeded_throttled(&mut self, data: T, at: Instant) {
        let since = self.throttled_since.unwrap_or(at);
        self.succeeded(data, at);
        self.throttled_since = Some(since);
    }

    /// AWS refused the whole reading (throttling): the last good data stays, with its age.
    pub fn throttled(&mut self, error: String, at: Instant) {
        self.throttled_since.get_or_insert(at);
        self.error = Some(error);
        self.error_at = Some(at);
        self.in_flight_since = None;
    }

    pub fn failed(&mut self, error: String, at: Instant) {
        self.error = Some(error);
        self.error_at = Some(at);
        self.in_flight_since = None;
        self.throttled_since = None;
    }

    pub fn age(&self, now: Instant) -> Option<Duration> {
        self.fetched_at.map(|t| now.saturating_duration_since(t))
    }

    pub fn state(&self, now: Instant, interval: Duration) -> FeedState {
        if self.throttled_since.is_some() {
            return FeedState::Throttled;
        }
        if self.error.is_some() {
            return FeedState::Unreachable;
        }
        match self.age(now) {
            None => FeedState::Loading,
            Some(age) if age > interval * 2 => FeedState::Stale,
            Some(_) => FeedState::Fresh,
        }
    }
}

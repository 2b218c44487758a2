//! Which scope is throttling a run's calls: the start and the end of each episode, told to
//! the run's log.

use std::time::Duration;

use super::{Reader, cache};
use crate::model::Side;

/// A scope's throttling began or ended, for the run's log.
#[derive(Debug, Clone, PartialEq)]
pub enum Throttle {
    /// `region` (e.g. `us-west-2 (standby)`, or `route53`) throttles the calls: they back off.
    Began { region: String, call: String },
    /// It answers again, after throttling for `after`.
    Ended { region: String, after: Duration },
}

impl std::fmt::Display for Throttle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Throttle::Began { region, call } => write!(
                f,
                "{region} is throttling ({call} answered Throttling): backing off and retrying; \
                 the region is busy, not unreachable, and no change is sent before a fresh read"
            ),
            Throttle::Ended { region, after } => write!(
                f,
                "{region} answers again after throttling for {}",
                crate::timefmt::secs(after.as_secs())
            ),
        }
    }
}

/// The slot of a scope (a region, or Route 53 when `None`) in per-scope tables.
fn scope_index(side: Option<Side>) -> usize {
    side.map_or(2, cache::index)
}

impl Reader {
    /// Whether `side` (`None`: Route 53) is throttling the run's calls now.
    pub fn is_throttled(&self, side: Option<Side>) -> bool {
        self.throttled
            .lock()
            .map(|t| t[scope_index(side)].is_some())
            .unwrap_or(false)
    }

    /// Notes that a call to `side` was throttled (`Some(call)`) or answered (`None`), and
    /// reports the start or the end of a throttling episode.
    pub(super) fn note_throttle(&self, side: Option<Side>, call: Option<&str>) {
        let now = tokio::time::Instant::now();
        let ended = {
            let Ok(mut t) = self.throttled.lock() else {
                return;
            };
            let slot = &mut t[scope_index(side)];
            match (call, *slot) {
                (Some(_), None) => {
                    *slot = Some(now);
                    None
                }
                (None, Some(since)) => {
                    *slot = None;
                    Some(now - since)
                }
                _ => return,
            }
        };
        let region = side
            .map(|s| self.region_label(s))
            .unwrap_or_else(|| "route53".into());
        let note = match (call, ended) {
            (_, Some(after)) => Throttle::Ended {
                region,
                after: self.pace.estate(after),
            },
            (call, None) => Throttle::Began {
                region,
                call: call.unwrap_or_default().to_string(),
            },
        };
        if let Some(report) = &self.on_throttle {
            report(note);
        }
    }
}

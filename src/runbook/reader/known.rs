//! What the run knows of a region or of Route 53 without calling it (the console's last poll
//! or the run's own reads, with their age), and the estate's posture.

use std::time::Duration;

use super::{Polled, Reader, cache};
use crate::model::{GlobalReading, Parts, RegionReading, Side};
use crate::runbook::error::StepError;

/// The newest reading of a region the run does not call, and how old it is.
#[derive(Debug, Clone)]
pub struct Known {
    pub age: Duration,
    pub reading: Result<RegionReading, String>,
}

impl Reader {
    /// What is known of a region without calling it: the newer of the console's last poll
    /// and this run's own reads.
    pub fn known(&self, side: Side) -> Option<Known> {
        let now = tokio::time::Instant::now();
        let own = self.readings.sides[cache::index(side)]
            .try_lock()
            .ok()
            .and_then(|s| s.newest());
        let polled = self.readings.polled(side);
        let own = own.map(|(r, at)| Polled { at, reading: Ok(r) });
        let newest = match (own, polled) {
            (Some(o), Some(p)) => Some(if p.at > o.at { p } else { o }),
            (o, p) => o.or(p),
        }?;
        Some(Known {
            age: now - newest.at,
            reading: newest.reading,
        })
    }

    /// What is known of Route 53 from this run's own reads, without calling it.
    pub fn known_global(&self) -> Option<GlobalReading> {
        self.readings
            .global
            .try_lock()
            .ok()
            .and_then(|s| s.newest())
            .map(|(r, _)| r)
    }

    pub(super) fn known_only(&self, side: Side, parts: Parts) -> Result<RegionReading, StepError> {
        let untouched =
            format!("the {side} region is not called by this runbook (no step acts there)");
        match self.known(side) {
            None => Err(StepError::missing(format!(
                "{untouched}, and it has not been read"
            ))),
            Some(Known {
                reading: Err(e),
                age,
            }) => Err(StepError::missing(format!(
                "{untouched}; last poll {} ago: {e}",
                crate::timefmt::secs(age.as_secs())
            ))),
            Some(Known { reading: Ok(r), .. }) => Ok(cache::Partial::only(&r, parts.normalized())),
        }
    }

    /// The posture as the run last read it (its verifications), without a call: what the
    /// report states after a run.
    pub fn posture_known(&self) -> crate::posture::Posture {
        let side = |s: Side| self.known(s).and_then(|k| k.reading.ok());
        let global = self
            .readings
            .global
            .try_lock()
            .ok()
            .and_then(|g| g.newest())
            .map(|(g, _)| g);
        crate::posture::posture(
            &self.estate,
            side(Side::Primary).as_ref(),
            side(Side::Standby).as_ref(),
            global.as_ref(),
        )
    }

    /// The estate's posture now: both regions and Route 53 read at once, each bounded by the
    /// call timeout; what does not answer counts as unread.
    pub async fn posture(&self) -> crate::posture::Posture {
        let (p, s, g) = tokio::join!(
            self.read(Side::Primary, Parts::DATABASE),
            self.read(Side::Standby, Parts::DATABASE),
            self.global_parts(Parts::DNS)
        );
        crate::posture::posture(
            &self.estate,
            p.ok().as_ref(),
            s.ok().as_ref(),
            g.ok().as_ref(),
        )
    }
}

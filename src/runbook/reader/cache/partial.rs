//! A reading taken part by part: which parts of a region or of Route 53 a read replaces, and
//! a reading of only some parts.

use crate::model::{GlobalReading, Parts, RegionReading, SectionError};

/// A reading of part of a region or of Route 53, part by part.
pub trait Partial: Clone {
    const EACH: &'static [Parts];
    /// The parts of `from` named by `parts` replace ours.
    fn take(&mut self, from: &Self, parts: Parts);
    /// Only `parts` of it; the rest not read.
    fn only(&self, parts: Parts) -> Self;
}

fn not_read<T>() -> Result<T, SectionError> {
    Err(SectionError::not_read())
}

impl Partial for RegionReading {
    const EACH: &'static [Parts] = &Parts::REGION_EACH;

    fn take(&mut self, from: &Self, parts: Parts) {
        if parts.contains(Parts::DATABASE) {
            let lag = match &self.database {
                Some(Ok(db)) => Some(db.lag),
                _ => None,
            };
            self.database = from.database.clone();
            // A read without the lag keeps the lag read before.
            if !parts.contains(Parts::LAG)
                && let (Some(Ok(db)), Some(lag)) = (&mut self.database, lag)
            {
                db.lag = lag;
            }
        }
        if parts.contains(Parts::SERVICES) {
            self.services = from.services.clone();
        }
        if parts.contains(Parts::ASGS) {
            self.asgs = from.asgs.clone();
        }
        if parts.contains(Parts::TARGETS) {
            self.target_groups = from.target_groups.clone();
        }
        if parts.contains(Parts::ALARMS) {
            self.alarms = from.alarms.clone();
        }
    }

    fn only(&self, parts: Parts) -> Self {
        let mut r = RegionReading::unread(self.database.is_some());
        r.take(self, parts);
        if !parts.contains(Parts::LAG)
            && let Some(Ok(db)) = &mut r.database
        {
            db.lag = crate::model::Lag::NoData;
        }
        r
    }
}

impl Partial for GlobalReading {
    const EACH: &'static [Parts] = &Parts::GLOBAL_EACH;

    fn take(&mut self, from: &Self, parts: Parts) {
        if parts.contains(Parts::DNS) {
            self.dns = from.dns.clone();
        }
        if parts.contains(Parts::HEALTH_CHECKS) {
            self.health_checks = from.health_checks.clone();
        }
    }

    fn only(&self, parts: Parts) -> Self {
        let mut r = GlobalReading {
            health_checks: not_read(),
            dns: self.dns.as_ref().map(|_| not_read()),
        };
        r.take(self, parts);
        r
    }
}

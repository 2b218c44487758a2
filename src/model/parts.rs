//! Which parts of a region (or of Route 53) a read covers. The dashboard reads everything; a
//! runbook step reads only what it plans or verifies from, so that a failover's calls grow with
//! its steps and not with the size of the estate.

use std::fmt;
use std::ops::{BitOr, BitOrAssign};

use super::{RegionReading, SectionError};

#[derive(Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Parts(u8);

impl Parts {
    pub const NONE: Parts = Parts(0);
    /// The database's description (role, status, source, endpoint).
    pub const DATABASE: Parts = Parts(1);
    /// The replica's lag metric (read with the database).
    pub const LAG: Parts = Parts(1 << 1);
    pub const SERVICES: Parts = Parts(1 << 2);
    pub const ASGS: Parts = Parts(1 << 3);
    pub const TARGETS: Parts = Parts(1 << 4);
    pub const ALARMS: Parts = Parts(1 << 5);
    /// Everything a region reports.
    pub const REGION: Parts = Parts(0b11_1111);
    /// The record DNS traffic follows (Route 53).
    pub const DNS: Parts = Parts(1 << 6);
    /// Route 53 health checks.
    pub const HEALTH_CHECKS: Parts = Parts(1 << 7);
    /// Everything Route 53 reports.
    pub const GLOBAL: Parts = Parts(0b1100_0000);

    /// The region parts one at a time, in a fixed order.
    pub const REGION_EACH: [Parts; 6] = [
        Parts::DATABASE,
        Parts::LAG,
        Parts::SERVICES,
        Parts::ASGS,
        Parts::TARGETS,
        Parts::ALARMS,
    ];
    pub const GLOBAL_EACH: [Parts; 2] = [Parts::DNS, Parts::HEALTH_CHECKS];

    pub fn contains(self, other: Parts) -> bool {
        self.0 & other.0 == other.0
    }
    pub fn intersects(self, other: Parts) -> bool {
        self.0 & other.0 != 0
    }
    pub fn is_empty(self) -> bool {
        self.0 == 0
    }
    pub fn minus(self, other: Parts) -> Parts {
        Parts(self.0 & !other.0)
    }
    /// The lag is the database's: asking for it reads the database too.
    pub fn normalized(self) -> Parts {
        if self.contains(Parts::LAG) {
            self | Parts::DATABASE
        } else {
            self
        }
    }
    fn name(self) -> &'static str {
        match self {
            Parts::DATABASE => "database",
            Parts::LAG => "lag",
            Parts::SERVICES => "services",
            Parts::ASGS => "asgs",
            Parts::TARGETS => "targets",
            Parts::ALARMS => "alarms",
            Parts::DNS => "dns",
            Parts::HEALTH_CHECKS => "health checks",
            _ => "parts",
        }
    }
}

impl BitOr for Parts {
    type Output = Parts;
    fn bitor(self, rhs: Parts) -> Parts {
        Parts(self.0 | rhs.0)
    }
}

impl BitOrAssign for Parts {
    fn bitor_assign(&mut self, rhs: Parts) {
        self.0 |= rhs.0;
    }
}

impl fmt::Debug for Parts {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let names: Vec<&str> = Parts::REGION_EACH
            .iter()
            .chain(&Parts::GLOBAL_EACH)
            .filter(|p| self.contains(**p))
            .map(|p| p.name())
            .collect();
        write!(f, "Parts({})", names.join("|"))
    }
}

impl SectionError {
    /// A section a partial read did not cover.
    pub fn not_read() -> SectionError {
        SectionError::new(super::ErrorKind::Other, "not read")
    }
}

impl RegionReading {
    /// A reading with no section read yet (`database` is `None` when the estate has none).
    pub fn unread(has_database: bool) -> RegionReading {
        RegionReading {
            database: has_database.then(|| Err(SectionError::not_read())),
            services: Err(SectionError::not_read()),
            asgs: Err(SectionError::not_read()),
            target_groups: Err(SectionError::not_read()),
            alarms: Err(SectionError::not_read()),
            replicated: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lag_brings_the_database_and_minus_removes() {
        let p = Parts::LAG.normalized();
        assert!(p.contains(Parts::DATABASE) && p.contains(Parts::LAG));
        assert!(
            !Parts::REGION
                .minus(Parts::SERVICES)
                .contains(Parts::SERVICES)
        );
        assert!(Parts::REGION.minus(Parts::SERVICES).contains(Parts::ASGS));
        assert!(!Parts::REGION.intersects(Parts::GLOBAL));
        assert_eq!(
            format!("{:?}", Parts::SERVICES | Parts::DNS),
            "Parts(services|dns)"
        );
    }
}

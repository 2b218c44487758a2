//! What a member of a region group keeps between cycles: its last ECS services and target
//! health (read in turn), and which parts each member reads in a cycle.

use std::time::Instant;

use crate::backend::fleet::{Member, overview_parts, rotated_parts};
use crate::model::{Parts, RegionReading, Section, ServiceReading, TargetGroupReading};

/// A member's last services and target health, and when they were read.
#[derive(Debug, Clone)]
pub struct Kept {
    services: Section<Vec<ServiceReading>>,
    targets: Section<Vec<TargetGroupReading>>,
    at: Instant,
}

/// Merges a member's reading with what was kept: a reading that has its services and
/// targets replaces the kept ones; one without them gets the kept ones, and their time.
pub fn merge_kept(
    reading: &mut RegionReading,
    parts: Parts,
    kept: &mut Option<Kept>,
    at: Instant,
) -> Option<Instant> {
    if parts.contains(rotated_parts()) {
        *kept = Some(Kept {
            services: reading.services.clone(),
            targets: reading.target_groups.clone(),
            at,
        });
        return None;
    }
    let k = kept.as_ref()?;
    reading.services = k.services.clone();
    reading.target_groups = k.targets.clone();
    Some(k.at)
}

/// The parts each member reads: everything for the open estate and the estates in
/// `turn`, the overview's parts for the others.
pub fn parts_of(members: &[Member], open: Option<usize>, turn: &[usize]) -> Vec<Parts> {
    members
        .iter()
        .map(|m| {
            if open == Some(m.estate) || turn.contains(&m.estate) {
                Parts::REGION
            } else {
                overview_parts()
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn the_open_estate_and_those_in_turn_read_everything_the_others_the_overviews_parts() {
        let m = |estate, side| Member { estate, side };
        let members = [
            m(0, crate::model::Side::Primary),
            m(1, crate::model::Side::Standby),
            m(2, crate::model::Side::Primary),
        ];
        let parts = parts_of(&members, Some(2), &[0]);
        assert_eq!(parts, [Parts::REGION, overview_parts(), Parts::REGION]);
        assert!(!overview_parts().intersects(rotated_parts()));
        assert_eq!(overview_parts() | rotated_parts(), Parts::REGION);
    }

    fn reading(services: &[&str]) -> RegionReading {
        let mut r = RegionReading::unread(false);
        r.services = Ok(services
            .iter()
            .map(|s| ServiceReading::missing(s))
            .collect());
        r.target_groups = Ok(Vec::new());
        r
    }

    #[test]
    fn a_reading_without_services_carries_the_last_ones_and_their_time() {
        let t0 = Instant::now();
        let t1 = t0 + Duration::from_secs(5);
        let mut kept = None;
        // Nothing kept yet: the section stays not read, with no time of its own.
        let mut r = crate::backend::fleet::keep_only(reading(&["web"]), overview_parts());
        assert_eq!(merge_kept(&mut r, overview_parts(), &mut kept, t0), None);
        assert!(r.services.is_err());

        let mut full = reading(&["web", "api"]);
        assert_eq!(merge_kept(&mut full, Parts::REGION, &mut kept, t0), None);
        let mut later = crate::backend::fleet::keep_only(reading(&["x"]), overview_parts());
        assert_eq!(
            merge_kept(&mut later, overview_parts(), &mut kept, t1),
            Some(t0)
        );
        assert_eq!(later.services, full.services);
        assert_eq!(later.target_groups, full.target_groups);
    }
}

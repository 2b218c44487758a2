//! Which estates of a region group have their ECS services and target health read in a
//! cycle (they have no batched form): all in the first cycle, then in turn.

use std::time::Duration;

/// Every estate's services and targets are read again within this long.
pub const ROUND: Duration = Duration::from_secs(60);

/// Which estates of a group have their services and target health read in a cycle: all of
/// them in the first cycle, then in turn, `per_cycle` at a time, so that each is read again
/// within [`ROUND`] (`ROUND / interval` cycles: 12 at a 5 s poll). Fewer estates than that
/// are read more often (one per cycle). An estate whose read failed is read again in the
/// next cycles, a turn's worth at a time (a group that failed whole is not read again all
/// at once).
#[derive(Debug, Clone)]
pub struct Rotation {
    estates: Vec<usize>,
    per_cycle: usize,
    next: usize,
    started: bool,
    owed: Vec<usize>,
}

impl Rotation {
    pub fn new(estates: impl IntoIterator<Item = usize>, interval: Duration) -> Rotation {
        let mut list: Vec<usize> = Vec::new();
        for e in estates {
            if !list.contains(&e) {
                list.push(e);
            }
        }
        let slots = (ROUND.as_millis() / interval.as_millis().max(1)).max(1) as usize;
        Rotation {
            per_cycle: list.len().div_ceil(slots),
            estates: list,
            next: 0,
            started: false,
            owed: Vec::new(),
        }
    }

    /// Estates read in one cycle once started.
    pub fn per_cycle(&self) -> usize {
        self.per_cycle
    }

    /// Cycles in which every estate is read once (after the first).
    pub fn round(&self) -> usize {
        self.estates.len().div_ceil(self.per_cycle.max(1))
    }

    /// The estates whose services and targets the next cycle reads.
    pub fn turn(&mut self) -> Vec<usize> {
        if !self.started {
            self.started = true;
            self.owed.clear();
            return self.estates.clone();
        }
        // Estates owed a read come first, but no more of them than a turn's worth, so that
        // many failures at once do not make one cycle read them all.
        let owed = self.owed.len().min(self.per_cycle);
        let mut out: Vec<usize> = self.owed.drain(..owed).collect();
        for _ in 0..self.per_cycle {
            let e = self.estates[self.next];
            self.next = (self.next + 1) % self.estates.len();
            if !out.contains(&e) {
                out.push(e);
            }
        }
        out
    }

    /// `estate` could not be read: read it again next cycle.
    pub fn owe(&mut self, estate: usize) {
        if !self.owed.contains(&estate) {
            self.owed.push(estate);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rounds(rotation: &mut Rotation, cycles: usize) -> Vec<Vec<usize>> {
        (0..cycles).map(|_| rotation.turn()).collect()
    }

    #[test]
    fn fifty_estates_at_a_5s_poll_are_each_read_within_a_minute_never_all_at_once() {
        let mut r = Rotation::new(0..50, Duration::from_secs(5));
        assert_eq!(r.per_cycle(), 5);
        assert_eq!(r.round(), 10);
        // The first cycle reads every estate: nothing starts from a section never read.
        assert_eq!(r.turn(), (0..50).collect::<Vec<_>>());
        // Then 12 cycles (a minute): every estate at least once, no cycle more than 5.
        let turns = rounds(&mut r, 12);
        for t in &turns {
            assert_eq!(t.len(), 5, "{turns:?}");
        }
        for e in 0..50 {
            assert!(
                turns.iter().any(|t| t.contains(&e)),
                "estate {e}: {turns:?}"
            );
        }
        // Each estate comes back every 10 cycles: within 12 from any point.
        let again = rounds(&mut r, 24);
        for e in 0..50 {
            let at: Vec<usize> = again
                .iter()
                .enumerate()
                .filter(|(_, t)| t.contains(&e))
                .map(|(i, _)| i)
                .collect();
            assert!(at.windows(2).all(|w| w[1] - w[0] <= 12), "{e}: {at:?}");
        }
    }

    #[test]
    fn few_estates_are_read_one_per_cycle_and_a_failed_one_again_next_cycle() {
        let mut r = Rotation::new([4, 7, 9, 7], Duration::from_secs(5));
        assert_eq!((r.per_cycle(), r.round()), (1, 3));
        assert_eq!(r.turn(), [4, 7, 9]);
        assert_eq!(rounds(&mut r, 4), [vec![4], vec![7], vec![9], vec![4]]);
        r.owe(9);
        assert_eq!(r.turn(), [9, 7]);
        assert_eq!(r.turn(), [9]);
        // Many failures at once are read again a turn's worth at a time, never all at once.
        let mut r = Rotation::new(0..50, Duration::from_secs(5));
        r.turn();
        r.turn();
        for e in 0..50 {
            r.owe(e);
        }
        assert_eq!(r.turn(), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
        let turns = rounds(&mut r, 9);
        assert!(turns.iter().all(|t| t.len() <= 10), "{turns:?}");
        assert!((5..50).all(|e| turns.iter().any(|t| t.contains(&e))));
        // A slow poll reads more each cycle: every estate within a minute still.
        let mut slow = Rotation::new(0..10, Duration::from_secs(30));
        slow.turn();
        assert_eq!(slow.per_cycle(), 5);
        let mut longer = Rotation::new(0..3, Duration::from_secs(120));
        longer.turn();
        assert_eq!(longer.turn(), [0, 1, 2]);
    }
}

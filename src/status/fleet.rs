//! `drconsole status` with several estates: every estate's snapshot from one batched read per
//! region group and one per Route 53 group, printed as `{"estates": [ … ]}` (each element today's object); the exit code
//! is the worst estate's.

use serde::Serialize;

use super::{Snapshot, assemble};
use crate::backend::fleet::FleetBackend;
use crate::backend::{BackendError, ErrorKind};
use crate::config::Estate;
use crate::exit;
use crate::model::Side;
use crate::poll::fleet::{read_global_group_once, read_group_once};
use crate::poll::{Reading, identity_once};

#[derive(Debug, Serialize)]
pub struct FleetSnapshot {
    pub estates: Vec<Snapshot>,
}

impl FleetSnapshot {
    /// The worst estate's code: unreadable (2) over degraded (1) over ready (0).
    pub fn exit_code(&self) -> i32 {
        worst(self.estates.iter().map(Snapshot::exit_code))
    }
}

/// The worst of several status codes.
pub fn worst(codes: impl IntoIterator<Item = i32>) -> i32 {
    let rank = |c: i32| match c {
        exit::STATUS_READY => 0,
        exit::STATUS_DEGRADED => 1,
        exit::STATUS_UNREADABLE => 2,
        _ => 3,
    };
    codes
        .into_iter()
        .max_by_key(|c| rank(*c))
        .unwrap_or(exit::STATUS_READY)
}

/// Reads every region group and every Route 53 group once, and every estate's identities
/// (once per credential set, see `backend::aws::shared`), concurrently.
pub async fn take_fleet(estates: &[Estate], fleet: &dyn FleetBackend) -> FleetSnapshot {
    let timeout = estates
        .iter()
        .map(|e| e.call_timeout.0)
        .max()
        .unwrap_or_default();
    let groups = futures::future::join_all(
        (0..fleet.groups().len()).map(|g| read_group_once(fleet, g, timeout)),
    );
    let route53 = futures::future::join_all(
        (0..fleet.global_groups().len()).map(|g| read_global_group_once(fleet, g, timeout)),
    );
    let per_estate = futures::future::join_all(estates.iter().enumerate().map(|(i, e)| {
        let backend = fleet.backend(i);
        async move {
            let t = e.call_timeout.0;
            let (pi, si) = tokio::join!(
                identity_once(backend.as_ref(), Side::Primary, t),
                identity_once(backend.as_ref(), Side::Standby, t),
            );
            (backend.mode().label(), pi, si)
        }
    }));
    let (groups, route53, per_estate) = tokio::join!(groups, route53, per_estate);
    let mut regions: Vec<[Option<Result<Reading, BackendError>>; 2]> =
        estates.iter().map(|_| [None, None]).collect();
    for (g, results) in fleet.groups().iter().zip(groups) {
        for (m, r) in g.members.iter().zip(results) {
            regions[m.estate][side_index(m.side)] = Some(r);
        }
    }
    let mut globals: Vec<Option<Result<Reading, BackendError>>> =
        estates.iter().map(|_| None).collect();
    for (g, results) in fleet.global_groups().iter().zip(route53) {
        for (e, r) in g.estates.iter().zip(results) {
            globals[*e] = Some(r.map(Reading::Global));
        }
    }
    let estates = estates
        .iter()
        .zip(regions)
        .zip(globals)
        .zip(per_estate)
        .map(|(((e, [p, s]), g), (mode, pi, si))| {
            let missing = || {
                Err(BackendError::new(
                    ErrorKind::Other,
                    "",
                    "read",
                    "",
                    "not read",
                ))
            };
            assemble(
                e,
                mode,
                [p.unwrap_or_else(missing), s.unwrap_or_else(missing)],
                g.unwrap_or_else(missing),
                [pi, si],
            )
        })
        .collect();
    FleetSnapshot { estates }
}

fn side_index(side: Side) -> usize {
    match side {
        Side::Primary => 0,
        Side::Standby => 1,
    }
}

/// The table: each estate's own, one after the other, under its name.
pub fn render_fleet_text(snap: &FleetSnapshot) -> String {
    snap.estates
        .iter()
        .map(super::render_text)
        .collect::<Vec<_>>()
        .join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_worst_estate_decides_the_code() {
        use exit::{STATUS_DEGRADED as D, STATUS_READY as R, STATUS_UNREADABLE as U};
        assert_eq!(worst([R, R]), R);
        assert_eq!(worst([R, D, R]), D);
        assert_eq!(worst([D, U, R]), U);
        assert_eq!(worst([]), R);
    }
}

//! What the run sees changing beside its steps: the estate's alarms in both regions and its
//! Route 53 health checks, looked at once per poll interval in what is already known (the
//! console's polls, the run's own reads: no call). Only once DNS has moved, and until the
//! alarms of the side it points at have recovered, are those alarms read when what is known
//! of them is older than a poll interval. Each change is audited (`observed`) for the
//! report, and the first moment, after DNS moved,
//! at which the alarms of the side DNS points at are recovered ([`recovered`]: none in
//! ALARM, at least one OK) is the recovery users feel
//! ([`crate::runbook::journal::Metrics::rto_alarms`]).

use std::collections::BTreeMap;
use std::sync::Arc;

use serde_json::json;
use tokio::sync::watch;

use crate::model::{AlarmState, Parts, Side};
use crate::runbook::api::Level;
use crate::runbook::reader::Reader;
use crate::runbook::recorder::Recorder;

/// The observer's task and the switch that stops it.
pub(super) struct Observer {
    stop: watch::Sender<bool>,
    task: tokio::task::JoinHandle<()>,
}

impl Observer {
    pub(super) fn start(reader: Reader, rec: Arc<Recorder>) -> Observer {
        let (stop, rx) = watch::channel(false);
        let task = tokio::spawn(watch_states(reader, rec, rx));
        Observer { stop, task }
    }

    /// Stops it after one last look (the run's last step may have just moved DNS).
    pub(super) async fn finish(self) {
        let _ = self.stop.send(true);
        let _ = self.task.await;
    }
}

/// The states last seen: alarms by (side, name), health checks by id.
#[derive(Default)]
struct Seen {
    alarms: BTreeMap<(Side, String), String>,
    checks: BTreeMap<String, (String, String)>,
}

async fn watch_states(reader: Reader, rec: Arc<Recorder>, mut stop: watch::Receiver<bool>) {
    let mut seen = Seen::default();
    let interval = reader.pace.wall(reader.estate.poll_interval());
    loop {
        look(&reader, &rec, &mut seen).await;
        if *stop.borrow() {
            return;
        }
        tokio::select! {
            _ = tokio::time::sleep(interval) => {}
            _ = stop.changed() => {
                // One last look, then stop.
                look(&reader, &rec, &mut seen).await;
                return;
            }
        }
    }
}

/// Every alarm of a side out of ALARM, and at least one OK. INSUFFICIENT_DATA is accepted
/// beside OK: an alarm on a metric the side's new role no longer reports (the replica lag of
/// a promoted writer) stays there for good. A missing alarm is not recovered.
pub(crate) fn recovered(alarms: &[crate::model::AlarmReading]) -> bool {
    alarms.iter().any(|a| a.state == AlarmState::Ok)
        && alarms
            .iter()
            .all(|a| matches!(a.state, AlarmState::Ok | AlarmState::InsufficientData))
}

fn health(h: Option<bool>) -> &'static str {
    match h {
        Some(true) => "healthy",
        Some(false) => "unhealthy",
        None => "unknown",
    }
}

/// A side's alarms: as known, or read when `active` and what is known is older than a poll
/// interval (or has no alarms).
async fn alarms_of(
    reader: &Reader,
    side: Side,
    active: bool,
) -> Option<Vec<crate::model::AlarmReading>> {
    let fresh = reader.pace.wall(reader.estate.poll_interval());
    if let Some(k) = reader.known(side)
        && (!active || k.age <= fresh)
        && let Ok(r) = k.reading
        && let Ok(a) = r.alarms
    {
        return Some(a);
    }
    if !active {
        return None;
    }
    reader.read(side, Parts::ALARMS).await.ok()?.alarms.ok()
}

async fn look(reader: &Reader, rec: &Recorder, seen: &mut Seen) {
    let mut all_ok: BTreeMap<Side, bool> = BTreeMap::new();
    let waiting_on = {
        let j = rec.lock();
        let m = &j.metrics;
        m.dns_moved_at
            .and(m.dns_side)
            .filter(|_| m.alarms_ok_at.is_none())
    };
    for side in Side::BOTH {
        let Some(alarms) = alarms_of(reader, side, waiting_on == Some(side)).await else {
            continue;
        };
        all_ok.insert(side, recovered(&alarms));
        for a in alarms {
            let now = a.state.to_string();
            let key = (side, a.name.clone());
            match seen.alarms.insert(key, now.clone()) {
                Some(before) if before != now => {
                    rec.audit(
                        None,
                        "observed",
                        json!({"what": "alarm", "name": a.name, "side": side,
                               "from": before, "to": now}),
                    );
                    rec.log(
                        Level::Info,
                        None,
                        format!("alarm {} ({side}): {before} → {now}", a.name),
                    );
                }
                _ => {}
            }
        }
    }
    if let Some(g) = reader.known_global()
        && let Ok(checks) = g.health_checks
    {
        for c in checks {
            let now = health(c.healthy).to_string();
            let side = c.watches.to_string();
            match seen
                .checks
                .insert(c.id.clone(), (now.clone(), c.label.clone()))
            {
                Some((before, _)) if before != now => {
                    rec.audit(
                        None,
                        "observed",
                        json!({"what": "health check", "name": c.label, "id": c.id,
                               "side": side, "from": before, "to": now}),
                    );
                    rec.log(
                        Level::Info,
                        None,
                        format!("health check {} ({side}): {before} → {now}", c.label),
                    );
                }
                _ => {}
            }
        }
    }
    // The recovery users feel: DNS moved, and every alarm OK where it points.
    let now = rec.now();
    let mut reached = None;
    rec.update(|j| {
        let m = &mut j.metrics;
        if m.alarms_ok_at.is_some() || m.dns_moved_at.is_none() {
            return;
        }
        let Some(side) = m.dns_side else { return };
        if all_ok.get(&side) == Some(&true) {
            m.alarms_ok_at = Some(now);
            m.alarms_ok_side = Some(side);
            reached = Some(side);
        }
    });
    if let Some(side) = reached {
        rec.audit(None, "alarms_ok", json!({"side": side, "at": now}));
        rec.log(
            Level::Info,
            None,
            format!(
                "alarms recovered in {side}, none in ALARM ({} after the start): the recovery users feel",
                crate::runbook::report::secs(now)
            ),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::recovered;
    use crate::model::{AlarmReading, AlarmState};

    fn a(state: AlarmState) -> AlarmReading {
        AlarmReading {
            name: format!("{state:?}"),
            state,
        }
    }

    #[test]
    fn recovered_means_none_in_alarm_and_one_ok() {
        use AlarmState::*;
        assert!(recovered(&[a(Ok)]));
        assert!(recovered(&[a(Ok), a(InsufficientData)]));
        assert!(!recovered(&[a(InsufficientData)]));
        assert!(!recovered(&[a(Ok), a(Alarm)]));
        assert!(!recovered(&[a(Ok), a(Missing)]));
        assert!(!recovered(&[]));
    }
}

//! The exposition from stored readings: one `estate` label each, and a value that is not
//! known is absent (replica lag while replication is stopped or has no data), never 0.

use std::sync::{Arc, Mutex};
use std::time::Instant;

use super::metrics::{Estates, registry, render};
use super::state::{EstateState, idx};
use crate::backend::Backend;
use crate::backend::sim::{SimClock, Simulator, built_in_estate};
use crate::model::{Lag, Side};

async fn state(name: &str, lag: Option<Lag>) -> Arc<Mutex<EstateState>> {
    let mut estate = built_in_estate();
    estate.name = name.into();
    let sim = Simulator::new(estate.clone(), 7, SimClock::manual());
    let backend: Arc<dyn Backend> = sim.clone();
    let mut s = EstateState::new(Arc::new(estate), backend.clone(), std::env::temp_dir());
    let now = Instant::now();
    for side in Side::BOTH {
        let mut r = backend.read_region(side).await.expect("read");
        if let (Some(lag), Some(Ok(db))) = (lag, r.database.as_mut())
            && side == Side::Standby
        {
            db.lag = lag;
        }
        s.regions[idx(side)].succeeded(r, now);
    }
    s.global
        .succeeded(backend.read_global().await.expect("global"), now);
    Arc::new(Mutex::new(s))
}

fn samples<'a>(text: &'a str, name: &str) -> Vec<&'a str> {
    text.lines()
        .filter(|l| l.starts_with(&format!("{name}{{")) || l.starts_with(&format!("{name} ")))
        .collect()
}

#[tokio::test]
async fn unknown_lag_is_absent_and_stopped_replication_says_so() {
    let estates = Arc::new(Estates {
        estates: vec![
            state("known", None).await,
            state("stopped", Some(Lag::Stopped)).await,
            state("nodata", Some(Lag::NoData)).await,
        ],
        started: Instant::now(),
    });
    let text = render(&registry(estates)).expect("encode");
    let lag = samples(&text, "drconsole_replica_lag_seconds");
    assert_eq!(lag.len(), 1, "{text}");
    assert!(
        lag[0].starts_with("drconsole_replica_lag_seconds{estate=\"known\"} "),
        "{lag:?}"
    );
    assert_eq!(
        samples(&text, "drconsole_replication_stopped"),
        [
            "drconsole_replication_stopped{estate=\"known\"} 0",
            "drconsole_replication_stopped{estate=\"stopped\"} 1"
        ],
        "{text}"
    );
    assert_eq!(samples(&text, "drconsole_rpo_exposure_seconds").len(), 1);
    // Every estate has its own series; the exposition ends as OpenMetrics does.
    for estate in ["known", "stopped", "nodata"] {
        assert!(
            text.contains(&format!(
                "drconsole_posture{{estate=\"{estate}\",state=\"normal\"}} 1"
            )),
            "{text}"
        );
    }
    assert!(text.ends_with("# EOF\n"), "{text}");
    // Not evaluated yet: no evaluation series, not a zero.
    assert!(samples(&text, "drconsole_evaluation").is_empty(), "{text}");
}

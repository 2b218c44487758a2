//! `drconsole status`: one snapshot of both regions for scripts, as a table or JSON.
//! Exit code 0 when the standby is ready, 1 when degraded (or split brain), 2 when it could not
//! read. The JSON is versioned (`schema_version`) and described by `assets/status.schema.json`.

mod account;
mod dns;
pub mod fleet;
mod text;

pub use account::AccountReport;
pub use text::render_text;

use std::time::{Duration, Instant};

use serde::Serialize;

use crate::backend::Backend;
use crate::config::Estate;
use crate::exit;
use crate::model::{Evaluation, GlobalReading, IdentityError, RegionReading, Scope, Side};
use crate::poll::{Feed, FeedState, Reading, apply_global, apply_region, identity_once, read_once};
use crate::posture::{self, Posture, PostureState};
use crate::readiness::{self, Readiness, Verdict};

#[derive(Debug, Serialize)]
pub struct ScopeReport<T> {
    pub state: FeedState,
    /// Milliseconds between the read finishing and the report being printed.
    pub age_ms: Option<u64>,
    pub fetched_at: Option<String>,
    pub error: Option<String>,
    pub reading: Option<T>,
}

#[derive(Debug, Serialize)]
pub struct RegionReport {
    pub region: String,
    pub account: AccountReport,
    #[serde(flatten)]
    pub report: ScopeReport<RegionReading>,
}

/// The version of the JSON shape. Fields may be added without changing it (readers ignore
/// what they do not know); renaming, removing or changing the type of a field raises it.
/// 2: `evaluations` (each runbook's permissions, plan and drift).
/// 3: a scope's `state` may be `throttled` (AWS busy, not unreachable).
pub const SCHEMA_VERSION: u32 = 3;

#[derive(Debug, Serialize)]
pub struct Snapshot {
    /// [`SCHEMA_VERSION`], first in the JSON so that a reader checks it before anything else.
    pub schema_version: u32,
    pub estate: String,
    pub mode: String,
    pub taken_at: String,
    pub primary: RegionReport,
    pub standby: RegionReport,
    pub global: ScopeReport<GlobalReading>,
    /// Which region writes and serves, read from AWS now.
    pub posture: Posture,
    pub readiness: Readiness,
    /// Each runbook the posture allows, evaluated now (read-only): empty when not evaluated
    /// (several estates at once).
    pub evaluations: Vec<Evaluation>,
}

impl Snapshot {
    pub fn exit_code(&self) -> i32 {
        let unreadable = self.standby.report.reading.is_none() && self.global.reading.is_none();
        match self.readiness.verdict {
            _ if unreadable => exit::STATUS_UNREADABLE,
            _ if self.posture.state == PostureState::SplitBrain => exit::STATUS_DEGRADED,
            Verdict::Ready => exit::STATUS_READY,
            Verdict::Degraded => exit::STATUS_DEGRADED,
            Verdict::Unknown => exit::STATUS_UNREADABLE,
        }
    }
}

/// Reads all three scopes concurrently, each bounded by the estate's call timeout.
pub async fn take(estate: &Estate, backend: &dyn Backend) -> Snapshot {
    let timeout = estate.call_timeout.0;
    let (p, s, g, pi, si) = tokio::join!(
        read_once(backend, Scope::Region(Side::Primary), timeout),
        read_once(backend, Scope::Region(Side::Standby), timeout),
        read_once(backend, Scope::Global, timeout),
        identity_once(backend, Side::Primary, timeout),
        identity_once(backend, Side::Standby, timeout),
    );
    assemble(estate, backend.mode().label(), [p, s], g, [pi, si])
}

/// A snapshot of one estate from reads already made (the fleet reads regions by group).
pub fn assemble(
    estate: &Estate,
    mode: String,
    regions: [Result<Reading, crate::backend::BackendError>; 2],
    g: Result<Reading, crate::backend::BackendError>,
    identities: [Result<crate::model::Identity, crate::backend::BackendError>; 2],
) -> Snapshot {
    let [p, s] = regions;
    let [pi, si] = identities;
    let now = Instant::now();
    let interval = estate.poll_interval();
    let region =
        |side: Side,
         r: Result<Reading, crate::backend::BackendError>,
         identity: Result<crate::model::Identity, crate::backend::BackendError>| {
            let mut feed = Feed::default();
            apply_region(&mut feed, r, now);
            let account = estate.account(side, Some(identity.map_err(IdentityError::from)));
            RegionReport {
                region: estate.region(side).region.to_string(),
                account: AccountReport::from(&account),
                report: report(feed, now, interval),
            }
        };
    let mut global = Feed::default();
    apply_global(&mut global, g, now);
    let primary = region(Side::Primary, p, pi);
    let standby = region(Side::Standby, s, si);
    let global = report(global, now, interval);
    let posture = posture::posture(
        estate,
        primary.report.reading.as_ref(),
        standby.report.reading.as_ref(),
        global.reading.as_ref(),
    );
    let readiness = readiness::evaluate(
        estate,
        posture.active.unwrap_or(Side::Primary),
        [
            primary.report.reading.as_ref(),
            standby.report.reading.as_ref(),
        ],
        global.reading.as_ref(),
    );
    Snapshot {
        schema_version: SCHEMA_VERSION,
        estate: estate.name.clone(),
        mode,
        taken_at: chrono::Utc::now().to_rfc3339(),
        primary,
        standby,
        global,
        posture,
        readiness,
        evaluations: Vec::new(),
    }
}

/// A snapshot with every applicable runbook evaluated on its readings (permissions simulated,
/// a dry run, drift): what `drconsole status` prints for one estate.
pub async fn take_evaluated(
    estate: &std::sync::Arc<Estate>,
    backend: &std::sync::Arc<dyn Backend>,
) -> Snapshot {
    let mut snap = take(estate, backend.as_ref()).await;
    let region = |r: &RegionReport| {
        r.report
            .reading
            .clone()
            .ok_or_else(|| r.report.error.clone().unwrap_or_else(|| "not read".into()))
    };
    let readings = crate::evaluate::Snapshot {
        regions: [region(&snap.primary), region(&snap.standby)],
        posture: snap.posture.clone(),
    };
    snap.evaluations = crate::evaluate::evaluate_on(estate, backend, &readings).await;
    snap
}

fn report<T>(feed: Feed<T>, now: Instant, interval: Duration) -> ScopeReport<T> {
    let age = feed.age(Instant::now());
    ScopeReport {
        state: feed.state(now, interval),
        age_ms: age.map(|a| a.as_millis() as u64),
        // The wall-clock time of the fetch, not of the report.
        fetched_at: age.and_then(|a| {
            chrono::Duration::from_std(a)
                .ok()
                .map(|a| (chrono::Utc::now() - a).to_rfc3339())
        }),
        error: feed.error,
        reading: feed.data,
    }
}

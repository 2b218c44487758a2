//! The fleet overview's state: every estate's own [`App`] (the one-estate dashboard, fed by
//! the fleet's pollers), one row per estate sorted worst first, a name filter, the estate
//! whose dashboard is open, and an evacuation of a region: its typed confirmation and each
//! estate's progress.

use std::cell::RefCell;
use std::time::{Duration, Instant};

use super::{App, FeedState};
use crate::model::{Lag, Scope, Side};
use crate::poll::PollEvent;
use crate::poll::fleet::FleetEvent;
use crate::posture::PostureState;
use crate::readiness::{Readiness, Verdict};
use crate::runbook::api::ShownLoss;

/// How an estate stands in an evacuation.
#[derive(Debug, Clone, PartialEq)]
pub enum BatchState {
    /// Waiting for a free slot.
    Queued,
    /// Its run's latest line.
    Running(String),
    /// Its run ended with this exit code (0: completed).
    Done(i32),
}

/// An evacuation being confirmed: fail over every estate whose active region is `region`.
#[derive(Debug, Clone, PartialEq)]
pub struct Evacuation {
    pub region: String,
    pub runbook: String,
    /// The estates it runs on (indices into the fleet).
    pub estates: Vec<usize>,
    /// What has been typed so far; the phrase is `REGION N` (and `DISCARD`).
    pub typed: String,
    /// The writes an unplanned failover may discard, as the replicas' lag reads now: said
    /// before the phrase is typed, and accepted by typing `DISCARD` in it.
    pub data_loss: Option<String>,
    /// Per estate (like `estates`), the loss shown for it: what the phrase accepts, no more.
    pub shown: Vec<ShownLoss>,
}

impl Evacuation {
    /// What must be typed: the region and the number of estates, `us-east-1 3`, and
    /// `DISCARD` when the failover may lose writes (`us-east-1 3 DISCARD`), as one estate's
    /// promotion asks.
    pub fn phrase(&self) -> String {
        let discard = if self.data_loss.is_some() {
            " DISCARD"
        } else {
            ""
        };
        format!("{} {}{discard}", self.region, self.estates.len())
    }
}

/// What a failover of `rows` may discard: the largest replica lag, and the estates whose lag
/// is unknown (no data, or replication stopped); `None` when every lag reads 0.
fn data_loss(rows: &[&Row]) -> Option<String> {
    let known: Vec<u64> = rows
        .iter()
        .filter_map(|r| r.lag.known())
        .map(|d| d.as_secs())
        .collect();
    let unknown: Vec<&str> = rows
        .iter()
        .filter(|r| r.lag.known().is_none())
        .map(|r| r.name.as_str())
        .collect();
    let worst = known.iter().copied().max().unwrap_or(0);
    let mut parts = Vec::new();
    if worst > 0 {
        let lagging = known.iter().filter(|s| **s > 0).count();
        parts.push(format!(
            "up to {} of writes in {lagging} estate(s)",
            crate::timefmt::secs(worst)
        ));
    }
    if !unknown.is_empty() {
        parts.push(format!("an unknown share in {}", unknown.join(", ")));
    }
    (!parts.is_empty()).then(|| format!("DATA LOSS: {}", parts.join("; ")))
}

/// One row of the overview.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    pub estate: usize,
    pub name: String,
    pub posture: PostureState,
    pub active_region: Option<String>,
    pub lag: Lag,
    /// `ok`, `warn` (above `lag_warning`), `over` (above `rpo_budget`), `—` without a replica.
    pub lag_verdict: &'static str,
    pub budget: String,
    pub readiness: Verdict,
    pub dns: Option<Side>,
    pub reach: [FeedState; 2],
    /// The run in progress (or the evacuation's state) and its step.
    pub run: Option<String>,
    /// 0 is the worst.
    pub rank: u8,
}

/// Estates in each state, as the summary line counts them.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Summary {
    pub normal: usize,
    pub degraded: usize,
    pub failed_over: usize,
    pub unknown: usize,
}

pub struct FleetApp {
    pub apps: Vec<App>,
    /// The selected row, in the rows as shown (sorted and filtered).
    pub selected: usize,
    /// The estate whose dashboard is shown.
    pub open: Option<usize>,
    pub filter: String,
    /// `/` was pressed: keys type into the filter.
    pub filtering: bool,
    pub evacuation: Option<Evacuation>,
    /// Each estate's state in the evacuation running (or last run).
    pub batch: Vec<Option<BatchState>>,
    pub notice: Option<String>,
    pub read_only: bool,
    pub now: Instant,
    pub dirty: bool,
    pub should_quit: bool,
    /// Each estate's readiness verdict with the readings it was decided from: decided again
    /// when a reading lands, not on every frame.
    verdicts: RefCell<Vec<Option<(Stamp, Verdict)>>>,
}

/// When each of an estate's feeds last succeeded and failed: a new reading changes it.
type Stamp = [Option<Instant>; 6];

fn stamp(a: &App) -> Stamp {
    [
        a.primary.fetched_at,
        a.primary.error_at,
        a.standby.fetched_at,
        a.standby.error_at,
        a.global.fetched_at,
        a.global.error_at,
    ]
}

impl FleetApp {
    pub fn new(apps: Vec<App>, now: Instant) -> FleetApp {
        let n = apps.len();
        FleetApp {
            apps,
            selected: 0,
            open: None,
            filter: String::new(),
            filtering: false,
            evacuation: None,
            batch: vec![None; n],
            notice: None,
            read_only: false,
            now,
            dirty: true,
            should_quit: false,
            verdicts: RefCell::new(vec![None; n]),
        }
    }

    /// Estate `i`'s readiness verdict, decided again only when one of its readings changed.
    fn verdict(&self, i: usize, a: &App) -> Verdict {
        let now = stamp(a);
        let mut cache = self.verdicts.borrow_mut();
        if cache.len() <= i {
            cache.resize(i + 1, None);
        }
        match cache[i] {
            Some((s, v)) if s == now => v,
            _ => {
                let v = a.readiness().verdict;
                cache[i] = Some((now, v));
                v
            }
        }
    }

    /// Every estate's row matching the filter, worst first (then by name).
    pub fn rows(&self) -> Vec<Row> {
        self.view().0
    }

    /// The rows matching the filter and the summary of every estate, from one evaluation
    /// of each estate (what a frame draws).
    pub fn view(&self) -> (Vec<Row>, Summary) {
        let needle = self.filter.to_lowercase();
        let all: Vec<Row> = self
            .apps
            .iter()
            .enumerate()
            .map(|(i, a)| self.row(i, a))
            .collect();
        let summary = summarize(&all);
        let mut rows: Vec<Row> = all
            .into_iter()
            .filter(|r| needle.is_empty() || r.name.to_lowercase().contains(&needle))
            .collect();
        rows.sort_by(|a, b| a.rank.cmp(&b.rank).then_with(|| a.name.cmp(&b.name)));
        (rows, summary)
    }

    fn row(&self, i: usize, a: &App) -> Row {
        let posture = a.posture();
        let readiness = self.verdict(i, a);
        let replica = a.replica_side();
        let lag = a
            .region(replica)
            .data
            .as_ref()
            .and_then(|r| r.database.as_ref())
            .and_then(|d| d.as_ref().ok())
            .map(|d| d.lag)
            .unwrap_or(Lag::NoData);
        let lag_verdict = match lag.known() {
            _ if a.estate.database.is_none() => "—",
            Some(d) if d > a.estate.rpo_budget.0 => "over",
            Some(d) if d > a.estate.lag_warning.0 => "warn",
            Some(_) => "ok",
            None if lag == Lag::Stopped => "over",
            None => "?",
        };
        let run = match &self.batch[i] {
            Some(BatchState::Queued) => Some("evacuation: queued".to_string()),
            Some(BatchState::Running(line)) => Some(line.clone()),
            Some(BatchState::Done(0)) => Some("evacuation: completed".to_string()),
            Some(BatchState::Done(code)) => Some(format!("evacuation: FAILED (exit {code})")),
            None => a
                .run
                .as_ref()
                .filter(|_| a.run_active())
                .map(|_| "run".into()),
        };
        let rank = match (posture.state, readiness) {
            (PostureState::SplitBrain, _) => 0,
            _ if matches!(self.batch[i], Some(BatchState::Done(c)) if c != 0) => 0,
            (PostureState::Unknown, _) => 1,
            (_, Verdict::Degraded) => 2,
            (PostureState::FailedOver, _) => 3,
            (_, Verdict::Unknown) => 4,
            (PostureState::Reprotected, _) => 5,
            _ => 6,
        };
        Row {
            estate: i,
            name: a.estate.name.clone(),
            posture: posture.state,
            active_region: posture
                .active
                .map(|s| a.estate.region(s).region.to_string()),
            lag,
            lag_verdict,
            budget: a.estate.rpo_budget.to_string(),
            readiness,
            dns: a
                .global
                .data
                .as_ref()
                .and_then(|g| g.dns.as_ref())
                .and_then(|d| d.as_ref().ok())
                .and_then(|d| d.points_at),
            reach: [a.state_of(Side::Primary), a.state_of(Side::Standby)],
            run,
            rank,
        }
    }

    /// A poll reaches its estate: a region's reading with the time its services and targets
    /// were read, when earlier.
    pub fn apply_poll(&mut self, event: FleetEvent) {
        let Some(app) = self.apps.get_mut(event.estate) else {
            return;
        };
        if let PollEvent::Finished {
            scope: Scope::Region(side),
            result: Ok(_),
            ..
        } = &event.event
        {
            app.services_read_at[side_index(*side)] = event.services_at;
        }
        app.apply_poll(event.event);
        self.dirty = true;
    }

    /// Normal (ready, serving from the primary), degraded (or split brain), failed over (or
    /// re-protected in the standby), unknown.
    pub fn summary(&self) -> Summary {
        self.view().1
    }

    /// The estate of the selected row.
    pub fn selected_estate(&self) -> Option<usize> {
        self.rows().get(self.selected).map(|r| r.estate)
    }

    pub fn select(&mut self, delta: isize) {
        let n = self.rows().len();
        if n == 0 {
            self.selected = 0;
            return;
        }
        let at = self.selected as isize + delta;
        self.selected = at.clamp(0, n as isize - 1) as usize;
        self.dirty = true;
    }

    /// Offers to move every estate served from the selected estate's serving region out of
    /// it (`failover` from the primary, `failback` from the standby).
    pub fn offer_evacuation(&mut self) -> Option<&Evacuation> {
        let estate = self.selected_estate()?;
        let (side, region) = serving(&self.apps[estate]);
        let runbook = match side {
            Side::Primary => "failover",
            Side::Standby => "failback",
        };
        let estates: Vec<usize> = self
            .apps
            .iter()
            .enumerate()
            .filter(|(_, o)| serving(o) == (side, region.clone()))
            .map(|(i, _)| i)
            .collect();
        // A failback is planned (writes stopped, caught up): nothing to discard.
        let data_loss = (side == Side::Primary)
            .then(|| {
                let rows = self.rows();
                let chosen: Vec<&Row> = rows
                    .iter()
                    .filter(|r| estates.contains(&r.estate))
                    .collect();
                data_loss(&chosen)
            })
            .flatten();
        // What the phrase accepts per estate: the loss it showed, "up to" the largest lag
        // read; an estate whose lag was not known accepts none.
        let rows = self.rows();
        let lag_of = |i: &usize| {
            rows.iter()
                .find(|r| r.estate == *i)
                .and_then(|r| r.lag.known())
                .map(|d| d.as_secs())
        };
        let worst = estates.iter().filter_map(lag_of).max();
        let shown = estates
            .iter()
            .map(|i| ShownLoss {
                up_to_secs: lag_of(i).and(worst),
            })
            .collect();
        self.evacuation = Some(Evacuation {
            region,
            runbook: runbook.into(),
            estates,
            typed: String::new(),
            data_loss,
            shown,
        });
        self.dirty = true;
        self.evacuation.as_ref()
    }

    /// Whether the typed text confirms the evacuation.
    pub fn evacuation_confirmed(&self) -> bool {
        self.evacuation
            .as_ref()
            .is_some_and(|e| e.typed.trim() == e.phrase())
    }

    /// Whether an evacuation runs now.
    pub fn batch_running(&self) -> bool {
        self.batch
            .iter()
            .any(|b| matches!(b, Some(BatchState::Queued | BatchState::Running(_))))
    }
}

fn side_index(side: Side) -> usize {
    match side {
        Side::Primary => 0,
        Side::Standby => 1,
    }
}

impl App {
    /// How old a side's services and target health are, where they were read before the
    /// rest of its reading (the fleet reads them in turn); `None` when read with it.
    pub fn services_age(&self, side: Side) -> Option<Duration> {
        let at = self.services_read_at[side_index(side)]?;
        let region = self.region(side).fetched_at?;
        (at < region).then(|| self.now.saturating_duration_since(at))
    }

    /// Says on the readiness items that depend on services how old their reading is, where
    /// it is older than the region's.
    pub(super) fn mark_services_age(&self, r: &mut Readiness) {
        let Some(age) = self.services_age(r.side) else {
            return;
        };
        let label = format!("{} services defined", r.side);
        for item in r.items.iter_mut().filter(|i| i.label == label) {
            item.detail
                .push_str(&format!(" · read {}", crate::timefmt::age(Some(age))));
        }
    }
}

fn summarize(rows: &[Row]) -> Summary {
    let mut s = Summary::default();
    for r in rows {
        match r.posture {
            PostureState::Unknown => s.unknown += 1,
            PostureState::SplitBrain => s.degraded += 1,
            PostureState::FailedOver | PostureState::Reprotected => s.failed_over += 1,
            PostureState::Normal if r.readiness == Verdict::Ready => s.normal += 1,
            PostureState::Normal => s.degraded += 1,
        }
    }
    s
}

/// The side an estate serves from, and its region: the posture's active side; when that
/// cannot be decided (in a regional outage the failed region does not answer), the side
/// DNS points at; with neither read, the primary.
pub fn serving(a: &App) -> (Side, String) {
    let dns = a
        .global
        .data
        .as_ref()
        .and_then(|g| g.dns.as_ref())
        .and_then(|d| d.as_ref().ok())
        .and_then(|d| d.points_at);
    let side = a.posture().active.or(dns).unwrap_or(Side::Primary);
    (side, a.estate.region(side).region.to_string())
}

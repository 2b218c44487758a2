//! The fleet overview's state: every estate's own [`App`] (the one-estate dashboard, fed by
//! the fleet's pollers), one row per estate sorted worst first, a name filter, the estate
//! whose dashboard is open, and an evacuation of a region: its typed confirmation and each
//! estate's progress.

mod evacuation;
mod row;
pub mod scroll;

use std::cell::{Cell, RefCell};
use std::time::{Duration, Instant};

use super::App;
use crate::model::{Scope, Side};
use crate::poll::PollEvent;
use crate::poll::fleet::FleetEvent;
use crate::readiness::{Readiness, Verdict};
use crate::runbook::api::ShownLoss;
pub use evacuation::{Evacuation, Reask, serving};
pub use row::{Row, Summary};

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
    /// Estates of the evacuation stopped because their loss grew past what was shown, each
    /// waiting for a new typed decision (oldest first).
    pub reasks: Vec<Reask>,
    /// The first of `reasks` is on screen (`d` shows it again after `Esc`).
    pub reask_open: bool,
    /// Per estate, the loss the last typed decision of an evacuation accepted for it.
    pub shown: Vec<Option<ShownLoss>>,
    /// `q` was pressed once while a run was in progress; the next `q` quits.
    pub quit_armed: bool,
    /// The first row drawn, as the last frame scrolled (kept by the renderer, as a list
    /// widget keeps its offset), and how many rows it showed: what PgUp/PgDn move by.
    pub top: Cell<usize>,
    pub page: Cell<usize>,
    /// The plan view's last first line (its text less a screenful), as last drawn.
    pub plan_max: Cell<usize>,
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
            reasks: Vec::new(),
            reask_open: false,
            shown: vec![None; n],
            quit_armed: false,
            top: Cell::new(0),
            page: Cell::new(1),
            plan_max: Cell::new(0),
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
    pub(super) fn verdict(&self, i: usize, a: &App) -> Verdict {
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
        let summary = row::summarize(&all);
        let mut rows: Vec<Row> = all
            .into_iter()
            .filter(|r| needle.is_empty() || r.name.to_lowercase().contains(&needle))
            .collect();
        rows.sort_by(|a, b| a.rank.cmp(&b.rank).then_with(|| a.name.cmp(&b.name)));
        (rows, summary)
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

    /// Whether an evacuation runs now.
    pub fn batch_running(&self) -> bool {
        self.batch
            .iter()
            .any(|b| matches!(b, Some(BatchState::Queued | BatchState::Running(_))))
    }
}

pub(super) fn side_index(side: Side) -> usize {
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

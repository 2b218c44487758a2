//! The app's state, with one owner: pollers and input send it messages; rendering reads it.
//! It knows no screen: how it is drawn (and in which theme) is the ui's and the console's.

pub mod fleet;
pub mod keys;
mod picker;
mod precheck;
pub mod runlog;
pub mod runview;
mod update;

use std::collections::{BTreeMap, VecDeque};
use std::time::{Duration, Instant};

use crate::backend::sim::Faults;
use crate::config::Estate;
use crate::model::{AccountCheck, GlobalReading, IdentityRead, Lag, RegionReading, Side};
pub use crate::poll::{Feed, FeedState};
use crate::posture::{self, Posture};
use crate::readiness::{self, Readiness};
pub use picker::{PickInfo, PickItem, Picker};
pub use runlog::{LOG_LINES, LogEntry, RunLog};
pub use runview::{ClockMark, Question, RunPane, RunView, Typing};
pub use update::Effect;

/// How many lag samples the sparkline keeps.
pub const LAG_HISTORY: usize = 120;

/// The smallest terminal a step can be confirmed in: below it the question cannot be shown
/// whole (the step, every call, current → target, what to type), so `y` is refused.
pub const MIN_CONFIRM: (u16, u16) = (60, 20);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Panel {
    Replication,
    Readiness,
    Services,
    Asgs,
    Health,
}

impl Panel {
    pub const ALL: [Panel; 5] = [
        Panel::Replication,
        Panel::Readiness,
        Panel::Services,
        Panel::Asgs,
        Panel::Health,
    ];
    pub fn index(self) -> usize {
        Panel::ALL.iter().position(|p| *p == self).unwrap_or(0)
    }
    pub fn next(self) -> Panel {
        Panel::ALL[(self.index() + 1) % Panel::ALL.len()]
    }
    pub fn prev(self) -> Panel {
        Panel::ALL[(self.index() + Panel::ALL.len() - 1) % Panel::ALL.len()]
    }
}

pub struct App {
    pub estate: Estate,
    /// `SIMULATION` or the AWS profile / account.
    pub mode: String,
    pub simulation: bool,
    pub read_only: bool,
    pub primary: Feed<RegionReading>,
    pub standby: Feed<RegionReading>,
    pub global: Feed<GlobalReading>,
    /// Who each side's credentials are, as last read (see [`crate::model::merge_identity`]).
    pub identities: BTreeMap<Side, IdentityRead>,
    /// Replica lag samples as polled, oldest first.
    pub lag_history: VecDeque<Lag>,
    pub faults: Faults,
    pub focus: Panel,
    pub scroll: [usize; 5],
    pub show_help: bool,
    pub paused: bool,
    pub now: Instant,
    /// A short message shown in the footer (e.g. a fault toggled).
    pub notice: Option<(String, Instant)>,
    /// The runbook run shown in the run view (the latest one).
    pub run: Option<RunView>,
    /// The full dashboard instead of the run view while a run is shown.
    pub dashboard_in_run: bool,
    /// The terminal's size as last drawn (columns, rows); `None` before the first frame.
    pub screen: Option<(u16, u16)>,
    pub picker: Option<Picker>,
    pub typing: Option<Typing>,
    /// An unfinished run found in the journal at start-up, offered for resuming.
    pub unfinished: Option<crate::runbook::Journal>,
    /// The posture as of the last poll (see [`App::posture`]).
    posture: Posture,
    /// Runbooks make no AWS call (`--dry-run`).
    pub dry_run: bool,
    /// `q` was pressed once during a run; the next `q` quits.
    pub quit_armed: bool,
    pub should_quit: bool,
    /// Set when the screen needs drawing.
    pub dirty: bool,
    /// When each side's ECS services and target health were read, where that was before the
    /// rest of its reading (the fleet reads them in turn); `None` when read with it.
    pub services_read_at: [Option<Instant>; 2],
    /// Each runbook's latest evaluation as it arrived (see [`App::evaluations`]), and when.
    pub evaluated: Option<(Vec<crate::model::Evaluation>, Instant)>,
}

impl App {
    pub fn new(estate: Estate, mode: String, simulation: bool, now: Instant) -> App {
        let posture = posture::posture(&estate, None, None, None);
        App {
            estate,
            mode,
            simulation,
            read_only: false,
            primary: Feed::default(),
            standby: Feed::default(),
            global: Feed::default(),
            identities: BTreeMap::new(),
            lag_history: VecDeque::with_capacity(LAG_HISTORY),
            faults: Faults::default(),
            focus: Panel::Replication,
            scroll: [0; 5],
            show_help: false,
            paused: false,
            now,
            notice: None,
            run: None,
            dashboard_in_run: false,
            screen: None,
            picker: None,
            typing: None,
            unfinished: None,
            posture,
            dry_run: false,
            quit_armed: false,
            should_quit: false,
            dirty: true,
            services_read_at: [None; 2],
            evaluated: None,
        }
    }

    /// The runbooks' evaluations with their drift judged on the latest readings (the rest
    /// is as of the last evaluation), and the evaluation's age.
    pub fn evaluations(&self) -> Vec<(crate::model::Evaluation, Duration)> {
        let Some((list, at)) = &self.evaluated else {
            return Vec::new();
        };
        let active = self.posture().active.unwrap_or(Side::Primary);
        let readings = [self.primary.data.as_ref(), self.standby.data.as_ref()];
        let age = self.now.saturating_duration_since(*at);
        list.iter()
            .map(|e| {
                (
                    crate::evaluate::schedule::with_drift(e, &self.estate, active, readings),
                    age,
                )
            })
            .collect()
    }

    pub fn region(&self, side: Side) -> &Feed<RegionReading> {
        match side {
            Side::Primary => &self.primary,
            Side::Standby => &self.standby,
        }
    }

    pub fn region_mut(&mut self, side: Side) -> &mut Feed<RegionReading> {
        match side {
            Side::Primary => &mut self.primary,
            Side::Standby => &mut self.standby,
        }
    }

    pub fn interval(&self) -> Duration {
        self.estate.poll_interval()
    }

    pub fn state_of(&self, side: Side) -> FeedState {
        self.region(side).state(self.now, self.interval())
    }

    pub fn global_state(&self) -> FeedState {
        self.global.state(self.now, self.interval())
    }

    /// The most recent successful fetch of any scope.
    pub fn last_refresh(&self) -> Option<Instant> {
        [
            self.primary.fetched_at,
            self.standby.fetched_at,
            self.global.fetched_at,
        ]
        .into_iter()
        .flatten()
        .max()
    }

    /// The estate's posture from the latest readings, decided when a poll lands (it changes
    /// with readings, not with time), not on every frame.
    pub fn posture(&self) -> &Posture {
        &self.posture
    }

    /// Decides the posture again; a scope that is unreachable now counts as unread, whatever
    /// it last showed.
    pub fn refresh_posture(&mut self) {
        self.posture = self.decide_posture();
    }

    fn decide_posture(&self) -> Posture {
        let readable = |side: Side| {
            (self.state_of(side) != FeedState::Unreachable)
                .then_some(self.region(side).data.as_ref())
                .flatten()
        };
        let global = (self.global_state() != FeedState::Unreachable)
            .then_some(self.global.data.as_ref())
            .flatten();
        posture::posture(
            &self.estate,
            readable(Side::Primary),
            readable(Side::Standby),
            global,
        )
    }

    /// The side whose database should be the replica: the one standing by.
    pub fn replica_side(&self) -> Side {
        self.posture().passive()
    }

    /// Readiness of the side standing by, as the posture says which one that is.
    pub fn readiness(&self) -> Readiness {
        let active = self.posture().active.unwrap_or(Side::Primary);
        let mut r = readiness::evaluate(
            &self.estate,
            active,
            [self.primary.data.as_ref(), self.standby.data.as_ref()],
            self.global.data.as_ref(),
        );
        self.mark_services_age(&mut r);
        r
    }

    /// A side's account as read, against the estate file's pin.
    pub fn account(&self, side: Side) -> AccountCheck {
        self.estate
            .account(side, self.identities.get(&side).cloned())
    }

    /// Both sides' accounts.
    pub fn accounts(&self) -> Vec<AccountCheck> {
        Side::BOTH.iter().map(|s| self.account(*s)).collect()
    }

    /// Why no runbook may start: a pinned account differs or is not verified.
    pub fn runbook_refusal(&self) -> Option<String> {
        crate::model::runbook_refusal(&self.accounts())
    }

    /// Whether the run view takes the screen: a run is shown and the dashboard was not asked for.
    pub fn run_view(&self) -> bool {
        self.run.is_some() && !self.dashboard_in_run
    }

    /// Whether the terminal is large enough to show a question whole (unknown counts as
    /// large enough: nothing has been drawn yet, so no key has answered a drawn question).
    pub fn screen_fits_confirm(&self) -> bool {
        self.screen
            .is_none_or(|(w, h)| w >= MIN_CONFIRM.0 && h >= MIN_CONFIRM.1)
    }

    /// Whether a run is in progress (started and not finished).
    pub fn run_active(&self) -> bool {
        self.run.as_ref().is_some_and(|r| !r.finished())
    }

    pub fn scroll_of(&self, panel: Panel) -> usize {
        self.scroll[panel.index()]
    }
}

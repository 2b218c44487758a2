//! The app's state, with one owner: pollers and input send it messages; rendering reads it.
//! It knows no screen: how it is drawn (and in which theme) is the ui's and the console's.

pub mod fleet;
pub mod keys;
mod panel;
mod picker;
mod precheck;
mod reading;
pub mod runlog;
pub mod runview;
mod update;

use std::collections::{BTreeMap, VecDeque};
use std::time::Instant;

use crate::backend::sim::Faults;
use crate::config::Estate;
use crate::model::{GlobalReading, IdentityRead, Lag, RegionReading, Side};
pub use crate::poll::{Feed, FeedState};
use crate::posture::{self, Posture};
pub use panel::Panel;
pub use picker::{PickInfo, PickItem, Picker};
pub use runlog::{LOG_LINES, LogEntry, RunLog};
pub use runview::{ClockMark, Question, RunPane, RunView, Typing};
pub use update::Effect;

/// How many lag samples the sparkline keeps.
pub const LAG_HISTORY: usize = 120;

/// The smallest terminal a step can be confirmed in: below it the question cannot be shown
/// whole (the step, every call, current → target, what to type), so `y` is refused.
pub const MIN_CONFIRM: (u16, u16) = (60, 20);

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
}

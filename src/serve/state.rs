//! What `serve` knows of one estate: the latest reading of each scope (with its age), the
//! latest evaluation of its runbooks, and an unfinished run found in the state directory.
//! Updated by its poll and evaluation tasks; read by each scrape.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Instant;

use crate::backend::Backend;
use crate::config::Estate;
use crate::evaluate::schedule::with_drift;
use crate::model::{Evaluation, GlobalReading, RegionReading, Scope, Side};
use crate::poll::{Feed, PollEvent, Reading};
use crate::posture::{self, Posture};
use crate::readiness::{self, Readiness};

/// An unfinished run: its runbook, id and the step it stands at.
#[derive(Debug, Clone, PartialEq)]
pub struct RunInfo {
    pub runbook: String,
    pub run_id: String,
    /// The first step not finished, with its state (`awaiting confirmation`, `running`).
    pub step: Option<(String, String)>,
    pub updated_at: chrono::DateTime<chrono::Utc>,
}

pub struct EstateState {
    pub estate: Arc<Estate>,
    pub backend: Arc<dyn Backend>,
    pub regions: [Feed<RegionReading>; 2],
    pub global: Feed<GlobalReading>,
    /// The evaluations as made, and when they arrived.
    evaluations: Vec<Evaluation>,
    pub evaluated: Option<Instant>,
    /// `None`: no unfinished run; `Some(Err)`: the state directory could not be read.
    pub run: Result<Option<RunInfo>, String>,
    pub state_dir: PathBuf,
}

/// What a scrape reads: judged once from the readings it was given.
pub struct View {
    pub posture: Posture,
    pub readiness: Readiness,
    pub evaluations: Vec<Evaluation>,
}

impl EstateState {
    pub fn new(estate: Arc<Estate>, backend: Arc<dyn Backend>, state_dir: PathBuf) -> Self {
        EstateState {
            estate,
            backend,
            regions: Default::default(),
            global: Feed::default(),
            evaluations: Vec::new(),
            evaluated: None,
            run: Ok(None),
            state_dir,
        }
    }

    pub fn apply(&mut self, ev: PollEvent) {
        match ev {
            PollEvent::Started { scope, at } => match scope {
                Scope::Region(s) => self.regions[idx(s)].started(at),
                Scope::Global => self.global.started(at),
            },
            PollEvent::Finished { scope, at, result } => match (scope, result) {
                (Scope::Region(s), Ok(Reading::Region(r))) => {
                    self.regions[idx(s)].succeeded(*r, at)
                }
                (Scope::Global, Ok(Reading::Global(g))) => self.global.succeeded(g, at),
                (Scope::Region(s), Err(e)) => self.regions[idx(s)].failed(e.to_string(), at),
                (Scope::Global, Err(e)) => self.global.failed(e.to_string(), at),
                _ => {}
            },
            PollEvent::Identity { .. } => {}
        }
    }

    pub fn evaluated(&mut self, evaluations: Vec<Evaluation>, at: Instant) {
        self.evaluations = evaluations;
        self.evaluated = Some(at);
    }

    /// What the state directory holds: the newest unfinished run, kept when it is this
    /// estate's.
    pub fn set_run(&mut self, found: Result<Option<crate::runbook::Journal>, String>) {
        self.run = found.map(|j| {
            j.filter(|j| j.estate == self.estate.name).map(|j| RunInfo {
                runbook: j.runbook.clone(),
                run_id: j.run_id.clone(),
                step: j
                    .steps
                    .iter()
                    .find(|s| s.parent.is_none() && !s.status.is_final())
                    .map(|s| (s.id.clone(), s.status.label().to_string())),
                updated_at: j.updated_at,
            })
        });
    }

    fn reading(&self, side: Side) -> Option<&RegionReading> {
        self.regions[idx(side)].data.as_ref()
    }

    /// Posture, readiness and the evaluations with their drift judged on the latest readings.
    pub fn view(&self) -> View {
        let readings = [self.reading(Side::Primary), self.reading(Side::Standby)];
        let posture = posture::posture(
            &self.estate,
            readings[0],
            readings[1],
            self.global.data.as_ref(),
        );
        let active = posture.active.unwrap_or(Side::Primary);
        let readiness =
            readiness::evaluate(&self.estate, active, readings, self.global.data.as_ref());
        let evaluations = self
            .evaluations
            .iter()
            .map(|e| with_drift(e, &self.estate, active, readings))
            .collect();
        View {
            posture,
            readiness,
            evaluations,
        }
    }
}

pub fn idx(side: Side) -> usize {
    match side {
        Side::Primary => 0,
        Side::Standby => 1,
    }
}

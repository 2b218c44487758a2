//! An evacuation of a region: which estates it moves, the loss its typed phrase accepts per
//! estate, and each estate's plan shown before the phrase is typed.

use super::FleetApp;
use super::row::Row;
use crate::app::App;
use crate::model::Side;
use crate::runbook::api::ShownLoss;
use crate::runbook::batch::plan::{EstatePlan, render_plan};
use crate::runbook::plan::Loss;

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
    /// Per estate (like `estates`), its plan as read after the offer; `None` while it is read.
    pub plans: Vec<Option<EstatePlan>>,
    /// The first line of the plan view shown.
    pub scroll: usize,
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

impl FleetApp {
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
        let n = estates.len();
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
            plans: vec![None; n],
            shown,
            scroll: 0,
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

impl Evacuation {
    /// Whether every estate's plan has been read.
    pub fn planned(&self) -> bool {
        self.plans.iter().all(Option::is_some)
    }

    /// The plan view's text: every estate's plan as read so far (see
    /// [`crate::runbook::batch::plan::render_plans`]), `reading…` for the others.
    pub fn plan_lines(&self, names: &[&str]) -> Vec<String> {
        let mut lines = Vec::new();
        for (k, plan) in self.plans.iter().enumerate() {
            match plan {
                Some(p) => lines.extend(render_plan(p).lines().map(str::to_string)),
                None => lines.push(format!(
                    "== {}: reading its plan…",
                    names.get(k).copied().unwrap_or("?")
                )),
            }
            lines.push(String::new());
        }
        lines
    }
}

/// An estate of the evacuation stopped because its loss at the promotion was unknown or
/// larger than the one shown: it waits for a new typed decision, `DISCARD` (fail it over,
/// accepting the loss as read now) or `SKIP` (leave it as it is).
#[derive(Debug, Clone, PartialEq)]
pub struct Reask {
    pub estate: usize,
    pub runbook: String,
    /// What the evacuation's phrase accepted for it.
    pub shown: ShownLoss,
    /// Its plan read again after it stopped; `None` while it is read.
    pub plan: Option<EstatePlan>,
    pub typed: String,
}

impl Reask {
    /// The loss a `DISCARD` now accepts: the plan's, as read after the stop.
    pub fn loss(&self) -> Option<Loss> {
        self.plan.as_ref().and_then(|p| p.loss)
    }

    /// What `DISCARD` stands for, per estate: the loss read now when it is known (a larger
    /// one stops it again), `None` (any loss: `--allow-data-loss`) when it is not.
    pub fn accepted(&self) -> Option<ShownLoss> {
        match self.loss() {
            Some(Loss::UpTo { secs }) => Some(ShownLoss {
                up_to_secs: Some(secs),
            }),
            None => Some(ShownLoss {
                up_to_secs: Some(0),
            }),
            Some(Loss::Stopped | Loss::NoData) => None,
        }
    }
}

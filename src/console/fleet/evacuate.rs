//! The evacuation of a region from the overview: the offer and each estate's plan (read in
//! the background, shown before the phrase is typed), the typed confirmation, the batch of
//! runs in the background, and their progress on the overview.

use std::sync::{Arc, Mutex};

use crossterm::event::{KeyCode, KeyEvent};
use tokio::sync::mpsc;

use super::FleetLoop;
use crate::app::fleet::{BatchState, FleetApp};
use crate::runbook::batch::plan::{EstatePlan, plan_estate};
use crate::runbook::batch::{BatchMember, BatchProgress, SharedOut, ShownLosses, run_batch};

/// A plan read in the background.
pub enum PlanMsg {
    /// The plan of the `k`th estate of the evacuation offered as `offer`.
    Evacuation {
        offer: u64,
        k: usize,
        plan: EstatePlan,
    },
    /// The plan of an estate whose loss grew, read again.
    Reask { estate: usize, plan: EstatePlan },
}

impl FleetLoop {
    /// Offers the evacuation of the selected estate's serving region, and reads each
    /// estate's plan in the background.
    pub(super) fn offer_evacuation(&mut self, fleet: &mut FleetApp) {
        if fleet.read_only {
            fleet.notice = Some("read-only: runbooks are not available".into());
            return;
        }
        if fleet.batch_running() {
            fleet.notice = Some("an evacuation is running".into());
            return;
        }
        let busy: Vec<&str> = fleet
            .apps
            .iter()
            .filter(|a| a.run_active())
            .map(|a| a.estate.name.as_str())
            .collect();
        if !busy.is_empty() {
            fleet.notice = Some(format!(
                "a run is in progress in {}: finish it before an evacuation",
                busy.join(", ")
            ));
            return;
        }
        let Some(e) = fleet.offer_evacuation() else {
            fleet.notice = Some("the selected estate's active region is not known".into());
            return;
        };
        self.offer += 1;
        let (estates, runbook) = (e.estates.clone(), e.runbook.clone());
        for (k, i) in estates.into_iter().enumerate() {
            self.read_plan(i, &runbook, move |plan| PlanMsg::Evacuation {
                offer: 0,
                k,
                plan,
            });
        }
    }

    /// Reads estate `i`'s plan of `runbook` in a task of its own (the screen never waits).
    pub(super) fn read_plan(
        &self,
        i: usize,
        runbook: &str,
        msg: impl FnOnce(EstatePlan) -> PlanMsg + Send + 'static,
    ) {
        let Some(member) = self.members.get(i).cloned() else {
            return;
        };
        let (tx, runbook, pace, offer) = (
            self.plans_tx.clone(),
            runbook.to_string(),
            self.run_options.pace,
            self.offer,
        );
        tokio::spawn(async move {
            let plan = plan_estate(&member, &runbook, pace).await;
            let msg = match msg(plan) {
                PlanMsg::Evacuation { k, plan, .. } => PlanMsg::Evacuation { offer, k, plan },
                other => other,
            };
            let _ = tx.send(msg);
        });
    }

    pub(super) fn apply_plan(&mut self, m: PlanMsg, fleet: &mut FleetApp) {
        match m {
            PlanMsg::Evacuation { offer, k, plan } if offer == self.offer => {
                if let Some(slot) = fleet.evacuation.as_mut().and_then(|e| e.plans.get_mut(k)) {
                    *slot = Some(plan);
                }
            }
            PlanMsg::Evacuation { .. } => {}
            PlanMsg::Reask { estate, plan } => {
                if let Some(r) = fleet.reasks.iter_mut().find(|r| r.estate == estate) {
                    r.plan = Some(plan);
                }
            }
        }
        fleet.dirty = true;
    }

    pub(super) fn evacuation_key(&mut self, key: KeyEvent, fleet: &mut FleetApp) {
        let confirmed = fleet.evacuation_confirmed();
        let Some(e) = fleet.evacuation.as_mut() else {
            return;
        };
        let page = fleet.page.get().max(1);
        match key.code {
            KeyCode::Esc => {
                fleet.evacuation = None;
                self.offer += 1;
            }
            KeyCode::Up => e.scroll = e.scroll.saturating_sub(1),
            KeyCode::Down => e.scroll += 1,
            KeyCode::PageUp => e.scroll = e.scroll.saturating_sub(page),
            KeyCode::PageDown => e.scroll += page,
            KeyCode::Home => e.scroll = 0,
            KeyCode::End => e.scroll = fleet.plan_max.get(),
            KeyCode::Backspace => {
                e.typed.pop();
            }
            KeyCode::Char(c) => e.typed.push(c),
            KeyCode::Enter if confirmed && !e.planned() => {
                let read = e.plans.iter().filter(|p| p.is_some()).count();
                fleet.notice = Some(format!(
                    "every estate's plan is shown before it starts: {read} of {} read",
                    e.plans.len()
                ));
            }
            KeyCode::Enter if confirmed => {
                if let Some(e) = fleet.evacuation.take() {
                    let shown = e.shown.into_iter().map(Some).collect();
                    self.start_batch(e.runbook, e.estates, shown, false, fleet);
                    fleet.notice = Some("evacuation started".into());
                }
            }
            KeyCode::Enter => {
                let phrase = e.phrase();
                e.typed.clear();
                fleet.notice = Some(format!("not confirmed: type {phrase} exactly"));
            }
            _ => {}
        }
        if let Some(e) = fleet.evacuation.as_mut() {
            e.scroll = e.scroll.min(fleet.plan_max.get());
        }
    }

    /// The estates' runs, in the background. `shown` is, per estate, the loss its decision
    /// accepted (an estate whose loss at its promotion is unknown or larger stops there and
    /// asks again); `None` with `any_loss` accepts whatever it is (a typed `DISCARD` for an
    /// unknown loss). Each estate's unfinished run is resumed, never abandoned: its lock is
    /// claimed before its journal is changed, and a run live on this machine keeps it.
    pub(super) fn start_batch(
        &mut self,
        runbook: String,
        estates: Vec<usize>,
        shown: ShownLosses,
        any_loss: bool,
        fleet: &mut FleetApp,
    ) {
        let members: Vec<BatchMember> = estates
            .iter()
            .filter_map(|i| self.members.get(*i).cloned())
            .collect();
        for &i in &estates {
            if let Some(b) = fleet.batch.get_mut(i) {
                *b = Some(BatchState::Queued);
            }
        }
        let mut opts = self.run_options.clone();
        opts.yes = true;
        opts.allow_irreversible = true;
        opts.allow_data_loss = any_loss;
        opts.new_run = false;
        let sink: SharedOut = Arc::new(Mutex::new(Box::new(std::io::sink())));
        let (tx, mut rx) = mpsc::unbounded_channel();
        let forward = self.progress_tx.clone();
        for (i, s) in estates.iter().zip(&shown) {
            if let Some(slot) = fleet.shown.get_mut(*i) {
                *slot = *s;
            }
        }
        // Progress arrives by position in the batch: map it back to the estate.
        tokio::spawn(async move {
            while let Some(p) = rx.recv().await {
                let at = |i: usize| estates.get(i).copied().unwrap_or(usize::MAX);
                let p = match p {
                    BatchProgress::Started { estate } => {
                        BatchProgress::Started { estate: at(estate) }
                    }
                    BatchProgress::Line { estate, line } => BatchProgress::Line {
                        estate: at(estate),
                        line,
                    },
                    BatchProgress::LossGrew { estate } => {
                        BatchProgress::LossGrew { estate: at(estate) }
                    }
                    BatchProgress::Finished { estate, code } => BatchProgress::Finished {
                        estate: at(estate),
                        code,
                    },
                };
                if forward.send(p).is_err() {
                    return;
                }
            }
        });
        let concurrency = self.concurrency;
        let control = self.control.clone();
        tokio::spawn(async move {
            run_batch(members, shown, &runbook, opts, concurrency, sink, Some(tx)).await;
            control.refresh_now();
        });
    }

    /// An evacuation's progress reaches the overview. An estate stopped because its loss
    /// grew waits for a new decision, its plan read again.
    pub(super) fn apply_progress(&mut self, p: BatchProgress, fleet: &mut FleetApp) {
        let (estate, state) = match p {
            BatchProgress::Started { estate } => (estate, BatchState::Running("starting".into())),
            BatchProgress::Line { estate, line } => {
                (estate, BatchState::Running(line.trim().to_string()))
            }
            BatchProgress::LossGrew { estate } => {
                self.loss_grew(estate, fleet);
                return;
            }
            BatchProgress::Finished { estate, code } => (estate, BatchState::Done(code)),
        };
        if let Some(slot) = fleet.batch.get_mut(estate) {
            *slot = Some(state);
            fleet.dirty = true;
        }
    }
}

//! An estate of the evacuation whose loss grew past the one shown: it stopped before
//! discarding anything; its plan is read again and the operator types a new decision,
//! `DISCARD` (fail it over accepting the loss as read now) or `SKIP` (leave it as it is),
//! while the other estates go on.

use crossterm::event::{KeyCode, KeyEvent};

use super::FleetLoop;
use super::evacuate::PlanMsg;
use crate::app::fleet::{FleetApp, Reask};
use crate::runbook::api::{DISCARD, ShownLoss};

/// The word typed to leave an estate whose loss grew as it is.
const SKIP: &str = "SKIP";

impl FleetLoop {
    /// A key while an estate whose loss grew waits for its decision.
    pub(super) fn reask_key(&mut self, key: KeyEvent, fleet: &mut FleetApp) {
        let Some(r) = fleet.reasks.first_mut() else {
            return;
        };
        match key.code {
            // Later: `d` on the overview shows it again.
            KeyCode::Esc => {
                fleet.reask_open = false;
                fleet.notice = None;
            }
            KeyCode::Backspace => {
                r.typed.pop();
            }
            KeyCode::Char(c) => r.typed.push(c),
            KeyCode::Enter => {
                let typed = r.typed.trim().to_string();
                let name = fleet.apps[r.estate].estate.name.clone();
                if typed == SKIP {
                    fleet.reasks.remove(0);
                    fleet.notice = Some(format!("{name}: skipped, left as it is"));
                } else if typed == DISCARD && r.plan.is_some() {
                    let r = fleet.reasks.remove(0);
                    let accepted = r.accepted();
                    self.start_batch(
                        r.runbook,
                        vec![r.estate],
                        vec![accepted],
                        accepted.is_none(),
                        fleet,
                    );
                    fleet.notice = Some(format!("{name}: failing over, its new loss accepted"));
                } else if typed == DISCARD {
                    fleet.notice = Some(format!("{name}: its loss is still being read"));
                } else {
                    r.typed.clear();
                    fleet.notice = Some(format!("type {DISCARD} or {SKIP} exactly"));
                }
                fleet.reask_open = !fleet.reasks.is_empty();
            }
            _ => {}
        }
    }

    pub(super) fn loss_grew(&mut self, estate: usize, fleet: &mut FleetApp) {
        if estate >= fleet.apps.len() || fleet.reasks.iter().any(|r| r.estate == estate) {
            return;
        }
        // Only a failover discards writes (a failback is planned): it is what stopped.
        let runbook = "failover".to_string();
        fleet.reasks.push(Reask {
            estate,
            runbook: runbook.clone(),
            shown: fleet
                .shown
                .get(estate)
                .copied()
                .flatten()
                .unwrap_or(ShownLoss { up_to_secs: None }),
            plan: None,
            typed: String::new(),
        });
        fleet.reask_open = true;
        fleet.dirty = true;
        self.read_plan(estate, &runbook, move |plan| PlanMsg::Reask {
            estate,
            plan,
        });
    }
}

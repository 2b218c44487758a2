//! An estate of the evacuation whose loss grew past the one shown: it stopped before
//! discarding anything; its plan is read again and the operator types a new decision,
//! `DISCARD` (fail it over accepting the loss as read now) or `SKIP` (leave it as it is),
//! while the other estates go on. Either decision is written to the audit log: `DISCARD` by
//! the run it starts, `SKIP` here, with the loss shown and the loss read again.

use crossterm::event::{KeyCode, KeyEvent};

use super::FleetLoop;
use super::evacuate::PlanMsg;
use crate::app::fleet::{FleetApp, Reask};
use crate::runbook::api::{DISCARD, ShownLoss};
use crate::runbook::audit::{AuditLog, default_audit_path, os_user};

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
                    let r = fleet.reasks.remove(0);
                    fleet.notice = Some(match self.audit_skip(&name, &r) {
                        Ok(()) => format!("{name}: skipped, left as it is"),
                        Err(e) => format!(
                            "{name}: skipped, left as it is; the audit log was NOT written: {e}"
                        ),
                    });
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

    /// The audit line of a `SKIP`: who typed it, for which estate and runbook, and the loss
    /// as the evacuation showed it and as read again. It belongs to no run (none was made).
    fn audit_skip(&self, estate: &str, r: &Reask) -> std::io::Result<()> {
        let path = self
            .run_options
            .audit_path
            .clone()
            .unwrap_or_else(default_audit_path);
        AuditLog::open(&path)?.write(
            "",
            None,
            "evacuation_skipped",
            serde_json::json!({
                "estate": estate,
                "runbook": r.runbook,
                "typed": SKIP,
                "user": os_user(),
                "shown_loss_up_to_secs": r.shown.up_to_secs,
                "loss_read_again": r.loss(),
            }),
        )
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

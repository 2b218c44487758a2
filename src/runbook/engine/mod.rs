//! The runbook engine: a tokio task per run that plans, asks, acts and verifies, step by step.
//!
//! The caller (the console's action pane, or [`super::run_headless`]) never waits on it: it
//! reads [`RunEvent`]s whenever it likes and sends [`RunCommand`]s back. Confirmation gating
//! lives here, not in the UI: nothing is called before a `Confirm`, and an irreversible step
//! is refused unless the typed text is the target region's AWS name.
//!
//! - [`unit`]: one top-level step or parallel group, from preflight to done.
//! - [`gates`]: the questions: confirm a plan, decide after a failure.
//!   [`prompt`] builds what a step is confirmed with; [`confirm`] and [`failure`] ask.
//! - [`approve`]: another operator's approval, when the estate asks for one.
//! - [`execute`]: a confirmed step's calls, then verification until the target state.
//! - [`finish`]: the end of a run's task, finished with its reports ([`reports`]) or suspended.

mod approve;
mod confirm;
mod execute;
mod failure;
mod finish;
mod gates;
mod members;
mod observe;
mod prompt;
mod reports;
mod settle;
mod unit;

use std::sync::Arc;

use serde_json::json;
use tokio::sync::mpsc;

use super::api::{Level, RunCommand, RunContext, RunEvent, RunMode, RunSummary};
use super::journal::RunOutcome;
use super::reader::Reader;
use super::recorder::Recorder;
use super::step::Step;

enum Flow {
    Next,
    Abort(String),
    /// Stop, leaving the run unfinished (resumable).
    Suspend(String),
}

enum Decision {
    Go,
    Retry,
    Skip(String),
    Abort(String),
    Suspend(String),
}

pub struct Engine {
    ctx: RunContext,
    reader: Reader,
    rec: Arc<Recorder>,
    cmds: mpsc::UnboundedReceiver<RunCommand>,
    cmds_open: bool,
    resumed: bool,
}

impl Engine {
    pub fn new(
        ctx: RunContext,
        reader: Reader,
        rec: Arc<Recorder>,
        cmds: mpsc::UnboundedReceiver<RunCommand>,
        resumed: bool,
    ) -> Engine {
        Engine {
            ctx,
            reader,
            rec,
            cmds,
            cmds_open: true,
            resumed,
        }
    }

    pub async fn run(mut self, steps: Arc<Vec<Step>>) -> RunSummary {
        let (description, run_id, runbook, views, drill) = {
            let j = self.rec.lock();
            (
                j.spec.description.clone(),
                j.run_id.clone(),
                j.runbook.clone(),
                j.steps.iter().map(Recorder::view).collect::<Vec<_>>(),
                j.drill,
            )
        };
        self.rec.audit(
            None,
            if self.resumed {
                "run_resumed"
            } else {
                "run_started"
            },
            json!({"runbook": runbook, "mode": self.ctx.mode, "user": self.ctx.user,
                   "host": super::lock::hostname(), "drill": drill,
                   "estate_sha256": self.ctx.estate_sha256,
                   "rto_objective_secs": self.ctx.estate.rto_objective.map(|d| d.0.as_secs_f64()),
                   "rpo_objective_secs": self.ctx.estate.rpo_budget.0.as_secs_f64(),
                   "estate": self.ctx.estate.name, "backend": self.ctx.backend.mode().label(),
                   "accounts": super::accounts::audit_fields(&self.ctx.accounts)}),
        );
        self.rec.emit(RunEvent::Started {
            run_id: run_id.clone(),
            runbook: runbook.clone(),
            mode: self.ctx.mode,
            resumed: self.resumed,
            drill,
            journal: self.rec.path.clone(),
            steps: views,
        });
        self.rec.log(
            Level::Info,
            None,
            format!(
                "{} runbook {runbook} ({}){}",
                if self.resumed { "resuming" } else { "starting" },
                description.unwrap_or_default(),
                if self.ctx.mode == RunMode::DryRun {
                    " as a dry run: AWS is read, nothing is changed; each step is planned on \
                     the state the earlier steps would leave (marked predicted)"
                } else {
                    ""
                }
            ),
        );
        // The lifecycle the report states: the posture and the write ledger before and after.
        // The posture is read beside the run, never in its way (a dark region's timeout).
        let ledger = self.ctx.backend.data_ledger();
        // A resumed run keeps the ledger and the accounts of its first start.
        let accounts = self
            .ctx
            .accounts
            .iter()
            .map(|a| (a.side, super::accounts::report_line(a)))
            .collect();
        self.rec.update(|j| {
            if j.metrics.ledger_start.is_none() {
                j.metrics.ledger_start = ledger;
            }
            if j.accounts.is_empty() {
                j.accounts = accounts;
            }
        });
        let before = {
            let reader = self.reader.clone();
            tokio::spawn(async move { reader.posture().await })
        };
        let observer = (self.ctx.mode == RunMode::Live)
            .then(|| observe::Observer::start(self.reader.clone(), self.rec.clone()));
        let mut outcome = RunOutcome::Completed;
        for step in steps.iter() {
            if self.rec.is_final(step.id()) {
                continue;
            }
            match self.run_unit(step).await {
                Flow::Next => {}
                Flow::Abort(reason) => {
                    outcome = RunOutcome::Aborted { reason };
                    break;
                }
                Flow::Suspend(reason) => {
                    if let Some(o) = observer {
                        o.finish().await;
                    }
                    return self.suspend(reason).await;
                }
            }
        }
        if let Some(o) = observer {
            o.finish().await;
        }
        // After a run, as its last readings (its verifications) left it: a completed run
        // read every part it changed; an unknown part reads as unknown.
        let after = self.reader.posture_known();
        let before = before.await.ok();
        let ledger = self.ctx.backend.data_ledger();
        self.rec.update(|j| {
            j.metrics
                .posture_before
                .get_or_insert_with(|| before.unwrap_or(after.clone()));
            j.metrics.posture_after = Some(after);
            j.metrics.ledger_end = ledger;
        });
        self.finish(outcome).await
    }
}

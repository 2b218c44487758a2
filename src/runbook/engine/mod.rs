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
//! - [`execute`]: a confirmed step's calls, then verification until the target state.

mod approve;
mod confirm;
mod execute;
mod failure;
mod gates;
mod members;
mod observe;
mod prompt;
mod settle;
mod unit;

use std::sync::Arc;
use std::time::Duration;

use chrono::Utc;
use serde_json::json;
use tokio::sync::mpsc;

use super::api::{Level, RunCommand, RunContext, RunEvent, RunMode, RunSummary};
use super::journal::{RunOutcome, StepStatus};
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

    /// Ends the task without ending the run: the journal keeps no outcome, so the run is
    /// found unfinished and resumed later.
    async fn suspend(&self, reason: String) -> RunSummary {
        self.rec.audit(
            None,
            "run_suspended",
            json!({"reason": reason, "user": self.ctx.user}),
        );
        self.rec.log(
            Level::Warn,
            None,
            format!(
                "run stopped, unfinished: {reason}; resuming it reads AWS again before anything is repeated"
            ),
        );
        let summary = {
            let mut j = self.rec.lock();
            self.rec.save(&mut j);
            RunSummary {
                run_id: j.run_id.clone(),
                runbook: j.runbook.clone(),
                outcome: RunOutcome::Aborted {
                    reason: reason.clone(),
                },
                rto: None,
                metrics: j.metrics.clone(),
                skipped: Vec::new(),
                journal: self.rec.path.clone(),
                report: None,
            }
        };
        self.rec.anchor_audit().await;
        self.rec.emit(RunEvent::Crashed { reason });
        summary
    }

    /// The run's audit lines as the reports state them (read back on the blocking pool). A
    /// failure is logged; the reports are written without them.
    async fn evidence(&self) -> super::report::evidence::Evidence {
        let (audit, run_id) = (self.rec.audit_path.clone(), self.rec.run_id());
        let evidence = tokio::task::spawn_blocking(move || {
            super::report::evidence::Evidence::read(&audit, &run_id)
        })
        .await;
        match evidence {
            Ok(Ok(e)) => e,
            Ok(Err(e)) => {
                self.rec.log(
                    Level::Warn,
                    None,
                    format!("report.html: the audit log could not be read: {e}"),
                );
                Default::default()
            }
            Err(e) => {
                self.rec.log(Level::Warn, None, format!("report.html: {e}"));
                Default::default()
            }
        }
    }

    /// `report.html` beside the Markdown report. A failure is logged; the run's outcome stands.
    async fn write_html_report(
        &self,
        md: &std::path::Path,
        evidence: &super::report::evidence::Evidence,
    ) {
        let path = md.with_extension("html");
        let text = {
            let j = self.rec.lock();
            super::report::html::render(&super::report::html::Inputs {
                journal: &j,
                evidence,
                rto_objective: self.ctx.estate.rto_objective.map(|d| d.0),
                rpo_objective: Some(self.ctx.estate.rpo_budget.0),
            })
        };
        if let Err(e) = self.rec.write_report(&path, text).await {
            self.rec.log(
                Level::Warn,
                None,
                format!("the report could not be written to {}: {e}", path.display()),
            );
        }
    }

    async fn finish(&self, outcome: RunOutcome) -> RunSummary {
        // The report states the chain's head as it is when the report is made.
        let _ = self.rec.flush().await;
        if let Some(head) = self.rec.audit_head() {
            let file = std::path::absolute(&self.rec.audit_path)
                .unwrap_or_else(|_| self.rec.audit_path.clone());
            self.rec.update(|j| {
                j.audit_head = Some(super::audit::verify::Anchor {
                    file,
                    head,
                    by: String::new(),
                });
            });
        }
        let evidence = self.evidence().await;
        let (report_path, text) = {
            let mut j = self.rec.lock();
            j.outcome = Some(outcome.clone());
            let path = j.report_path_in(&self.ctx.state_dir);
            j.report = Some(path.clone());
            j.elapsed = self.rec.now();
            j.updated_at = Utc::now();
            let mut md = super::report::render(&j, self.ctx.estate.rto_objective.map(|d| d.0));
            md.push_str(&super::report::approvals::markdown(&evidence.approvals));
            (path, md)
        };
        let report = match self.rec.write_report(&report_path, text).await {
            Ok(()) => Some(report_path.clone()),
            Err(_) => None,
        };
        self.write_html_report(&report_path, &evidence).await;
        let summary = {
            let mut j = self.rec.lock();
            j.report = report.clone();
            self.rec.save(&mut j);
            RunSummary {
                run_id: j.run_id.clone(),
                runbook: j.runbook.clone(),
                outcome: outcome.clone(),
                rto: j.metrics.rto().map(Duration::from_secs_f64),
                metrics: j.metrics.clone(),
                skipped: j
                    .steps
                    .iter()
                    .filter(|s| matches!(s.status, StepStatus::Skipped { .. }))
                    .map(|s| s.id.clone())
                    .collect(),
                journal: self.rec.path.clone(),
                report,
            }
        };
        let text = match &outcome {
            RunOutcome::Completed => "run completed".to_string(),
            RunOutcome::Aborted { reason } => format!("run aborted: {reason}"),
        };
        self.rec.audit(
            None,
            "run_finished",
            json!({"outcome": outcome, "report": summary.report}),
        );
        self.rec.log(
            if matches!(outcome, RunOutcome::Completed) {
                Level::Info
            } else {
                Level::Warn
            },
            None,
            match &summary.report {
                Some(p) => format!("{text}; report written to {}", p.display()),
                None => format!(
                    "{text}; the report could not be written to {}",
                    report_path.display()
                ),
            },
        );
        // Everything above is on disk, and the journal holds the audit chain's head, before
        // the caller hears the run is over.
        self.rec.anchor_audit().await;
        self.rec.emit(RunEvent::Finished(summary.clone()));
        summary
    }
}

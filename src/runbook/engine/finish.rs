//! How a run's task ends: finished, with its outcome, its reports and the audit chain's head
//! in the journal; or suspended, its journal left unfinished so that the run can be resumed.

use std::time::Duration;

use chrono::Utc;
use serde_json::json;

use super::Engine;
use crate::runbook::api::{Level, RunEvent, RunSummary};
use crate::runbook::journal::{RunOutcome, StepStatus};

impl Engine {
    /// Ends the task without ending the run: the journal keeps no outcome, so the run is
    /// found unfinished and resumed later.
    pub(super) async fn suspend(&self, reason: String) -> RunSummary {
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

    pub(super) async fn finish(&self, outcome: RunOutcome) -> RunSummary {
        // The report states the chain's head as it is when the report is made.
        let _ = self.rec.flush().await;
        if let Some(head) = self.rec.audit_head() {
            let file = std::path::absolute(&self.rec.audit_path)
                .unwrap_or_else(|_| self.rec.audit_path.clone());
            self.rec.update(|j| {
                j.audit_head = Some(crate::runbook::audit::verify::Anchor {
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
            let mut md =
                crate::runbook::report::render(&j, self.ctx.estate.rto_objective.map(|d| d.0));
            md.push_str(&crate::runbook::report::approvals::markdown(
                &evidence.approvals,
            ));
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

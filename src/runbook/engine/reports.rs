//! The run's HTML report and the audit lines the reports state, read back from the audit log.

use super::Engine;
use crate::runbook::api::Level;
use crate::runbook::report::evidence::Evidence;

impl Engine {
    /// The run's audit lines as the reports state them (read back on the blocking pool). A
    /// failure is logged; the reports are written without them.
    pub(super) async fn evidence(&self) -> Evidence {
        let (audit, run_id) = (self.rec.audit_path.clone(), self.rec.run_id());
        let evidence = tokio::task::spawn_blocking(move || Evidence::read(&audit, &run_id)).await;
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
    pub(super) async fn write_html_report(&self, md: &std::path::Path, evidence: &Evidence) {
        let path = md.with_extension("html");
        let text = {
            let j = self.rec.lock();
            crate::runbook::report::html::render(&crate::runbook::report::html::Inputs {
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
}

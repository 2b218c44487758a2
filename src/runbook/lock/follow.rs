//! Following another operator's run, read-only: the holder's progress, read every few
//! seconds from the DynamoDB item (the shared lock) or the holder file (this machine's),
//! reported as [`RunEvent::Followed`] through a [`RunHandle`] whose commands go nowhere.

use std::path::PathBuf;
use std::time::Duration;

use chrono::Utc;
use tokio::sync::mpsc;

use super::Holder;
use super::dynamo::Table;
use super::lease::simulated;
use super::local::LocalLock;
use crate::runbook::RunOutcome;
use crate::runbook::api::{
    Level, LogLine, RunCommand, RunContext, RunEvent, RunHandle, RunSummary,
};
use crate::runbook::approval::follow::{Approvals, standby_principal};

/// How often a follower reads the holder.
pub const FOLLOW_EVERY: Duration = Duration::from_secs(2);

/// Where the holder is read.
enum Source {
    Shared(Table),
    Local(LocalLock),
}

impl Source {
    /// The holder now: `Ok(None)` once it let the lock go.
    async fn read(&self) -> Result<Option<Holder>, String> {
        match self {
            Source::Shared(t) => t.read().await,
            Source::Local(l) => {
                let l = l.clone();
                tokio::task::spawn_blocking(move || {
                    let h = l.holder();
                    Ok(h.filter(|_| l.is_held()))
                })
                .await
                .map_err(|e| e.to_string())?
            }
        }
    }
}

/// Follows `holder`'s run (as a refusal named it) until it ends or the handle is dropped.
/// `shared`: the holder was found in the DynamoDB table.
pub fn start(ctx: &RunContext, holder: Holder, shared: bool) -> RunHandle {
    let (etx, erx) = mpsc::unbounded_channel();
    let (commands, mut crx) = mpsc::unbounded_channel();
    let approver = super::super::approval::Operator::me(&ctx.user, standby_principal(ctx));
    let (audit_path, state_dir) = (ctx.audit_path.clone(), ctx.state_dir.clone());
    let run_id = holder.run_id.clone();
    let estate = ctx.estate.clone();
    let local = LocalLock::new(&ctx.state_dir, &ctx.estate.name);
    let sim = simulated(ctx);
    let task = tokio::spawn(async move {
        let source = match estate.coordination.as_ref() {
            Some(c) if shared && !sim => Source::Shared(Table::connect(&estate, c).await),
            _ => Source::Local(local),
        };
        let summary = RunSummary {
            run_id: holder.run_id.clone(),
            runbook: holder.runbook.clone(),
            outcome: RunOutcome::Aborted {
                reason: "followed, not run here".into(),
            },
            rto: None,
            metrics: Default::default(),
            skipped: Vec::new(),
            journal: PathBuf::new(),
            report: None,
        };
        let mut last = holder.clone();
        if etx
            .send(RunEvent::Followed(Some(Box::new(holder))))
            .is_err()
        {
            return summary;
        }
        let approvals = Approvals {
            store: crate::runbook::approval::open(&estate, &state_dir, sim).await,
            me: approver,
            audit_path,
            shown: Default::default(),
        };
        approvals.show(&last, &etx).await;
        loop {
            tokio::select! {
                _ = tokio::time::sleep(FOLLOW_EVERY) => {}
                Some(cmd) = crx.recv() => {
                    if let RunCommand::Approve { step } = cmd {
                        approvals.approve(&last, &step, &etx).await;
                    }
                    continue;
                }
            }
            if etx.is_closed() {
                break;
            }
            match source.read().await {
                Ok(Some(h)) if h.run_id == last.run_id => {
                    if h != last {
                        last = h.clone();
                        let _ = etx.send(RunEvent::Followed(Some(Box::new(h.clone()))));
                        approvals.show(&h, &etx).await;
                    }
                }
                Ok(_) => {
                    let _ = etx.send(RunEvent::Followed(None));
                    break;
                }
                Err(e) => {
                    let _ = etx.send(RunEvent::Log(LogLine {
                        utc: Utc::now(),
                        at: 0.0,
                        level: Level::Warn,
                        step: None,
                        text: format!("following: the holder cannot be read: {e}"),
                    }));
                }
            }
        }
        summary
    });
    RunHandle {
        run_id,
        journal: PathBuf::new(),
        events: erx,
        commands,
        task,
    }
}

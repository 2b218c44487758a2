//! Starting and resuming runs. Nothing here touches a file: the run's task creates its
//! journal and opens the audit log, so a caller (the console's UI thread) never waits on IO.

use std::sync::Arc;

use chrono::Utc;
use serde_json::json;
use tokio::sync::mpsc;

use super::api::{Level, RunContext, RunError, RunEvent, RunHandle, RunMode, RunSummary};
use super::background::Background;
use super::engine::Engine;
use super::journal::{Journal, Metrics, RunOutcome, StepRecord, StepStatus};
use super::lock::{self, Holder};
use super::plan::StepMemo;
use super::reader::{Reader, Throttle};
use super::recorder::Recorder;
use super::step::{Step, compile, sides_of};
use crate::config::runbook::{RunbookSpec, assign_ids};
use crate::model::Side;

/// Starts the runbook called `name` (written in the estate file, or a generated default).
/// Must be called inside a tokio runtime.
pub fn start(ctx: RunContext, name: &str) -> Result<RunHandle, RunError> {
    let spec = super::defaults::resolve(&ctx.estate, name)
        .ok_or_else(|| RunError::UnknownRunbook(name.to_string()))?;
    start_spec(ctx, name, spec)
}

/// Starts a runbook given as data (e.g. a sequential variant of another).
pub fn start_spec(
    ctx: RunContext,
    name: &str,
    mut spec: RunbookSpec,
) -> Result<RunHandle, RunError> {
    let steps = compile(&spec, &ctx.estate, &ctx.registry).map_err(RunError::Invalid)?;
    may_start(&ctx, &sides_of(&steps, &ctx.estate))?;
    assign_ids(&mut spec.steps, "");
    let now = Utc::now();
    let run_id = format!(
        "{}-{}-{:04x}",
        now.format("%Y%m%dT%H%M%SZ"),
        name.chars()
            .map(|c| if c.is_ascii_alphanumeric() || c == '-' {
                c
            } else {
                '_'
            })
            .collect::<String>(),
        now.timestamp_subsec_nanos() as u64 % 0x10000
    );
    let mut records = Vec::new();
    for s in &steps {
        records.push(record(s, None));
        if s.is_group() {
            let parent = Some(s.id().to_string());
            records.extend(s.members().into_iter().map(|c| record(c, parent.clone())));
        }
    }
    let journal = Journal {
        version: 1,
        run_id,
        runbook: name.to_string(),
        estate: ctx.estate.name.clone(),
        dry_run: ctx.mode == RunMode::DryRun,
        drill: ctx.drill,
        started_at: now,
        updated_at: now,
        elapsed: 0.0,
        spec,
        steps: records,
        timeline: Vec::new(),
        metrics: Metrics::default(),
        accounts: Default::default(),
        outcome: None,
        report: None,
        audit_head: None,
    };
    Ok(launch(ctx, journal, steps, false))
}

/// Resumes an unfinished run from its journal (see [`Journal::find_unfinished`]). Finished
/// steps stay finished; the step in flight is preflighted again, which finds its target state
/// if its change had completed, and does nothing more.
pub fn resume(ctx: RunContext, journal: Journal) -> Result<RunHandle, RunError> {
    if journal.outcome.is_some() {
        may_start(&ctx, &[])?;
        return Err(RunError::AlreadyFinished(journal.run_id));
    }
    let steps = compile(&journal.spec, &ctx.estate, &ctx.registry).map_err(RunError::Invalid)?;
    may_start(&ctx, &sides_of(&steps, &ctx.estate))?;
    Ok(launch(ctx, journal, steps, true))
}

/// No run in read-only mode; no live run while a pinned account differs, or is not verified
/// on a side the run calls (`sides`). A dry run calls nothing, so it may show its plan
/// whatever the accounts.
fn may_start(ctx: &RunContext, sides: &[Side]) -> Result<(), RunError> {
    match ctx.mode {
        RunMode::ReadOnly => Err(RunError::ReadOnly),
        RunMode::Live => match crate::model::refusal_on(&ctx.accounts, sides) {
            Some(why) => Err(RunError::AccountRefused(why)),
            None => Ok(()),
        },
        RunMode::DryRun => Ok(()),
    }
}

fn record(s: &Step, parent: Option<String>) -> StepRecord {
    StepRecord {
        id: s.id().to_string(),
        title: s.title(),
        kind: s.kind_name.clone(),
        optional: s.optional(),
        parent,
        status: StepStatus::Pending,
        started: None,
        finished: None,
        memo: StepMemo::default(),
        verify_overhead: None,
    }
}

fn launch(ctx: RunContext, mut journal: Journal, steps: Vec<Step>, resumed: bool) -> RunHandle {
    let path = journal.path_in(&ctx.state_dir);
    // Time lost while the console was down counts, as far as the wall clock can tell.
    let mut base = journal.elapsed;
    if resumed && ctx.pace.scale == 1.0 {
        base += (Utc::now() - journal.updated_at).num_milliseconds().max(0) as f64 / 1000.0;
    }
    journal.elapsed = base;
    let (etx, erx) = mpsc::unbounded_channel();
    let (ctx_tx, crx) = mpsc::unbounded_channel();
    let run_id = journal.run_id.clone();
    let task_path = path.clone();
    let task = tokio::spawn(async move {
        // A live run holds the estate's run lock for as long as it lasts; a dry run calls
        // nothing and claims nothing.
        let lease = if ctx.mode == RunMode::Live {
            let me = Holder::me(&ctx.user, &journal.runbook, &journal.run_id);
            match lock::lease::acquire(&ctx, me).await {
                Ok(l) => Some(l),
                Err(refusal) => return locked(&etx, &journal, &task_path, refusal),
            }
        } else {
            None
        };
        let background = Background::start(&ctx, &journal, lease, etx).await;
        let rec = Recorder::start(
            journal,
            task_path,
            ctx.audit_path.clone(),
            background.events.clone(),
            base,
            ctx.pace,
        );
        background.attach(&rec);
        let sides = sides_of(&steps, &ctx.estate);
        let reader = Reader::new(
            ctx.backend.clone(),
            ctx.estate.clone(),
            ctx.pace,
            if ctx.mode == RunMode::DryRun {
                Arc::new(ctx.readings.fork())
            } else {
                ctx.readings.clone()
            },
        )
        .touching(&sides)
        .fenced(background.fence.clone())
        .reporting_throttles({
            let rec = rec.clone();
            Arc::new(move |t: Throttle| {
                let (event, level) = match &t {
                    Throttle::Began { .. } => ("throttled", Level::Warn),
                    Throttle::Ended { .. } => ("throttling_ended", Level::Info),
                };
                rec.audit(None, event, json!({"text": t.to_string()}));
                rec.log(level, None, t.to_string());
            })
        });
        // The journal must exist before anything else happens: a run that cannot keep one
        // does not start.
        let summary = match rec.flush().await {
            Err(reason) => {
                let s = refuse(&rec, reason);
                drop(rec);
                s
            }
            Ok(()) => {
                for note in &background.notes {
                    rec.log(Level::Warn, None, note.clone());
                }
                Engine::new(ctx, reader, rec, crx, resumed)
                    .run(Arc::new(steps))
                    .await
            }
        };
        background.finish().await;
        summary
    });
    RunHandle {
        run_id,
        journal: path,
        events: erx,
        commands: ctx_tx,
        task,
    }
}

/// A run that could not claim the run lock ends before its journal is written.
fn locked(
    etx: &mpsc::UnboundedSender<RunEvent>,
    j: &Journal,
    path: &std::path::Path,
    refusal: lock::Refusal,
) -> RunSummary {
    let reason = refusal.to_string();
    let _ = etx.send(RunEvent::Locked(refusal));
    RunSummary {
        run_id: j.run_id.clone(),
        runbook: j.runbook.clone(),
        outcome: RunOutcome::Aborted { reason },
        rto: None,
        metrics: j.metrics.clone(),
        skipped: Vec::new(),
        journal: path.to_path_buf(),
        report: None,
    }
}

/// A run whose record cannot be written ends before its first step.
fn refuse(rec: &Recorder, reason: String) -> RunSummary {
    rec.emit(RunEvent::Crashed {
        reason: reason.clone(),
    });
    let j = rec.lock();
    RunSummary {
        run_id: j.run_id.clone(),
        runbook: j.runbook.clone(),
        outcome: RunOutcome::Aborted { reason },
        rto: None,
        metrics: j.metrics.clone(),
        skipped: Vec::new(),
        journal: rec.path.clone(),
        report: None,
    }
}

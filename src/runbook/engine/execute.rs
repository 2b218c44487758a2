//! A confirmed step at work: its calls, each recorded durably before it is made and after it
//! answers, then verification until AWS shows the target state (or the step's timeout).

use std::sync::Arc;
use std::time::Duration;

use serde_json::json;
use tokio::time::Instant;

use crate::backend::Action;
use crate::config::Estate;
use crate::runbook::api::Level;
use crate::runbook::error::StepError;
use crate::runbook::journal::StepStatus;
use crate::runbook::plan::{Intent, StepPlan, Verdict};
use crate::runbook::reader::{ActError, Reader};
use crate::runbook::recorder::Recorder;
use crate::runbook::step::Step;
use crate::runbook::steps::{Milestone, StepCx, run_command};

/// Makes a confirmed step's calls, then waits until AWS shows its target state.
pub async fn execute(
    rec: Arc<Recorder>,
    reader: Reader,
    user: String,
    s: &Step,
    p: StepPlan,
) -> (String, Result<String, StepError>) {
    let id = s.id().to_string();
    if p.instruction.is_some() {
        rec.audit(Some(&id), "acknowledged", json!({"user": user}));
        let note = format!("acknowledged by {user}");
        rec.set(&id, StepStatus::Done { note: note.clone() });
        return (id, Ok(note));
    }
    if !p.actions.is_empty() {
        rec.set(&id, StepStatus::Running);
    }
    for a in &p.actions {
        if let Err(e) = act(&rec, &reader, &id, a, &p, s.timeout()).await {
            return (id, Err(e));
        }
    }
    rec.set(&id, StepStatus::Verifying);
    let res = verify_until(&rec, &reader, s, &id, s.timeout()).await;
    if let Ok(note) = &res {
        // Marked done here, not when the whole group ends, so each step's time is its own.
        note_done(&rec, &reader.estate, s);
        rec.set(&id, StepStatus::Done { note: note.clone() });
    }
    (id, res)
}

/// One call, exactly once: its intent is in the journal (durably) before it is sent, and its
/// outcome after. A call that fails without AWS saying it refused keeps its intent, marked
/// unknown: the step is then preflighted again (AWS read) before anything is repeated.
async fn act(
    rec: &Recorder,
    reader: &Reader,
    id: &str,
    a: &Action,
    p: &StepPlan,
    limit: Duration,
) -> Result<(), StepError> {
    // The run lock's fence first, for a program run here as for an AWS call: a change is
    // made only while the lease surely covers it to its timeout.
    let call_limit = if a.is_local() {
        limit
    } else {
        reader.act_limit(a)
    };
    reader.admit(call_limit).await?;
    let d = a.describe();
    let intent = Intent {
        action: a.clone(),
        describe: d.clone(),
        sent_at: rec.now(),
        before: crate::runbook::plan::by_call(&p.before, a).cloned(),
        unknown: None,
    };
    rec.update(|j| {
        if let Some(r) = j.step_mut(id) {
            r.memo.in_flight = Some(intent.clone());
        }
    });
    rec.audit(
        Some(id),
        "call",
        json!({"call": a.api_call(), "describe": d, "action": a, "before": intent.before}),
    );
    rec.log(Level::Info, Some(id), format!("calling {d}"));
    // The intent is on disk before the call is made.
    rec.flush().await.map_err(StepError::Journal)?;
    let result = if a.is_local() {
        // Run here, not by a backend: its output streams into the log as it comes.
        let log = |level: Level, line: String| rec.log(level, Some(id), line);
        run_command(a, limit, &log).await.map_err(|error| ActError {
            error,
            maybe_applied: false,
        })
    } else {
        reader.act(a).await
    };
    match result {
        Ok(out) => {
            rec.audit(
                Some(id),
                "result",
                json!({"call": a.api_call(), "summary": out.summary, "change_id": out.change_id}),
            );
            rec.log(Level::Info, Some(id), format!("ok: {}", out.summary));
            let now = rec.now();
            rec.update(|j| {
                if let Action::RenameDb { to, .. } = a {
                    j.metrics.stale.push(to.clone());
                }
                if a.moves_writer() {
                    j.metrics.rpo_lag = p.lag;
                    j.metrics.promoted_at = Some(now);
                }
                if let Some(r) = j.step_mut(id) {
                    r.memo.in_flight = None;
                    r.memo.record_done(a);
                    if let Some(c) = &out.change_id {
                        r.memo.change_id = Some(c.clone());
                        crate::runbook::plan::set_by_call(&mut r.memo.change_ids, a, c.clone());
                    }
                }
            });
            Ok(())
        }
        Err(ActError {
            error,
            maybe_applied,
        }) => {
            rec.audit(
                Some(id),
                "call_error",
                json!({"call": a.api_call(), "error": error.to_string(),
                       "outcome": if maybe_applied { "unknown" } else { "refused" }}),
            );
            rec.update(|j| {
                if let Some(r) = j.step_mut(id) {
                    if maybe_applied {
                        if let Some(i) = r.memo.in_flight.as_mut() {
                            i.unknown = Some(error.to_string());
                        }
                    } else {
                        // AWS refused it: nothing was applied, nothing is in flight.
                        r.memo.in_flight = None;
                    }
                }
            });
            Err(error)
        }
    }
}

async fn verify_until(
    rec: &Recorder,
    reader: &Reader,
    s: &Step,
    id: &str,
    timeout: Duration,
) -> Result<String, StepError> {
    let tick = reader.estate.poll_interval().min(Duration::from_secs(1));
    let began = Instant::now();
    let deadline = began + reader.pace.wall(timeout);
    let mut last_detail = String::new();
    let mut last_miss: Option<f64> = None;
    let mut last_err_primary: bool;
    let run_id = rec.run_id();
    loop {
        let read_at = rec.now();
        let memo = rec.memo(id);
        let cx = StepCx {
            reader,
            memo: &memo,
            run_id: &run_id,
            step_id: id,
            run_started: rec.lock().started_at,
        };
        match s.verify(&cx).await {
            Ok(Verdict::Done(d)) => {
                let now = rec.now();
                let overhead = now - last_miss.unwrap_or(read_at);
                rec.update(|j| {
                    if let Some(r) = j.step_mut(id) {
                        r.verify_overhead = Some(overhead);
                    }
                });
                rec.log(Level::Info, Some(id), format!("verified: {d}"));
                return Ok(d);
            }
            Ok(Verdict::Pending(d)) => {
                last_miss = Some(read_at);
                last_err_primary = false;
                if d != last_detail {
                    rec.log(Level::Info, Some(id), format!("waiting: {d}"));
                    last_detail = d;
                }
            }
            // What the step started answered that it failed (a restore job FAILED): no later
            // read will show the target; waiting out the timeout would only hide it.
            Err(e @ StepError::Failed(_)) => {
                rec.log(Level::Error, Some(id), format!("failed: {e}"));
                return Err(e);
            }
            Err(e) => {
                last_miss = Some(read_at);
                // A read that fails while verifying is reported, not fatal: the next one may work.
                let text = e.to_string();
                if text != last_detail {
                    rec.log(
                        Level::Warn,
                        Some(id),
                        format!("read failed while verifying: {text}"),
                    );
                    last_detail = text;
                }
                last_err_primary = e.needs_primary();
            }
        }
        if Instant::now() >= deadline {
            return Err(StepError::TimedOut {
                after: timeout,
                last_seen: last_detail,
                needs_primary: last_err_primary,
            });
        }
        tokio::time::sleep(reader.pace.wall(tick)).await;
    }
}

/// Records what the report needs when a step reaches its target.
pub fn note_done(rec: &Recorder, estate: &Estate, s: &Step) {
    let Some(m) = s.milestone(estate) else { return };
    let now = rec.now();
    rec.update(|j| match m {
        Milestone::DnsMoved(side) => {
            j.metrics.dns_moved_at = Some(now);
            j.metrics.dns_side = Some(side);
        }
        Milestone::Healthy(side) => {
            j.metrics.healthy_at.entry(side).or_insert(now);
        }
    });
}

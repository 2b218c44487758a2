//! Evaluates every `evaluate_interval` (the first at once) on a task of its own, and keeps the
//! drift part current between evaluations from each poll's readings: a standby ASG whose
//! max was lowered is seen at the next poll, not half an hour later.

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::{Notify, mpsc};
use tokio::task::JoinHandle;

use super::drift;
use crate::backend::Backend;
use crate::config::Estate;
use crate::model::{Aspect, AspectResult, Evaluation, Finding, RegionReading, Side};

/// Starts the loop. It ends when the receiver of `tx` is dropped. `now` asks for an
/// evaluation before the interval is up.
pub fn spawn(
    estate: Arc<Estate>,
    backend: Arc<dyn Backend>,
    interval: Duration,
    now: Arc<Notify>,
    tx: mpsc::UnboundedSender<Vec<Evaluation>>,
) -> JoinHandle<()> {
    tokio::spawn(async move {
        loop {
            let evaluations = super::evaluate_all(&estate, &backend).await;
            if tx.send(evaluations).is_err() {
                return;
            }
            tokio::select! {
                _ = tokio::time::sleep(interval) => {}
                _ = now.notified() => {}
            }
        }
    })
}

/// `e` with its drift judged again on newer readings (`None`: a region not read yet, which
/// leaves the drift as it was).
pub fn with_drift(
    e: &Evaluation,
    estate: &Estate,
    active: Side,
    readings: [Option<&RegionReading>; 2],
) -> Evaluation {
    let [Some(p), Some(s)] = readings else {
        return e.clone();
    };
    let (aspect, findings): (AspectResult, Vec<Finding>) =
        drift::check(estate, active, [Ok(p), Ok(s)]);
    let mut aspects: Vec<AspectResult> = e
        .aspects
        .iter()
        .filter(|a| a.aspect != Aspect::Drift)
        .cloned()
        .collect();
    aspects.push(aspect);
    let mut all: Vec<Finding> = e
        .findings
        .iter()
        .filter(|f| f.aspect != Aspect::Drift)
        .cloned()
        .collect();
    all.extend(findings);
    Evaluation::new(&e.runbook, e.evaluated_at, aspects, all)
}

/// The console's evaluations: every `evaluate_interval`, the first at once.
pub fn console(
    estate: Arc<Estate>,
    backend: Arc<dyn Backend>,
) -> mpsc::UnboundedReceiver<Vec<Evaluation>> {
    let (tx, rx) = mpsc::unbounded_channel();
    let interval = interval(&estate);
    spawn(estate, backend, interval, Arc::new(Notify::new()), tx);
    rx
}

/// `evaluate_interval`, never shorter than a poll.
pub fn interval(estate: &Estate) -> Duration {
    estate.evaluate_interval.0.max(estate.poll_interval())
}

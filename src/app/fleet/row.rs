//! One row of the fleet overview: an estate's posture, lag, readiness, DNS, reach and the
//! progress of its run (its own, or the evacuation's), and the summary line's counts.

use super::{BatchState, FleetApp};
use crate::app::{App, FeedState, Question, RunView};
use crate::model::{Lag, Side};
use crate::posture::PostureState;
use crate::readiness::Verdict;

/// One row of the overview.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    pub estate: usize,
    pub name: String,
    pub posture: PostureState,
    pub active_region: Option<String>,
    pub lag: Lag,
    /// `ok`, `warn` (above `lag_warning`), `over` (above `rpo_budget`), `—` without a replica.
    pub lag_verdict: &'static str,
    pub budget: String,
    pub readiness: Verdict,
    pub dns: Option<Side>,
    pub reach: [FeedState; 2],
    /// Each side's credentials fail (its reads answer, every one refused): the region is
    /// not shown reachable.
    pub credentials_fail: [bool; 2],
    /// The run in progress (or the evacuation's state) and its step.
    pub run: Option<String>,
    /// 0 is the worst.
    pub rank: u8,
}

/// Estates in each state, as the summary line counts them.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Summary {
    pub normal: usize,
    pub degraded: usize,
    pub failed_over: usize,
    pub unknown: usize,
}

impl FleetApp {
    pub(super) fn row(&self, i: usize, a: &App) -> Row {
        let posture = a.posture();
        let readiness = self.verdict(i, a);
        let replica = a.replica_side();
        let lag = a
            .region(replica)
            .data
            .as_ref()
            .and_then(|r| r.database.as_ref())
            .and_then(|d| d.as_ref().ok())
            .map(|d| d.lag)
            .unwrap_or(Lag::NoData);
        let lag_verdict = match lag.known() {
            _ if a.estate.database.is_none() => "—",
            Some(d) if d > a.estate.rpo_budget.0 => "over",
            Some(d) if d > a.estate.lag_warning.0 => "warn",
            Some(_) => "ok",
            None if lag == Lag::Stopped => "over",
            None => "?",
        };
        let run = match &self.batch[i] {
            Some(BatchState::Queued) => Some("evacuation: queued".to_string()),
            Some(BatchState::Running(line)) => Some(line.clone()),
            Some(BatchState::Done(0)) => Some("evacuation: completed".to_string()),
            Some(BatchState::Done(_)) if self.reasks.iter().any(|r| r.estate == i) => {
                Some("evacuation: STOPPED, loss grew: d decide".to_string())
            }
            Some(BatchState::Done(code)) => Some(format!("evacuation: FAILED (exit {code})")),
            None => a.run.as_ref().map(run_progress),
        };
        // A run that needs the operator (a failed step, a crash) is as urgent as a failed
        // evacuation.
        let stuck = a.run.as_ref().is_some_and(|r| {
            r.crashed.is_some() || matches!(r.question, Some(Question::Decide { .. }))
        });
        let rank = match (posture.state, readiness) {
            (PostureState::SplitBrain, _) => 0,
            _ if matches!(self.batch[i], Some(BatchState::Done(c)) if c != 0) => 0,
            _ if stuck => 0,
            (PostureState::Unknown, _) => 1,
            (_, Verdict::Degraded) => 2,
            (PostureState::FailedOver, _) => 3,
            (_, Verdict::Unknown) => 4,
            (PostureState::Reprotected, _) => 5,
            _ => 6,
        };
        Row {
            estate: i,
            name: a.estate.name.clone(),
            posture: posture.state,
            active_region: posture
                .active
                .map(|s| a.estate.region(s).region.to_string()),
            lag,
            lag_verdict,
            budget: a.estate.rpo_budget.to_string(),
            readiness,
            dns: a
                .global
                .data
                .as_ref()
                .and_then(|g| g.dns.as_ref())
                .and_then(|d| d.as_ref().ok())
                .and_then(|d| d.points_at),
            reach: [a.state_of(Side::Primary), a.state_of(Side::Standby)],
            credentials_fail: [Side::Primary, Side::Standby]
                .map(|s| a.account(s).credentials_error().is_some()),
            run,
            rank,
        }
    }
}

pub(super) fn summarize(rows: &[Row]) -> Summary {
    let mut s = Summary::default();
    for r in rows {
        match r.posture {
            PostureState::Unknown => s.unknown += 1,
            PostureState::SplitBrain => s.degraded += 1,
            PostureState::FailedOver | PostureState::Reprotected => s.failed_over += 1,
            PostureState::Normal if r.readiness == Verdict::Ready => s.normal += 1,
            PostureState::Normal => s.degraded += 1,
        }
    }
    s
}

/// An estate's own run, in a few words: `failover: step 3/9 Promote the replica`, `failover:
/// step 3/9 waiting for confirmation`, `failover: step 3 FAILED: decide`, `failover:
/// completed`, `failover: aborted`, `failover: stopped`.
pub fn run_progress(run: &RunView) -> String {
    let name = if run.runbook.is_empty() {
        "run"
    } else {
        run.runbook.as_str()
    };
    let top: Vec<_> = run.steps.iter().filter(|s| s.parent.is_none()).collect();
    let n = top.len();
    let at = |id: &str| {
        let own = id.split('.').next().unwrap_or(id);
        top.iter()
            .position(|s| s.id == own)
            .map(|p| format!("step {}/{n}", p + 1))
            .unwrap_or_else(|| format!("step {id}"))
    };
    if let Some(s) = &run.summary {
        return match &s.outcome {
            crate::runbook::RunOutcome::Completed => format!("{name}: completed"),
            crate::runbook::RunOutcome::Aborted { .. } => format!("{name}: aborted"),
        };
    }
    if run.locked.is_some() {
        return format!("{name}: refused (run lock held)");
    }
    if run.crashed.is_some() {
        return format!("{name}: stopped (resumable)");
    }
    if run.follow_over {
        return format!("{name}: followed run over");
    }
    let follow = if run.is_following() {
        " (following)"
    } else {
        ""
    };
    match &run.question {
        Some(Question::Confirm(p)) => {
            format!("{name}: {} waiting for confirmation{follow}", at(&p.step))
        }
        Some(Question::Decide { step, .. }) => {
            format!("{name}: {} FAILED: decide{follow}", at(step))
        }
        Some(Question::Approval { wait, .. }) => {
            format!(
                "{name}: {} waiting for approval by another operator{follow}",
                at(&wait.step)
            )
        }
        None => match run.active_step() {
            Some(id) => {
                let title = run
                    .steps
                    .iter()
                    .find(|s| s.id == id)
                    .map(|s| s.title.as_str())
                    .unwrap_or("");
                format!("{name}: {} {title}{follow}", at(id))
            }
            None => format!("{name}: starting{follow}"),
        },
    }
}

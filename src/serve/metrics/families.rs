//! The families a scrape encodes, gathered from every estate's state: posture, readiness,
//! replication, the RPO, each scope's reachability and reading age, the runbooks'
//! evaluations, AWS calls, and the run under way.

use std::time::Instant;

use super::Estates;
use super::family::{Family, Labels, one_hot, scope_reach};
use crate::model::{Aspect, Lag, Outcome, Side};
use crate::posture::PostureState;
use crate::readiness::{Check, Verdict};
use crate::serve::state::idx;

const POSTURES: [(PostureState, &str); 5] = [
    (PostureState::Normal, "normal"),
    (PostureState::FailedOver, "failed-over"),
    (PostureState::Reprotected, "reprotected"),
    (PostureState::SplitBrain, "split-brain"),
    (PostureState::Unknown, "unknown"),
];
const VERDICTS: [(Verdict, &str); 3] = [
    (Verdict::Ready, "ready"),
    (Verdict::Degraded, "degraded"),
    (Verdict::Unknown, "unknown"),
];
const CHECKS: [(Check, &str); 4] = [
    (Check::Pass, "pass"),
    (Check::Warn, "warn"),
    (Check::Fail, "fail"),
    (Check::Unknown, "unknown"),
];
const OUTCOMES: [(Outcome, &str); 3] = [
    (Outcome::Passed, "passed"),
    (Outcome::ActionRequired, "action_required"),
    (Outcome::NotEvaluated, "not_evaluated"),
];

impl Estates {
    pub(super) fn families(&self) -> Vec<Family> {
        let now = Instant::now();
        let mut posture = Family::gauge(
            "drconsole_posture",
            "Which region writes and serves, as read from AWS: 1 for the current state.",
        );
        let mut ready = Family::gauge(
            "drconsole_standby_ready",
            "1 when the side standing by is ready to take over, 0 when degraded; absent when unknown.",
        );
        let mut verdict = Family::gauge(
            "drconsole_readiness_verdict",
            "The readiness verdict of the side standing by: 1 for the current verdict.",
        );
        let mut check = Family::gauge(
            "drconsole_readiness_check",
            "Each readiness check of the side standing by: 1 for its current result.",
        );
        let mut lag = Family::seconds(
            "drconsole_replica_lag",
            "Replica lag of the database standing by; absent when stopped or without data.",
        );
        let mut stopped = Family::gauge(
            "drconsole_replication_stopped",
            "1 when replication to the side standing by has stopped (RDS ReplicaLag -1).",
        );
        let mut exposure = Family::seconds(
            "drconsole_rpo_exposure",
            "Writes a promotion now would lose, as replica lag; absent when unknown.",
        );
        let mut budget = Family::seconds(
            "drconsole_rpo_budget",
            "The estate's RPO budget (rpo_budget).",
        );
        let mut reachable = Family::gauge(
            "drconsole_region_reachable",
            "1 when the latest read of the scope succeeded (or AWS answered it throttled), 0 when it failed; absent before the first.",
        );
        let mut throttled = Family::gauge(
            "drconsole_region_throttled",
            "1 while AWS throttles the scope's reads (busy, not unreachable), else 0; absent before the first read.",
        );
        let mut age = Family::seconds(
            "drconsole_reading_age",
            "Age of the latest successful reading of each scope.",
        );
        let mut evaluation = Family::gauge(
            "drconsole_evaluation",
            "Each evaluated runbook's result: 1 for the current outcome.",
        );
        let mut aspect = Family::gauge(
            "drconsole_evaluation_aspect",
            "Each part of a runbook's evaluation (permissions, plan, drift): 1 for its outcome.",
        );
        let mut evaluation_age = Family::seconds(
            "drconsole_evaluation_age",
            "Time since the runbooks were last evaluated.",
        );
        let mut calls = Family::counter(
            "drconsole_aws_calls",
            "AWS API calls made by this process, by operation (retries included).",
        );
        let mut run = Family::gauge(
            "drconsole_run_in_progress",
            "1 while a run of the estate is unfinished in the state directory, 0 when none.",
        );
        let mut run_step = Family::gauge(
            "drconsole_run_step",
            "The step an unfinished run stands at: 1, labelled with runbook, run and step.",
        );
        for state in &self.estates {
            let s = match state.lock() {
                Ok(s) => s,
                Err(p) => p.into_inner(),
            };
            let name = s.estate.name.clone();
            let base: Labels = vec![("estate", name.clone())];
            let view = s.view();
            one_hot(&mut posture, &base, "state", &POSTURES, view.posture.state);
            let mut vlabels = base.clone();
            vlabels.push(("side", view.readiness.side.as_str().to_string()));
            match view.readiness.verdict {
                Verdict::Ready => ready.push(vlabels.clone(), 1.0),
                Verdict::Degraded => ready.push(vlabels.clone(), 0.0),
                Verdict::Unknown => {}
            }
            one_hot(
                &mut verdict,
                &vlabels,
                "verdict",
                &VERDICTS,
                view.readiness.verdict,
            );
            for item in &view.readiness.items {
                let mut l = base.clone();
                l.push(("check", item.label.clone()));
                one_hot(&mut check, &l, "result", &CHECKS, item.check);
            }
            budget.push(base.clone(), s.estate.rpo_budget.0.as_secs_f64());
            let passive = view.posture.passive();
            let db = s.regions[idx(passive)]
                .data
                .as_ref()
                .and_then(|r| r.database.as_ref())
                .and_then(|d| d.as_ref().ok());
            if let Some(db) = db.filter(|d| d.role != crate::model::DbRole::Writer) {
                match db.lag {
                    Lag::Known(secs) => {
                        lag.push(base.clone(), secs as f64);
                        exposure.push(base.clone(), secs as f64);
                        stopped.push(base.clone(), 0.0);
                    }
                    Lag::Stopped => stopped.push(base.clone(), 1.0),
                    Lag::NoData => {}
                }
            }
            for side in Side::BOTH {
                let feed = &s.regions[idx(side)];
                let mut l = base.clone();
                l.push(("scope", side.as_str().to_string()));
                l.push(("region", s.estate.region(side).region.to_string()));
                scope_reach(feed, &l, &mut reachable, &mut throttled);
                if let Some(a) = feed.age(now) {
                    age.push(l, a.as_secs_f64());
                }
            }
            let mut l = base.clone();
            l.push(("scope", "route53".to_string()));
            l.push(("region", "global".to_string()));
            scope_reach(&s.global, &l, &mut reachable, &mut throttled);
            if let Some(a) = s.global.age(now) {
                age.push(l, a.as_secs_f64());
            }
            for e in &view.evaluations {
                let mut l = base.clone();
                l.push(("runbook", e.runbook.clone()));
                one_hot(&mut evaluation, &l, "outcome", &OUTCOMES, e.outcome);
                for a in Aspect::ALL {
                    if let Some(r) = e.aspect(a) {
                        let mut al = l.clone();
                        al.push(("aspect", a.as_str().to_string()));
                        one_hot(&mut aspect, &al, "outcome", &OUTCOMES, r.outcome);
                    }
                }
            }
            if let Some(at) = s.evaluated {
                evaluation_age.push(
                    base.clone(),
                    now.saturating_duration_since(at).as_secs_f64(),
                );
            }
            for (op, n) in s.backend.calls_by_operation().unwrap_or_default() {
                let mut l = base.clone();
                l.push(("operation", op));
                calls.push(l, n as f64);
            }
            match &s.run {
                Ok(None) => run.push(base.clone(), 0.0),
                Ok(Some(r)) => {
                    run.push(base.clone(), 1.0);
                    let mut l = base.clone();
                    l.push(("runbook", r.runbook.clone()));
                    l.push(("run_id", r.run_id.clone()));
                    let (step, status) = r.step.clone().unwrap_or_default();
                    l.push(("step", step));
                    l.push(("status", status));
                    run_step.push(l, 1.0);
                }
                // The state directory could not be read: whether a run is under way is unknown.
                Err(_) => {}
            }
        }
        vec![
            posture,
            ready,
            verdict,
            check,
            lag,
            stopped,
            exposure,
            budget,
            reachable,
            throttled,
            age,
            evaluation,
            aspect,
            evaluation_age,
            calls,
            run,
            run_step,
        ]
    }
}

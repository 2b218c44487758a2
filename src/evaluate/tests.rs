//! The evaluation on the simulator: passed when all is well; a denied call listed under its
//! step; a caller that may not simulate is "not evaluated", never "passed"; drift seen on the
//! next readings and cleared by them; and never a change.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use async_trait::async_trait;

use super::schedule::with_drift;
use super::*;
use crate::backend::sim::{SimClock, Simulator, built_in_estate};
use crate::backend::{
    Action, ActionOutcome, BackendError, EndpointStore, ErrorKind as BackendErrorKind,
};
use crate::model::{Decision, GlobalReading, Parts, Permission};

/// How the wrapped simulator answers a policy simulation.
#[derive(Clone, Copy)]
enum Policy {
    AsSimulated,
    /// Denies one IAM action explicitly.
    Deny(&'static str),
    /// The caller may not call iam:SimulatePrincipalPolicy.
    MayNotSimulate,
}

/// The simulator, with its policy simulation replaced and every change counted.
struct Wrapped {
    sim: Arc<Simulator>,
    policy: std::sync::Mutex<Policy>,
    changes: AtomicUsize,
}

#[async_trait]
impl Backend for Wrapped {
    fn mode(&self) -> crate::backend::BackendMode {
        self.sim.mode()
    }
    async fn read_region(&self, side: Side) -> Result<RegionReading, BackendError> {
        self.sim.read_region(side).await
    }
    async fn read_parts(&self, side: Side, parts: Parts) -> Result<RegionReading, BackendError> {
        self.sim.read_parts(side, parts).await
    }
    async fn read_global(&self) -> Result<GlobalReading, BackendError> {
        self.sim.read_global().await
    }
    async fn read_global_parts(&self, parts: Parts) -> Result<GlobalReading, BackendError> {
        self.sim.read_global_parts(parts).await
    }
    async fn act(&self, action: &Action) -> Result<ActionOutcome, BackendError> {
        self.changes.fetch_add(1, Ordering::SeqCst);
        self.sim.act(action).await
    }
    async fn dns_change_in_sync(&self, change_id: &str) -> Result<bool, BackendError> {
        self.sim.dns_change_in_sync(change_id).await
    }
    async fn read_endpoint(
        &self,
        side: Side,
        store: &EndpointStore,
    ) -> Result<Option<crate::backend::StoredEndpoint>, BackendError> {
        self.sim.read_endpoint(side, store).await
    }
    async fn quotas(
        &self,
        side: Side,
        kinds: &[crate::model::QuotaKind],
    ) -> Result<Vec<crate::model::QuotaReading>, BackendError> {
        self.sim.quotas(side, kinds).await
    }
    async fn task_sizes(
        &self,
        side: Side,
        task_definitions: &[String],
    ) -> Result<Vec<crate::model::TaskSize>, BackendError> {
        self.sim.task_sizes(side, task_definitions).await
    }
    async fn simulate_actions(
        &self,
        side: Side,
        actions: &[Action],
    ) -> Result<Vec<Permission>, BackendError> {
        let policy = *self.policy.lock().expect("policy");
        let mut answer = self.sim.simulate_actions(side, actions).await?;
        match policy {
            Policy::AsSimulated => {}
            Policy::Deny(action) => {
                for p in answer.iter_mut().filter(|p| p.action == action) {
                    p.decision = Decision::ExplicitDeny;
                }
            }
            Policy::MayNotSimulate => {
                return Err(BackendError::new(
                    BackendErrorKind::AccessDenied,
                    "us-west-2 (standby)",
                    "iam:SimulatePrincipalPolicy",
                    "",
                    "missing IAM permission iam:SimulatePrincipalPolicy",
                ));
            }
        }
        Ok(answer)
    }
}

fn setup(policy: Policy) -> (Arc<Estate>, Arc<Wrapped>, Arc<dyn Backend>) {
    let estate = Arc::new(built_in_estate());
    let wrapped = Arc::new(Wrapped {
        sim: Simulator::new((*estate).clone(), 7, SimClock::manual()),
        policy: std::sync::Mutex::new(policy),
        changes: AtomicUsize::new(0),
    });
    let backend: Arc<dyn Backend> = wrapped.clone();
    (estate, wrapped, backend)
}

fn failover(evaluations: &[Evaluation]) -> &Evaluation {
    evaluations
        .iter()
        .find(|e| e.runbook == "failover")
        .unwrap_or_else(|| panic!("no failover evaluation in {evaluations:#?}"))
}

#[tokio::test]
async fn a_ready_estate_passes_every_aspect_without_a_change() {
    let (estate, wrapped, backend) = setup(Policy::AsSimulated);
    let all = evaluate_all(&estate, &backend).await;
    let e = failover(&all);
    assert_eq!(e.outcome, Outcome::Passed, "{e:#?}");
    assert_eq!(e.headline(), "passed");
    for a in [Aspect::Plan, Aspect::Permissions, Aspect::Drift] {
        assert_eq!(
            e.aspect(a).map(|r| r.outcome),
            Some(Outcome::Passed),
            "{a:?}: {e:#?}"
        );
    }
    // The plan makes calls (promote, scale, DNS) and every one was simulated.
    let permissions = e.aspect(Aspect::Permissions).expect("permissions");
    assert!(
        permissions.summary.ends_with("call(s) allowed"),
        "{permissions:?}"
    );
    assert!(!permissions.summary.starts_with("0 "), "{permissions:?}");
    assert_eq!(
        wrapped.changes.load(Ordering::SeqCst),
        0,
        "an evaluation changed AWS"
    );
}

#[tokio::test]
async fn a_denied_promotion_is_action_required_under_its_step_then_passes_when_allowed() {
    let (estate, wrapped, backend) = setup(Policy::Deny("rds:PromoteReadReplica"));
    let e = evaluate_all(&estate, &backend).await;
    let e = failover(&e);
    assert_eq!(e.outcome, Outcome::ActionRequired, "{e:#?}");
    assert_eq!(
        e.headline(),
        "action required: database: rds:PromoteReadReplica denied"
    );
    *wrapped.policy.lock().expect("policy") = Policy::AsSimulated;
    let e = evaluate_all(&estate, &backend).await;
    assert_eq!(failover(&e).headline(), "passed");
    assert_eq!(wrapped.changes.load(Ordering::SeqCst), 0);
}

#[tokio::test]
async fn a_caller_that_may_not_simulate_is_not_evaluated_never_passed() {
    let (estate, _, backend) = setup(Policy::MayNotSimulate);
    let e = evaluate_all(&estate, &backend).await;
    let e = failover(&e);
    assert_eq!(e.outcome, Outcome::NotEvaluated, "{e:#?}");
    assert_eq!(
        e.aspect(Aspect::Permissions).map(|a| a.outcome),
        Some(Outcome::NotEvaluated)
    );
    assert!(
        e.headline().starts_with("not evaluated: ") && e.headline().contains("may not simulate"),
        "{}",
        e.headline()
    );
}

#[tokio::test]
async fn a_lowered_standby_max_is_drift_on_the_next_readings_and_clears_when_restored() {
    let (estate, _, backend) = setup(Policy::AsSimulated);
    let all = evaluate_all(&estate, &backend).await;
    let e = failover(&all).clone();
    let primary = backend.read_region(Side::Primary).await.expect("primary");
    let mut standby = backend.read_region(Side::Standby).await.expect("standby");
    let Ok(asgs) = &mut standby.asgs else {
        panic!("standby ASGs not read")
    };
    let web = asgs
        .iter_mut()
        .find(|a| a.name == "orders-web")
        .expect("orders-web");
    let max = web.max;
    web.max = 2;
    let lowered = with_drift(&e, &estate, Side::Primary, [Some(&primary), Some(&standby)]);
    assert_eq!(lowered.outcome, Outcome::ActionRequired, "{lowered:#?}");
    assert_eq!(
        lowered.headline(),
        "action required: standby ASG orders-web max 2 < production 3"
    );
    if let Ok(asgs) = &mut standby.asgs
        && let Some(web) = asgs.iter_mut().find(|a| a.name == "orders-web")
    {
        web.max = max;
    }
    let restored = with_drift(&e, &estate, Side::Primary, [Some(&primary), Some(&standby)]);
    assert_eq!(restored.outcome, Outcome::Passed, "{restored:#?}");
    // A region not read leaves the drift as it was.
    assert_eq!(
        with_drift(&lowered, &estate, Side::Primary, [None, Some(&standby)]),
        lowered
    );
}

#[tokio::test]
async fn the_primary_running_beyond_production_is_drift() {
    let (estate, _, backend) = setup(Policy::AsSimulated);
    let mut primary = backend.read_region(Side::Primary).await.expect("primary");
    let standby = backend.read_region(Side::Standby).await.expect("standby");
    if let Ok(services) = &mut primary.services
        && let Some(web) = services.iter_mut().find(|s| s.name == "web")
    {
        web.desired = 9;
    }
    let (aspect, findings) = drift::check(&estate, Side::Primary, [Ok(&primary), Ok(&standby)]);
    assert_eq!(aspect.outcome, Outcome::ActionRequired);
    assert!(
        findings.iter().any(|f| f.text
            == "primary service web runs 9 task(s), more than production 4: the other side would come up short"),
        "{findings:#?}"
    );
    // A region that could not be read is not evaluated, not passed.
    let (aspect, _) = drift::check(&estate, Side::Primary, [Err("timed out"), Ok(&standby)]);
    assert_eq!(aspect.outcome, Outcome::NotEvaluated);
}

#[test]
fn the_posture_chooses_the_runbooks() {
    use crate::posture::{Posture, PostureState};
    let estate = built_in_estate();
    let posture = |state| Posture {
        state,
        active: None,
        detail: String::new(),
    };
    assert_eq!(
        applicable(&estate, &posture(PostureState::Normal)),
        ["failover"]
    );
    assert_eq!(
        applicable(&estate, &posture(PostureState::FailedOver)),
        ["reprotect"]
    );
    assert_eq!(
        applicable(&estate, &posture(PostureState::Reprotected)),
        ["failback"]
    );
    assert!(applicable(&estate, &posture(PostureState::SplitBrain)).is_empty());
}

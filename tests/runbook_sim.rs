//! The runbook engine on the simulator, on tokio's paused clock: the simulator's manual clock
//! follows tokio's virtual time one second at a time, so minutes of AWS time take milliseconds
//! and every run is deterministic.

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use drconsole::backend::sim::{Fault, SimClock, Simulator, WRITES_PER_SECOND, built_in_estate};
use drconsole::backend::{Action, Backend, EndpointStore};
use drconsole::config::runbook::{CapacityTarget, Condition, Count, RunbookSpec, StepSpec};
use drconsole::config::{Estate, HumanDuration};
use drconsole::model::{DbRole, Lag, RegionReading, Side};
use drconsole::posture::PostureState;
use drconsole::runbook::steps::{self as kinds, Kind, Registry};
use drconsole::runbook::{
    HeadlessOptions, Journal, RunCommand, RunContext, RunEvent, RunHandle, RunMode, RunOutcome,
    RunSummary, StepStatus, defaults, run_headless,
};
use tempfile::TempDir;

#[path = "common/counting.rs"]
mod counting;
use counting::Counting;

struct Harness {
    sim: Arc<Simulator>,
    estate: Arc<Estate>,
    dir: TempDir,
}

impl Harness {
    fn new(estate: Estate, seed: u64) -> Harness {
        let clock = SimClock::manual();
        let sim = Simulator::new(estate.clone(), seed, clock.clone());
        // The simulator's clock follows tokio's (paused) clock.
        tokio::spawn(async move {
            loop {
                tokio::time::sleep(Duration::from_secs(1)).await;
                clock.advance(Duration::from_secs(1));
            }
        });
        Harness {
            sim,
            estate: Arc::new(estate),
            dir: tempfile::tempdir().unwrap(),
        }
    }
    fn built_in(seed: u64) -> Harness {
        Harness::new(built_in_estate(), seed)
    }
    fn counting(&self) -> Arc<Counting> {
        Counting::new(self.sim.clone())
    }
    fn ctx(&self, backend: Arc<Counting>, mode: RunMode) -> RunContext {
        let mut ctx = RunContext::new(self.estate.clone(), backend, mode);
        ctx.audit_path = self.audit_path();
        ctx.state_dir = self.dir.path().to_path_buf();
        ctx.user = "drill-lead".into();
        ctx
    }
    fn audit_path(&self) -> std::path::PathBuf {
        self.dir.path().join("audit.jsonl")
    }
    fn audit(&self) -> Vec<serde_json::Value> {
        audit_lines(&self.audit_path())
    }
    async fn region(&self, side: Side) -> RegionReading {
        self.sim.read_region(side).await.unwrap()
    }
}

fn audit_lines(path: &Path) -> Vec<serde_json::Value> {
    std::fs::read_to_string(path)
        .unwrap_or_default()
        .lines()
        .map(|l| serde_json::from_str(l).expect("every audit line is JSON"))
        .collect()
}

fn runbook(steps: Vec<StepSpec>) -> RunbookSpec {
    RunbookSpec {
        description: Some("test".into()),
        steps,
    }
}

/// Confirms every step (typing the region name when asked), panics on a failure.
fn confirm_all(ev: &RunEvent) -> Option<RunCommand> {
    match ev {
        RunEvent::AwaitingConfirmation(p) => Some(RunCommand::Confirm {
            typed_region: p.type_to_confirm.clone(),
        }),
        RunEvent::AwaitingDecision { step, error, .. } => panic!("{step} failed: {error}"),
        _ => None,
    }
}

/// Reads events, answering with `policy`, until the run finishes (at most 6 hours of sim time).
async fn drive<F>(h: &mut RunHandle, mut policy: F) -> (RunSummary, Vec<RunEvent>)
where
    F: FnMut(&RunEvent) -> Option<RunCommand>,
{
    let mut seen = Vec::new();
    let run = async {
        while let Some(ev) = h.events.recv().await {
            if let Some(cmd) = policy(&ev) {
                h.commands.send(cmd).unwrap();
            }
            let done = matches!(ev, RunEvent::Finished(_));
            let summary = match &ev {
                RunEvent::Finished(s) => Some(s.clone()),
                _ => None,
            };
            seen.push(ev);
            if done {
                return summary.unwrap();
            }
        }
        panic!("event channel closed before the run finished");
    };
    let summary = tokio::time::timeout(Duration::from_secs(6 * 3600), run)
        .await
        .expect("run did not finish within 6 hours of sim time");
    (summary, seen)
}

async fn run_spec(h: &Harness, spec: RunbookSpec) -> (RunSummary, Vec<RunEvent>, Arc<Counting>) {
    let backend = h.counting();
    let mut handle =
        drconsole::runbook::start_spec(h.ctx(backend.clone(), RunMode::Live), "test", spec)
            .expect("run starts");
    let (summary, events) = drive(&mut handle, confirm_all).await;
    (summary, events, backend)
}

fn final_status(events: &[RunEvent], id: &str) -> Option<StepStatus> {
    events.iter().rev().find_map(|e| match e {
        RunEvent::Step(v) if v.id == id => Some(v.status.clone()),
        _ => None,
    })
}

/// Runs `spec` twice: the first run acts and verifies, the second makes no call.
async fn acts_then_noop(h: &Harness, spec: RunbookSpec) -> Vec<Action> {
    let (s1, _, b1) = run_spec(h, spec.clone()).await;
    assert_eq!(s1.outcome, RunOutcome::Completed);
    assert!(b1.count() > 0, "the first run acts");
    let (s2, ev2, b2) = run_spec(h, spec).await;
    assert_eq!(s2.outcome, RunOutcome::Completed);
    assert_eq!(
        b2.count(),
        0,
        "the second run makes no call: {:?}",
        b2.actions()
    );
    match final_status(&ev2, "1") {
        Some(StepStatus::Done { note }) => assert!(note.starts_with("already at target"), "{note}"),
        other => panic!("step 1 of the second run: {other:?}"),
    }
    b1.actions()
}

fn step<K: Kind>(kind: K) -> StepSpec {
    kind.spec()
}

// ---------------------------------------------------------------- each step kind

#[tokio::test(start_paused = true)]
async fn promote_replica_acts_verifies_and_is_idempotent() {
    let h = Harness::built_in(1);
    let drill = kinds::PromoteReplica {
        side: Side::Standby,
        allow_data_loss: true,
    };
    let calls = acts_then_noop(&h, runbook(vec![step(drill)])).await;
    assert!(matches!(calls.as_slice(), [Action::PromoteReplica { .. }]));
    let db = h.region(Side::Standby).await.database.unwrap().unwrap();
    assert_eq!((db.role, db.status.as_str()), (DbRole::Writer, "available"));
}

#[tokio::test(start_paused = true)]
async fn scale_services_acts_verifies_and_is_idempotent() {
    let h = Harness::built_in(2);
    let spec = runbook(vec![step(kinds::ScaleServices {
        side: Side::Standby,
        to: Count::Production,
        services: None,
    })]);
    let calls = acts_then_noop(&h, spec).await;
    assert_eq!(calls.len(), 6);
    let services = h.region(Side::Standby).await.services.unwrap();
    for (s, cfg) in services.iter().zip(h.estate.services()) {
        assert_eq!(
            (s.running, s.desired),
            (cfg.production, cfg.production),
            "{}",
            s.name
        );
    }
}

#[tokio::test(start_paused = true)]
async fn set_asg_capacity_then_register_targets() {
    let h = Harness::built_in(3);
    let asg = runbook(vec![step(kinds::SetAsgCapacity {
        side: Side::Standby,
        to: CapacityTarget::Production,
        asgs: None,
    })]);
    let calls = acts_then_noop(&h, asg).await;
    assert_eq!(calls.len(), 2);
    let asgs = h.region(Side::Standby).await.asgs.unwrap();
    assert!(asgs.iter().all(|a| a.in_service >= a.desired));

    let reg = runbook(vec![step(kinds::RegisterTargets {
        side: Side::Standby,
        target_groups: None,
    })]);
    let calls = acts_then_noop(&h, reg).await;
    assert!(
        matches!(calls.as_slice(), [Action::RegisterTargets { targets, .. }] if targets.len() == 2)
    );
    let tg = &h.region(Side::Standby).await.target_groups.unwrap()[0];
    assert_eq!(tg.healthy, 3);
}

#[tokio::test(start_paused = true)]
async fn move_dns_waits_for_insync_and_is_idempotent() {
    let h = Harness::built_in(4);
    let calls = acts_then_noop(
        &h,
        runbook(vec![step(kinds::MoveDns { to: Side::Standby })]),
    )
    .await;
    assert!(matches!(calls.as_slice(), [Action::UpsertRecord { .. }]));
    let g = h.sim.read_global().await.unwrap();
    assert_eq!(g.dns.unwrap().unwrap().points_at, Some(Side::Standby));
}

#[tokio::test(start_paused = true)]
async fn write_endpoint_reads_back_and_is_idempotent() {
    let h = Harness::built_in(5);
    let spec = runbook(vec![step(kinds::WriteEndpoint {
        side: Side::Standby,
        database: None,
    })]);
    let calls = acts_then_noop(&h, spec).await;
    assert!(matches!(calls.as_slice(), [Action::WriteEndpoint { .. }]));
    let store = EndpointStore::SsmParameter("/orders/db/endpoint".into());
    let v = h
        .sim
        .read_endpoint(Side::Standby, &store)
        .await
        .unwrap()
        .unwrap();
    let v = v.endpoint.unwrap().unwrap().into_exposed();
    assert!(v.starts_with("orders-db-replica."), "{v}");
}

#[tokio::test(start_paused = true)]
async fn recreate_replica_renames_the_promoted_instance_and_waits_for_lag() {
    let h = Harness::built_in(6);
    let drill = kinds::PromoteReplica {
        side: Side::Standby,
        allow_data_loss: true,
    };
    let (s, _, _) = run_spec(&h, runbook(vec![step(drill)])).await;
    assert_eq!(s.outcome, RunOutcome::Completed);
    let calls = acts_then_noop(
        &h,
        runbook(vec![step(kinds::Reprotect {
            side: Side::Standby,
        })]),
    )
    .await;
    assert!(
        matches!(
            calls.as_slice(),
            [Action::RenameDb { .. }, Action::CreateReplica { .. }]
        ),
        "{calls:?}"
    );
    let db = h.region(Side::Standby).await.database.unwrap().unwrap();
    assert!(matches!(db.role, DbRole::Replica { .. }));
    assert!(matches!(db.lag, Lag::Known(_)));
}

#[tokio::test(start_paused = true)]
async fn force_deployment_waits_for_steady() {
    let h = Harness::built_in(7);
    let (s, ev, b) = run_spec(
        &h,
        runbook(vec![step(kinds::ForceDeployment {
            side: Side::Primary,
            services: Some(vec!["web".into(), "api".into()]),
        })]),
    )
    .await;
    assert_eq!(s.outcome, RunOutcome::Completed);
    assert_eq!(b.count(), 2);
    assert!(matches!(
        final_status(&ev, "1"),
        Some(StepStatus::Done { .. })
    ));
    let services = h.region(Side::Primary).await.services.unwrap();
    assert!(
        services
            .iter()
            .all(|s| s.deployment == drconsole::model::Deployment::Steady)
    );
}

fn aurora_estate() -> Estate {
    let text = drconsole::backend::sim::BUILT_IN_ESTATE.replace(
        "kind = \"rds-replica\"",
        "kind = \"aurora-global\"\nglobal_cluster = \"orders-global\"",
    );
    Estate::parse(&text, "aurora").unwrap()
}

#[tokio::test(start_paused = true)]
async fn global_failover_and_switchover_back() {
    let h = Harness::new(aurora_estate(), 8);
    let calls = acts_then_noop(
        &h,
        runbook(vec![step(kinds::GlobalFailover { to: Side::Standby })]),
    )
    .await;
    assert!(matches!(calls.as_slice(), [Action::GlobalFailover { .. }]));
    let db = h.region(Side::Standby).await.database.unwrap().unwrap();
    assert_eq!(db.role, DbRole::Writer);
    let calls = acts_then_noop(
        &h,
        runbook(vec![step(kinds::GlobalSwitchover { to: Side::Primary })]),
    )
    .await;
    assert!(matches!(
        calls.as_slice(),
        [Action::GlobalSwitchover { .. }]
    ));
    let db = h.region(Side::Primary).await.database.unwrap().unwrap();
    assert_eq!(db.role, DbRole::Writer);
}

#[tokio::test(start_paused = true)]
async fn wait_check_and_manual_make_no_calls() {
    let h = Harness::built_in(9);
    let spec = runbook(vec![
        step(kinds::Check {
            require: vec![
                Condition::RegionReachable(Side::Standby),
                Condition::DatabaseAvailable(Side::Standby),
            ],
            warn: vec![Condition::LagBelow(HumanDuration(Duration::from_secs(1)))],
        }),
        step(kinds::Wait::until(Condition::LagKnown(true))),
        step(kinds::Wait::until(Condition::AlarmOk("orders-5xx".into()))),
        step(kinds::Wait::until(Condition::ServiceRunning(Side::Primary))),
        step(kinds::Wait::until(Condition::HealthCheckHealthy(
            "standby".into(),
        ))),
        step(kinds::Manual {
            instruction: "tell the CDN team".into(),
        }),
    ]);
    let (s, ev, b) = run_spec(&h, spec).await;
    assert_eq!(s.outcome, RunOutcome::Completed);
    assert_eq!(b.count(), 0);
    for id in ["1", "2", "3", "4", "5"] {
        assert!(
            matches!(final_status(&ev, id), Some(StepStatus::Done { .. })),
            "{id}"
        );
    }
    assert_eq!(
        final_status(&ev, "6"),
        Some(StepStatus::Done {
            note: "acknowledged by drill-lead".into()
        })
    );
    assert!(
        h.audit()
            .iter()
            .any(|l| l["event"] == "acknowledged" && l["user"] == "drill-lead")
    );
}

#[tokio::test(start_paused = true)]
async fn a_wait_that_never_holds_times_out_and_can_be_skipped() {
    let h = Harness::built_in(10);
    h.sim.toggle(Fault::ReplicationStopped);
    let spec = runbook(vec![
        step(kinds::Wait::until(Condition::LagKnown(true))).with_timeout(Duration::from_secs(120)),
    ]);
    let backend = h.counting();
    let mut handle =
        drconsole::runbook::start_spec(h.ctx(backend, RunMode::Live), "t", spec).unwrap();
    let (s, ev) = drive(&mut handle, |e| match e {
        RunEvent::AwaitingDecision { error, .. } => {
            assert!(error.contains("timed out after 2m"), "{error}");
            Some(RunCommand::Skip {
                reason: "replication is being repaired".into(),
            })
        }
        _ => None,
    })
    .await;
    assert_eq!(s.outcome, RunOutcome::Completed);
    assert_eq!(s.skipped, vec!["1".to_string()]);
    assert!(matches!(
        final_status(&ev, "1"),
        Some(StepStatus::Skipped { .. })
    ));
}

// ---------------------------------------------------------------- failures

#[tokio::test(start_paused = true)]
async fn stuck_step_times_out_then_retry_succeeds_without_repeating_calls() {
    let h = Harness::built_in(11);
    h.sim.toggle(Fault::StuckStep);
    let spec = runbook(vec![
        step(kinds::ScaleServices {
            side: Side::Standby,
            to: Count::Production,
            services: Some(vec!["web".into(), "api".into()]),
        })
        .with_timeout(Duration::from_secs(180)),
    ]);
    let backend = h.counting();
    let mut handle =
        drconsole::runbook::start_spec(h.ctx(backend.clone(), RunMode::Live), "t", spec).unwrap();
    let sim = h.sim.clone();
    let mut failures = 0;
    let (s, _) = drive(&mut handle, |e| match e {
        RunEvent::AwaitingConfirmation(_) => Some(RunCommand::Confirm { typed_region: None }),
        RunEvent::AwaitingDecision { error, .. } => {
            failures += 1;
            assert!(error.contains("timed out"), "{error}");
            sim.toggle(Fault::StuckStep); // released: the swallowed calls apply now
            Some(RunCommand::Retry)
        }
        _ => None,
    })
    .await;
    assert_eq!(failures, 1);
    assert_eq!(s.outcome, RunOutcome::Completed);
    assert_eq!(
        backend.count(),
        2,
        "the retry found the calls applied and made none"
    );
    assert!(h.audit().iter().any(|l| l["event"] == "retry"));
}

#[tokio::test(start_paused = true)]
async fn throttled_calls_are_retried_and_a_failed_step_can_be_retried() {
    let h = Harness::built_in(12);
    h.sim.toggle(Fault::Throttling);
    let spec = runbook(vec![step(kinds::ScaleServices {
        side: Side::Standby,
        to: Count::Production,
        services: None,
    })]);
    let backend = h.counting();
    let mut handle =
        drconsole::runbook::start_spec(h.ctx(backend.clone(), RunMode::Live), "t", spec).unwrap();
    let sim = h.sim.clone();
    let (s, _) = drive(&mut handle, |e| match e {
        RunEvent::AwaitingConfirmation(_) => Some(RunCommand::Confirm { typed_region: None }),
        RunEvent::AwaitingDecision { .. } => {
            if sim.faults().throttling {
                sim.toggle(Fault::Throttling);
            }
            Some(RunCommand::Retry)
        }
        _ => None,
    })
    .await;
    assert_eq!(s.outcome, RunOutcome::Completed);
    if h.sim.faults().throttling {
        h.sim.toggle(Fault::Throttling);
    }
    let services = h.region(Side::Standby).await.services.unwrap();
    assert!(
        services
            .iter()
            .zip(h.estate.services())
            .all(|(s, c)| s.running == c.production)
    );
    // Throttled attempts count as calls; successful ones are exactly one per service.
    assert!(backend.count() >= 6);
    let results = h.audit().iter().filter(|l| l["event"] == "result").count();
    assert_eq!(results, 6);
}

#[tokio::test(start_paused = true)]
async fn a_step_needing_the_dark_primary_fails_fast_and_its_skip_reason_is_audited() {
    let h = Harness::built_in(13);
    h.sim.toggle(Fault::PrimaryDark);
    let spec = runbook(vec![
        step(kinds::ScaleServices {
            side: Side::Primary,
            to: Count::Standby,
            services: None,
        })
        .optional(),
        step(kinds::MoveDns { to: Side::Standby }),
    ]);
    let backend = h.counting();
    let mut handle =
        drconsole::runbook::start_spec(h.ctx(backend.clone(), RunMode::Live), "t", spec).unwrap();
    let (s, ev) = drive(&mut handle, |e| match e {
        RunEvent::AwaitingConfirmation(_) => Some(RunCommand::Confirm { typed_region: None }),
        RunEvent::AwaitingDecision {
            optional,
            needs_primary,
            error,
            ..
        } => {
            assert!(*optional && *needs_primary, "{error}");
            assert!(error.contains("primary unreachable"), "{error}");
            Some(RunCommand::Skip {
                reason: "primary region is down".into(),
            })
        }
        _ => None,
    })
    .await;
    assert_eq!(s.outcome, RunOutcome::Completed);
    assert!(matches!(
        final_status(&ev, "1"),
        Some(StepStatus::Skipped { .. })
    ));
    assert!(matches!(
        final_status(&ev, "2"),
        Some(StepStatus::Done { .. })
    ));
    let skip = h
        .audit()
        .into_iter()
        .find(|l| l["event"] == "skip")
        .expect("skip audited");
    assert_eq!(skip["reason"], "primary region is down");
    assert_eq!(skip["user"], "drill-lead");
    assert_eq!(skip["step"], "1");
    let report = std::fs::read_to_string(s.report.unwrap()).unwrap();
    assert!(report.contains("primary region is down"), "{report}");
}

#[tokio::test(start_paused = true)]
async fn a_skip_without_a_reason_is_refused() {
    let h = Harness::built_in(14);
    let spec = runbook(vec![step(kinds::MoveDns { to: Side::Standby })]);
    let backend = h.counting();
    let mut handle =
        drconsole::runbook::start_spec(h.ctx(backend.clone(), RunMode::Live), "t", spec).unwrap();
    let mut asked = 0;
    let (s, _) = drive(&mut handle, |e| match e {
        RunEvent::AwaitingConfirmation(_) => {
            asked += 1;
            Some(RunCommand::Skip {
                reason: "  ".into(),
            })
        }
        RunEvent::Log(l) if l.text.contains("a reason is required") => Some(RunCommand::Abort),
        _ => None,
    })
    .await;
    assert_eq!(asked, 1);
    assert!(matches!(s.outcome, RunOutcome::Aborted { .. }));
    assert_eq!(backend.count(), 0);
}

#[tokio::test(start_paused = true)]
async fn abort_stops_the_run() {
    let h = Harness::built_in(15);
    let spec = runbook(vec![
        step(kinds::MoveDns { to: Side::Standby }),
        step(kinds::ScaleServices {
            side: Side::Standby,
            to: Count::Production,
            services: None,
        }),
    ]);
    let backend = h.counting();
    let mut handle =
        drconsole::runbook::start_spec(h.ctx(backend.clone(), RunMode::Live), "t", spec).unwrap();
    let (s, ev) = drive(&mut handle, |e| match e {
        RunEvent::AwaitingConfirmation(_) => Some(RunCommand::Abort),
        _ => None,
    })
    .await;
    assert!(matches!(s.outcome, RunOutcome::Aborted { .. }));
    assert_eq!(backend.count(), 0);
    assert_eq!(final_status(&ev, "2"), None, "step 2 never started");
    let j = Journal::load(&s.journal).unwrap();
    assert!(j.outcome.is_some());
    assert!(Journal::find_unfinished(h.dir.path()).unwrap().is_none());
    assert!(h.audit().iter().any(|l| l["event"] == "abort"));
}

// ---------------------------------------------------------------- confirmation gates

#[tokio::test(start_paused = true)]
async fn nothing_is_called_before_confirm_and_a_wrong_region_does_not_confirm() {
    let h = Harness::built_in(16);
    // An outage: the writer cannot be read, so the loss is the replica's lag, accepted in
    // words after the region.
    h.sim.toggle(Fault::PrimaryDark);
    let backend = h.counting();
    // A promotion that may lose data (as the default failover's): without it, a replica
    // behind its writer is refused outright.
    let spec = runbook(vec![step(kinds::PromoteReplica {
        side: Side::Standby,
        allow_data_loss: true,
    })]);
    let mut handle =
        drconsole::runbook::start_spec(h.ctx(backend.clone(), RunMode::Live), "t", spec).unwrap();
    // Commands sent before the question are dropped, not taken as a yes.
    handle
        .commands
        .send(RunCommand::Confirm {
            typed_region: Some("us-west-2".into()),
        })
        .unwrap();
    let prompt = loop {
        match handle.events.recv().await.unwrap() {
            RunEvent::AwaitingConfirmation(p) => break p,
            _ => continue,
        }
    };
    assert_eq!(prompt.type_to_confirm.as_deref(), Some("us-west-2 DISCARD"));
    assert!(
        prompt
            .discards
            .iter()
            .any(|d| d.contains("of acknowledged writes")),
        "{:?}",
        prompt.discards
    );
    assert_eq!(prompt.calls.len(), 1);
    assert!(prompt.calls[0].irreversible);
    assert!(
        prompt.calls[0]
            .describe
            .starts_with("rds:PromoteReadReplica orders-db-replica")
    );
    tokio::time::sleep(Duration::from_secs(600)).await;
    assert_eq!(backend.count(), 0, "no call before a confirmation");

    for typed in [
        None,
        Some("us-east-1".to_string()),
        Some("US-WEST-2 DISCARD".to_string()),
        Some("us-west-2".to_string()),
    ] {
        handle
            .commands
            .send(RunCommand::Confirm {
                typed_region: typed,
            })
            .unwrap();
        tokio::time::sleep(Duration::from_secs(60)).await;
        assert_eq!(backend.count(), 0, "a wrong region name does not confirm");
    }
    handle
        .commands
        .send(RunCommand::Confirm {
            typed_region: Some("us-west-2 DISCARD".into()),
        })
        .unwrap();
    let (s, _) = drive(&mut handle, |_| None).await;
    assert_eq!(s.outcome, RunOutcome::Completed);
    assert_eq!(backend.count(), 1);
    let audit = h.audit();
    assert_eq!(
        audit
            .iter()
            .filter(|l| l["event"] == "confirm_refused")
            .count(),
        4
    );
    let confirm = audit.iter().find(|l| l["event"] == "confirm").unwrap();
    assert_eq!(confirm["user"], "drill-lead");
    assert_eq!(confirm["how"], "typed");
    assert_eq!(confirm["typed"], "us-west-2 DISCARD");
    assert!(
        audit
            .iter()
            .any(|l| l["event"] == "call" && l["call"] == "rds:PromoteReadReplica")
    );
    assert!(audit.iter().any(|l| l["event"] == "result"));
    assert!(s.metrics.rpo_lag.is_some());
}

#[tokio::test(start_paused = true)]
async fn read_only_refuses_to_start_and_dry_run_makes_no_call() {
    let h = Harness::built_in(17);
    let backend = h.counting();
    let err = drconsole::runbook::start(h.ctx(backend.clone(), RunMode::ReadOnly), "failover");
    assert!(matches!(err, Err(drconsole::runbook::RunError::ReadOnly)));

    let mut handle =
        drconsole::runbook::start(h.ctx(backend.clone(), RunMode::DryRun), "failover").unwrap();
    let (s, ev) = drive(&mut handle, |e| match e {
        RunEvent::AwaitingConfirmation(_) | RunEvent::AwaitingDecision { .. } => {
            panic!("a dry run asks nothing")
        }
        _ => None,
    })
    .await;
    assert_eq!(s.outcome, RunOutcome::Completed);
    assert_eq!(backend.count(), 0);
    assert!(matches!(
        final_status(&ev, "database"),
        Some(StepStatus::DryRun { .. })
    ));
    assert!(ev.iter().any(|e| matches!(e, RunEvent::Log(l) if l.text.contains("dry-run: would call rds:PromoteReadReplica"))));
    assert!(Journal::find_unfinished(h.dir.path()).unwrap().is_none());
}

// ---------------------------------------------------------------- crash and resume

#[tokio::test(start_paused = true)]
async fn a_crashed_run_resumes_after_its_last_completed_step() {
    let h = Harness::built_in(18);
    let before = h.counting();
    let mut handle =
        drconsole::runbook::start(h.ctx(before.clone(), RunMode::Live), "failover").unwrap();
    // Crash as soon as step "targets" is done.
    loop {
        let ev = tokio::time::timeout(Duration::from_secs(3600), handle.events.recv())
            .await
            .unwrap()
            .unwrap();
        if let Some(cmd) = confirm_all(&ev) {
            handle.commands.send(cmd).unwrap();
        }
        if matches!(&ev, RunEvent::Step(v) if v.id == "targets" && matches!(v.status, StepStatus::Done { .. }))
        {
            handle.task.abort();
            break;
        }
    }
    let _ = handle.task.await;
    let calls_before = before.actions();
    assert!(
        calls_before
            .iter()
            .any(|a| matches!(a, Action::PromoteReplica { .. }))
    );
    assert!(
        calls_before
            .iter()
            .any(|a| matches!(a, Action::RegisterTargets { .. }))
    );

    // The audit log has every call and result up to the crash.
    let audit = h.audit();
    let logged_calls = audit.iter().filter(|l| l["event"] == "call").count();
    let logged_results = audit.iter().filter(|l| l["event"] == "result").count();
    assert_eq!(logged_calls, calls_before.len());
    assert_eq!(logged_results, calls_before.len());
    assert!(
        audit
            .iter()
            .any(|l| l["step"] == "targets" && l["event"] == "state" && l["state"] == "done")
    );

    let journal = Journal::find_unfinished(h.dir.path())
        .unwrap()
        .expect("the run is unfinished");
    assert_eq!(journal.run_id, handle.run_id);
    let after = h.counting();
    let mut resumed =
        drconsole::runbook::resume(h.ctx(after.clone(), RunMode::Live), journal).unwrap();
    let (s, ev) = drive(&mut resumed, confirm_all).await;
    assert_eq!(s.outcome, RunOutcome::Completed);
    assert!(matches!(&ev[0], RunEvent::Started { resumed: true, .. }));
    for a in after.actions() {
        assert!(
            matches!(
                a,
                Action::WriteEndpoint { .. }
                    | Action::ForceDeployment { .. }
                    | Action::UpsertRecord { .. }
            ),
            "the resumed run repeated {a:?}"
        );
    }
    assert!(after.count() > 0);
    for id in [
        "preflight",
        "scale-up",
        "database",
        "asgs",
        "services",
        "targets",
    ] {
        assert!(final_status(&ev, id).is_none(), "{id} was touched again");
    }
    assert!(Journal::find_unfinished(h.dir.path()).unwrap().is_none());
}

#[tokio::test(start_paused = true)]
async fn a_run_interrupted_while_verifying_resumes_without_repeating_the_call() {
    let h = Harness::built_in(19);
    let spec = runbook(vec![
        step(kinds::MoveDns { to: Side::Standby }),
        step(kinds::ForceDeployment {
            side: Side::Standby,
            services: Some(vec!["web".into()]),
        }),
    ]);
    let before = h.counting();
    let mut handle =
        drconsole::runbook::start_spec(h.ctx(before.clone(), RunMode::Live), "t", spec).unwrap();
    loop {
        let ev = handle.events.recv().await.unwrap();
        if let Some(cmd) = confirm_all(&ev) {
            handle.commands.send(cmd).unwrap();
        }
        if matches!(&ev, RunEvent::Step(v) if v.id == "2" && v.status == StepStatus::Verifying) {
            handle.task.abort();
            break;
        }
    }
    let _ = handle.task.await;
    assert_eq!(before.count(), 2);
    let journal = Journal::find_unfinished(h.dir.path()).unwrap().unwrap();
    let after = h.counting();
    let mut resumed =
        drconsole::runbook::resume(h.ctx(after.clone(), RunMode::Live), journal).unwrap();
    let (s, _) = drive(&mut resumed, confirm_all).await;
    assert_eq!(s.outcome, RunOutcome::Completed);
    assert_eq!(
        after.count(),
        0,
        "the forced deployment was already made: {:?}",
        after.actions()
    );
}

// ---------------------------------------------------------------- default runbooks

/// Answers every question; a failure aborts the run (as an unattended run would).
fn confirm_or_abort(ev: &RunEvent) -> Option<RunCommand> {
    match ev {
        RunEvent::AwaitingDecision { .. } => Some(RunCommand::Abort),
        other => confirm_all(other),
    }
}

fn posture_of(s: &RunSummary) -> (PostureState, Option<Side>) {
    let p = s
        .metrics
        .posture_after
        .as_ref()
        .expect("posture read at the end");
    (p.state, p.active)
}

#[tokio::test(start_paused = true)]
async fn the_whole_lifecycle_loses_only_what_the_outage_took() {
    let h = Harness::built_in(20);
    // --- the primary region goes dark; fail over without it ---
    h.sim.toggle(Fault::PrimaryDark);
    let backend = h.counting();
    let mut handle =
        drconsole::runbook::start(h.ctx(backend.clone(), RunMode::Live), "failover").unwrap();
    let (s, ev) = drive(&mut handle, confirm_all).await;
    assert_eq!(s.outcome, RunOutcome::Completed, "{ev:#?}");
    assert!(s.skipped.is_empty());
    assert!(
        backend
            .actions()
            .iter()
            .all(|a| a.side() != Some(Side::Primary))
    );
    // The failover never calls the dark primary: its warning says so.
    assert!(
        ev.iter().any(|e| matches!(e, RunEvent::Log(l)
        if l.text.contains("primary reachable: the primary region is not called by this runbook")))
    );
    let rto = s.rto.expect("RTO reached");
    assert!(
        rto > Duration::from_secs(180) && rto < Duration::from_secs(1200),
        "{rto:?}"
    );
    let g = h.sim.read_global().await.unwrap();
    assert_eq!(g.dns.unwrap().unwrap().points_at, Some(Side::Standby));
    assert_eq!(
        posture_of(&s),
        (PostureState::FailedOver, Some(Side::Standby))
    );
    // The outage took the writes the replica had not applied when the primary went dark:
    // counted, more than none, and no more than the lag read at the promotion allows.
    let lost = s
        .metrics
        .writes_lost()
        .expect("the simulator counts writes");
    let Some(Lag::Known(lag)) = s.metrics.rpo_lag else {
        panic!("lag at the promotion: {:?}", s.metrics.rpo_lag)
    };
    assert!(
        lost > 0 && lost <= (lag + 1) * WRITES_PER_SECOND,
        "lost {lost}, lag {lag}s"
    );
    let report = std::fs::read_to_string(s.report.as_ref().unwrap()).unwrap();
    assert!(report.contains("achieved RTO:"), "{report}");
    assert!(report.contains("RPO exposure: replica lag"), "{report}");
    assert!(report.contains(&format!("writes lost: {lost}")), "{report}");
    assert!(report.contains("posture after: failed-over"), "{report}");

    // --- the primary comes back: failback is refused until a replica protects the writer ---
    h.sim.toggle(Fault::PrimaryDark);
    let refused = h.counting();
    let mut handle =
        drconsole::runbook::start(h.ctx(refused.clone(), RunMode::Live), "failback").unwrap();
    let (s, ev) = drive(&mut handle, confirm_or_abort).await;
    assert!(
        matches!(s.outcome, RunOutcome::Aborted { .. }),
        "{:?}",
        s.outcome
    );
    assert_eq!(refused.count(), 0, "{:?}", refused.actions());
    assert!(
        ev.iter().any(|e| matches!(e,
            RunEvent::AwaitingDecision { error, .. } if error.contains("run `reprotect` first"))),
        "{ev:#?}"
    );

    // --- re-protect: a replica of the standby's writer in the primary region ---
    let backend = h.counting();
    let mut handle =
        drconsole::runbook::start(h.ctx(backend.clone(), RunMode::Live), "reprotect").unwrap();
    let (s, ev) = drive(&mut handle, confirm_all).await;
    assert_eq!(s.outcome, RunOutcome::Completed, "{ev:#?}");
    assert_eq!(
        posture_of(&s),
        (PostureState::Reprotected, Some(Side::Standby))
    );
    assert_eq!(s.metrics.stale.len(), 1, "{:?}", s.metrics.stale);
    assert!(
        s.metrics.stale[0].starts_with("orders-db-stale-"),
        "{:?}",
        s.metrics.stale
    );
    let primary = h.region(Side::Primary).await.database.unwrap().unwrap();
    let standby = h.region(Side::Standby).await.database.unwrap().unwrap();
    assert_eq!(primary.id, "orders-db", "the estate's name again");
    assert!(primary.replicates_from(&standby, None), "{primary:?}");
    let report = std::fs::read_to_string(s.report.as_ref().unwrap()).unwrap();
    assert!(report.contains(&s.metrics.stale[0]), "{report}");

    // --- fail back: planned, nothing lost ---
    let backend = h.counting();
    let mut handle =
        drconsole::runbook::start(h.ctx(backend.clone(), RunMode::Live), "failback").unwrap();
    let (s, ev) = drive(&mut handle, confirm_all).await;
    assert_eq!(s.outcome, RunOutcome::Completed, "{ev:#?}");
    assert_eq!(
        s.metrics.writes_lost(),
        Some(0),
        "a planned failback loses nothing"
    );
    assert_eq!(posture_of(&s), (PostureState::Normal, Some(Side::Primary)));
    let g = h.sim.read_global().await.unwrap();
    assert_eq!(g.dns.unwrap().unwrap().points_at, Some(Side::Primary));
    let primary = h.region(Side::Primary).await.database.unwrap().unwrap();
    let standby = h.region(Side::Standby).await;
    let replica = standby.database.clone().unwrap().unwrap();
    assert_eq!(primary.role, DbRole::Writer);
    assert_eq!(replica.id, "orders-db-replica");
    assert!(replica.replicates_from(&primary, None), "{replica:?}");
    assert!(matches!(replica.lag, Lag::Known(_)), "{replica:?}");
    for (s, c) in standby.services.unwrap().iter().zip(h.estate.services()) {
        assert_eq!(s.desired, c.standby, "{}", s.name);
    }
    // Writes stopped, the replica caught up, and only then the promotion, by region name
    // alone: nothing to discard.
    let order: Vec<&str> = ev
        .iter()
        .filter_map(|e| match e {
            RunEvent::Step(v) if matches!(v.status, StepStatus::Done { .. }) => Some(v.id.as_str()),
            _ => None,
        })
        .collect();
    let at = |id: &str| {
        order
            .iter()
            .position(|s| *s == id)
            .unwrap_or_else(|| panic!("{id} in {order:?}"))
    };
    assert!(at("stop-writes") < at("caught-up") && at("caught-up") < at("database"));
    // Every writer the estate names stops in the active (standby) region before the lag
    // gate: the ECS services, and each ASG (the web tier and the batch workers) to 0/0/0,
    // waited for until no instance runs; the audit log shows it in that order.
    let audit = h.audit();
    let run_id = &s.run_id;
    let this_run: Vec<&serde_json::Value> =
        audit.iter().filter(|l| l["run_id"] == *run_id).collect();
    let line_of = |pred: &dyn Fn(&serde_json::Value) -> bool, what: &str| {
        this_run
            .iter()
            .position(|l| pred(l))
            .unwrap_or_else(|| panic!("{what} in the audit log: {this_run:#?}"))
    };
    let gate = line_of(
        &|l| l["step"] == "caught-up" && l["event"] == "state",
        "the lag gate",
    );
    for asg in h.estate.asgs.iter().map(|a| a.name_in(Side::Standby)) {
        let call = line_of(
            &|l| {
                l["event"] == "call"
                    && l["step"] == "stop-asgs"
                    && l["describe"]
                        == format!(
                            "autoscaling:UpdateAutoScalingGroup {asg} (standby) min=0 max=0 desired=0"
                        )
                        .as_str()
            },
            asg,
        );
        assert!(call < gate, "{asg} stopped before the lag gate");
    }
    let stopped = line_of(
        &|l| l["step"] == "stop-asgs" && l["event"] == "state" && l["state"] == "done",
        "the ASGs at 0",
    );
    assert!(
        stopped < gate,
        "no instance runs before the lag gate is read"
    );
    let other = ev
        .iter()
        .find_map(|e| match e {
            RunEvent::AwaitingConfirmation(p) if p.step == "stop-other-writers" => {
                p.instruction.clone()
            }
            _ => None,
        })
        .expect("the writers it cannot stop are named, and acknowledged");
    assert!(
        other.contains("orders-web, orders-batch") && other.contains("Lambda functions"),
        "{other}"
    );
    let promote = ev
        .iter()
        .find_map(|e| match e {
            RunEvent::AwaitingConfirmation(p) if p.step == "database" => Some(p.clone()),
            _ => None,
        })
        .expect("the promotion asked");
    assert_eq!(promote.type_to_confirm.as_deref(), Some("us-east-1"));
    assert!(promote.discards.is_empty());

    // --- failing back again has nothing to do, and is refused before any call ---
    let again = h.counting();
    let mut handle =
        drconsole::runbook::start(h.ctx(again.clone(), RunMode::Live), "failback").unwrap();
    let (s, _) = drive(&mut handle, confirm_or_abort).await;
    assert!(matches!(s.outcome, RunOutcome::Aborted { .. }));
    assert_eq!(again.count(), 0, "{:?}", again.actions());
}

#[tokio::test(start_paused = true)]
async fn aurora_global_cycle_fails_over_then_switches_back_without_loss() {
    let h = Harness::new(aurora_estate(), 23);
    let run = |name: &'static str| {
        let backend = h.counting();
        let handle =
            drconsole::runbook::start(h.ctx(backend.clone(), RunMode::Live), name).expect("starts");
        (handle, backend)
    };
    // Failover: the global cluster's writer moves to the standby; with the primary region up,
    // Aurora brings the old primary back as a secondary by itself.
    let (mut handle, backend) = run("failover");
    let (s, ev) = drive(&mut handle, confirm_all).await;
    assert_eq!(s.outcome, RunOutcome::Completed, "{ev:#?}");
    assert!(
        backend
            .actions()
            .iter()
            .any(|a| matches!(a, Action::GlobalFailover { .. }))
    );
    assert_eq!(posture_of(&s).1, Some(Side::Standby));

    // Re-protect has nothing to call: it waits for the secondary.
    let (mut handle, backend) = run("reprotect");
    let (s, ev) = drive(&mut handle, confirm_all).await;
    assert_eq!(s.outcome, RunOutcome::Completed, "{ev:#?}");
    assert!(
        backend
            .actions()
            .iter()
            .all(|a| !matches!(a, Action::RenameDb { .. } | Action::CreateReplica { .. })),
        "{:?}",
        backend.actions()
    );
    assert_eq!(
        posture_of(&s),
        (PostureState::Reprotected, Some(Side::Standby))
    );

    // Failback: a managed switchover, which syncs first: nothing lost.
    let (mut handle, backend) = run("failback");
    let (s, ev) = drive(&mut handle, confirm_all).await;
    assert_eq!(s.outcome, RunOutcome::Completed, "{ev:#?}");
    assert!(
        backend
            .actions()
            .iter()
            .any(|a| matches!(a, Action::GlobalSwitchover { .. }))
    );
    assert!(
        !backend
            .actions()
            .iter()
            .any(|a| matches!(a, Action::GlobalFailover { .. }))
    );
    assert_eq!(s.metrics.writes_lost(), Some(0));
    assert_eq!(posture_of(&s), (PostureState::Normal, Some(Side::Primary)));
}

#[tokio::test(start_paused = true)]
async fn default_failover_confirms_the_parallel_group_once() {
    let h = Harness::built_in(21);
    let backend = h.counting();
    let mut handle =
        drconsole::runbook::start(h.ctx(backend.clone(), RunMode::Live), "failover").unwrap();
    let mut prompts = Vec::new();
    let (s, _) = drive(&mut handle, |e| {
        if let RunEvent::AwaitingConfirmation(p) = e {
            prompts.push(p.clone());
        }
        confirm_all(e)
    })
    .await;
    assert_eq!(s.outcome, RunOutcome::Completed);
    let group = prompts
        .iter()
        .find(|p| p.step == "scale-up")
        .expect("one prompt for the group");
    // The primary is up and ahead of the replica: the loss is typed as a word too.
    assert_eq!(group.type_to_confirm.as_deref(), Some("us-west-2 DISCARD"));
    assert_eq!(group.discards.len(), 1, "{:?}", group.discards);
    assert_eq!(group.calls.len(), 1 + 2 + 6, "{:?}", group.calls);
    assert!(
        prompts
            .iter()
            .all(|p| p.step != "database" && p.step != "asgs")
    );
}

// ---------------------------------------------------------------- headless

#[tokio::test(start_paused = true)]
async fn headless_refuses_without_yes_and_without_allow_irreversible() {
    let h = Harness::built_in(22);
    let opts = |yes, irr, loss| HeadlessOptions {
        yes,
        allow_irreversible: irr,
        allow_data_loss: loss,
        audit_path: Some(h.audit_path()),
        state_dir: Some(h.dir.path().to_path_buf()),
        ..Default::default()
    };
    let backend = h.counting();
    let mut out = Vec::new();
    let exit = run_headless(
        h.estate.clone(),
        backend.clone(),
        "failover",
        opts(false, false, false),
        &mut out,
    )
    .await
    .unwrap();
    let text = String::from_utf8(out).unwrap();
    assert_eq!(exit.code, 2, "{text}");
    assert_eq!(backend.count(), 0);
    assert!(
        text.contains("dry-run: would call rds:PromoteReadReplica"),
        "{text}"
    );

    let mut out = Vec::new();
    let exit = run_headless(
        h.estate.clone(),
        backend.clone(),
        "failover",
        opts(true, false, false),
        &mut out,
    )
    .await
    .unwrap();
    let text = String::from_utf8(out).unwrap();
    assert_eq!(exit.code, 3, "{text}");
    // Refused before the first change: not even the endpoint (reversible, before the group).
    assert_eq!(backend.count(), 0, "{:?}", backend.actions());
    assert!(text.contains("--allow-irreversible"), "{text}");

    // The primary is up and ahead: irreversible is not enough, the loss must be accepted.
    let mut out = Vec::new();
    let exit = run_headless(
        h.estate.clone(),
        backend.clone(),
        "failover",
        opts(true, true, false),
        &mut out,
    )
    .await
    .unwrap();
    let text = String::from_utf8(out).unwrap();
    assert_eq!(exit.code, 3, "{text}");
    assert!(text.contains("--allow-data-loss"), "{text}");
    assert!(text.contains("refused before any change"), "{text}");
    assert_eq!(backend.count(), 0, "nothing discarded without the flag");

    let mut out = Vec::new();
    let exit = run_headless(
        h.estate.clone(),
        backend.clone(),
        "failover",
        opts(true, true, true),
        &mut out,
    )
    .await
    .unwrap();
    let text = String::from_utf8(out).unwrap();
    assert_eq!(exit.code, 0, "{text}");
    assert!(text.contains("achieved RTO"), "{text}");
    assert!(backend.count() > 0);
}

// ---------------------------------------------------------------- syntax

#[test]
fn runbooks_parse_from_the_estate_file_and_are_checked() {
    let base = drconsole::backend::sim::BUILT_IN_ESTATE;
    let good = format!(
        "{base}\n{}",
        r#"
[runbooks.drill]
description = "web tier only"

[[runbooks.drill.steps]]
kind = "preflight"
require = [{ region_reachable = "standby" }]

[[runbooks.drill.steps]]
kind = "parallel"
title = "capacity"

  [[runbooks.drill.steps.steps]]
  kind = "scale_services"
  side = "standby"
  services = ["web"]
  to = 3
  timeout = "4m"

  [[runbooks.drill.steps.steps]]
  kind = "set_asg_capacity"
  side = "standby"
  asgs = ["orders-web"]
  to = { min = 1, max = 5, desired = 2 }

[[runbooks.drill.steps]]
kind = "wait"
until = { health_check_healthy = "7a6b5c4d-3e2f-4a1b-9c8d-7e6f5a4b3c2d" }

[[runbooks.drill.steps]]
kind = "manual"
instruction = "check the status page"
optional = true
"#
    );
    let estate = drconsole::runbook::parse_estate(&good, "good").unwrap();
    let rb = &estate.runbooks["drill"];
    assert_eq!(rb.steps.len(), 4);
    assert!(rb.steps[3].common.optional);
    assert!(rb.steps[1].is_group(), "{:?}", rb.steps[1]);
    let steps = &rb.steps[1].steps;
    assert_eq!(steps.len(), 2);
    assert!(matches!(
        steps[0].params_as::<kinds::ScaleServices>(),
        Ok(kinds::ScaleServices {
            to: Count::Exactly(3),
            ..
        })
    ));
    assert_eq!(
        steps[0].common.timeout,
        Some(HumanDuration(Duration::from_secs(240)))
    );
    // The file's runbook round-trips through the journal's JSON.
    let json = serde_json::to_string(rb).unwrap();
    let back: RunbookSpec = serde_json::from_str(&json).unwrap();
    assert_eq!(back.steps, rb.steps);
    assert_eq!(rb.sequential().steps.len(), 5);

    let bad = |extra: &str| {
        let text = format!("{base}\n[runbooks.x]\n{extra}");
        drconsole::runbook::parse_estate(&text, "bad")
            .unwrap_err()
            .to_string()
    };
    let e = bad("[[runbooks.x.steps]]\nkind = \"move_dns\"\nto = \"standby\"\nttl = 5\n");
    assert!(e.contains("ttl"), "{e}");
    let e = bad(
        "[[runbooks.x.steps]]\nkind = \"scale_services\"\nside = \"standby\"\nto = \"production\"\nservices = [\"nope\"]\n",
    );
    assert!(e.contains("nope"), "{e}");
    let e = bad(
        "[[runbooks.x.steps]]\nkind = \"wait\"\nuntil = { health_check_healthy = \"missing-id\" }\n",
    );
    assert!(e.contains("missing-id"), "{e}");
    let e = bad(
        "[[runbooks.x.steps]]\nkind = \"register_targets\"\nside = \"standby\"\ntarget_groups = [\"api\"]\n",
    );
    assert!(e.contains("api"), "{e}");
    let e = bad(
        "[[runbooks.x.steps]]\nkind = \"set_asg_capacity\"\nside = \"standby\"\nto = \"production\"\nasgs = [\"orders-api\"]\n",
    );
    assert!(e.contains("orders-api"), "{e}");
    let e = bad("[[runbooks.x.steps]]\nkind = \"teleport\"\n");
    assert!(e.contains("teleport"), "{e}");
    let e = bad(
        "[[runbooks.x.steps]]\nkind = \"wait\"\nuntil = { lag_below = \"5m\" }\ntimeout = \"soon\"\n",
    );
    assert!(e.contains("soon"), "{e}");
}

#[test]
fn default_runbooks_follow_the_estate() {
    let estate = built_in_estate();
    let names = defaults::names(&estate);
    assert!(names.contains(&"failover".to_string()) && names.contains(&"failback".to_string()));
    let fo = defaults::failover(&estate);
    let registry = Registry::builtin();
    let validate = |spec: &RunbookSpec| drconsole::runbook::validate(spec, &estate, &registry);
    validate(&fo).unwrap();
    let kinds: Vec<&str> = fo.steps.iter().map(|s| s.kind.as_str()).collect();
    assert_eq!(
        kinds,
        [
            "check",
            "write_endpoint",
            "parallel",
            "register_targets",
            "force_deployment",
            "move_dns",
            "wait"
        ]
    );
    let fb = defaults::failback(&estate);
    validate(&fb).unwrap();
    assert!(fb.steps.iter().any(|s| s.kind == "reprotect"));
    let aurora = aurora_estate();
    let fo = defaults::failover(&aurora);
    let group = fo
        .steps
        .iter()
        .find(|s| s.is_group())
        .expect("a parallel group");
    assert_eq!(group.steps[0].kind, "global_failover");
}

// ---------------------------------------------------------------- a kind from outside

/// A step kind that exists only in this test: sets one standby service's desired count.
/// Nothing else in the crate knows it; registering it is the only change needed to run it.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct NudgeService {
    service: String,
    desired: u32,
}

impl Kind for NudgeService {
    const NAME: &'static str = "nudge_service";
}

#[async_trait::async_trait]
impl kinds::StepKind for NudgeService {
    fn title(&self) -> String {
        format!("nudge {} to {}", self.service, self.desired)
    }
    fn validate(&self, estate: &Estate) -> Result<(), String> {
        match estate.services().iter().any(|s| s.name == self.service) {
            true => Ok(()),
            false => Err(format!("no service {:?}", self.service)),
        }
    }
    fn default_timeout(&self) -> Duration {
        Duration::from_secs(300)
    }
    async fn preflight(
        &self,
        cx: &kinds::StepCx<'_>,
    ) -> Result<drconsole::runbook::plan::StepPlan, drconsole::runbook::StepError> {
        let reading = cx.reader.region(Side::Standby).await?;
        let svc = reading
            .services
            .as_ref()
            .ok()
            .and_then(|s| s.iter().find(|s| s.name == self.service))
            .ok_or_else(|| drconsole::runbook::StepError::missing("service not read"))?;
        let mut plan = drconsole::runbook::plan::StepPlan {
            current: format!("{} desired {}", svc.name, svc.desired),
            target: format!("{} desired {}", svc.name, self.desired),
            ..Default::default()
        };
        if svc.desired != self.desired {
            plan.actions.push(Action::ScaleService {
                side: Side::Standby,
                cluster: cx.estate().ecs.as_ref().unwrap().standby_cluster.clone(),
                service: self.service.clone(),
                desired: self.desired,
            });
        }
        Ok(plan)
    }
    async fn verify(
        &self,
        cx: &kinds::StepCx<'_>,
    ) -> Result<drconsole::runbook::plan::Verdict, drconsole::runbook::StepError> {
        use drconsole::runbook::plan::Verdict;
        let reading = cx.reader.region(Side::Standby).await?;
        let running = reading
            .services
            .as_ref()
            .ok()
            .and_then(|s| s.iter().find(|s| s.name == self.service))
            .map(|s| (s.desired, s.running));
        Ok(match running {
            Some((d, r)) if d == self.desired && r == self.desired => {
                Verdict::Done(format!("{} running {r}", self.service))
            }
            other => Verdict::Pending(format!("{other:?}")),
        })
    }
}

#[tokio::test(start_paused = true)]
async fn a_step_kind_defined_outside_the_crate_runs_through_the_engine() {
    let h = Harness::built_in(41);
    // Written in an estate file, as a user of that kind would.
    let text = format!(
        "{}\n[runbooks.nudge]\n[[runbooks.nudge.steps]]\nkind = \"nudge_service\"\nservice = \"worker\"\ndesired = 2\n",
        drconsole::backend::sim::BUILT_IN_ESTATE
    );
    let estate = Estate::parse(&text, "nudge.toml").expect("the shape is fine");
    let spec = estate.runbooks["nudge"].clone();
    assert_eq!(spec.steps[0].kind, NudgeService::NAME);

    // Without registering it, the engine refuses the runbook and names the kind.
    let refused =
        drconsole::runbook::start_spec(h.ctx(h.counting(), RunMode::Live), "n", spec.clone());
    match refused {
        Err(drconsole::runbook::RunError::Invalid(e)) => {
            assert!(e.to_string().contains("nudge_service"), "{e}")
        }
        other => panic!(
            "expected an unknown kind, got {:?}",
            other.map(|h| h.run_id)
        ),
    }

    // One line registers it; the engine then plans, confirms, acts and verifies it.
    let mut registry = Registry::builtin();
    registry.add::<NudgeService>();
    let registry = Arc::new(registry);
    let run = |backend: Arc<Counting>| {
        let mut ctx = h.ctx(backend, RunMode::Live);
        ctx.registry = registry.clone();
        drconsole::runbook::start_spec(ctx, "nudge", spec.clone()).expect("registered kind runs")
    };
    let first = h.counting();
    let (s, ev) = drive(&mut run(first.clone()), confirm_all).await;
    assert_eq!(s.outcome, RunOutcome::Completed);
    assert!(ev.iter().any(|e| matches!(e,
        RunEvent::AwaitingConfirmation(p) if p.title == "nudge worker to 2")));
    assert_eq!(
        first.actions(),
        vec![Action::ScaleService {
            side: Side::Standby,
            cluster: "orders-dr".into(),
            service: "worker".into(),
            desired: 2,
        }]
    );
    match final_status(&ev, "1") {
        Some(StepStatus::Done { note }) => assert_eq!(note, "worker running 2"),
        other => panic!("{other:?}"),
    }
    // Idempotent like every built-in kind: the second run finds it at target.
    let second = h.counting();
    let (s, _) = drive(&mut run(second.clone()), confirm_all).await;
    assert_eq!(s.outcome, RunOutcome::Completed);
    assert_eq!(second.count(), 0);
}

// ---------------------------------------------------------------- exactly once

/// How [`Faulty`] answers a change after the simulator applied it.
#[derive(Clone, Copy, PartialEq)]
enum Reply {
    /// Delivered.
    Kept,
    /// Never delivered: the engine's call timeout ends the wait.
    Lost,
    /// A throttling error, although the change was applied (a proxy that lies).
    Throttled,
    /// A server error (HTTP 5xx): the change was applied.
    ServerError,
}

/// A backend whose changes are applied by the simulator and then answered as `reply` says;
/// it counts every change sent, and can stop inside the `kill_at`-th one (applied, not
/// answered), signalling `killed`.
struct Faulty {
    inner: Arc<drconsole::backend::sim::Simulator>,
    reply: fn(&Action) -> Reply,
    sent: std::sync::Mutex<Vec<Action>>,
    kill_at: Option<usize>,
    killed: Arc<tokio::sync::Notify>,
}

impl Faulty {
    fn new(h: &Harness, reply: fn(&Action) -> Reply) -> Arc<Faulty> {
        Arc::new(Faulty {
            inner: h.sim.clone(),
            reply,
            sent: Default::default(),
            kill_at: None,
            killed: Default::default(),
        })
    }
    fn killing_at(h: &Harness, n: usize) -> Arc<Faulty> {
        Arc::new(Faulty {
            inner: h.sim.clone(),
            reply: |_| Reply::Kept,
            sent: Default::default(),
            kill_at: Some(n),
            killed: Default::default(),
        })
    }
    fn sent(&self) -> Vec<Action> {
        self.sent.lock().unwrap().clone()
    }
}

#[async_trait::async_trait]
impl Backend for Faulty {
    fn mode(&self) -> drconsole::backend::BackendMode {
        self.inner.mode()
    }
    async fn read_region(
        &self,
        side: Side,
    ) -> Result<RegionReading, drconsole::backend::BackendError> {
        self.inner.read_region(side).await
    }
    async fn read_global(
        &self,
    ) -> Result<drconsole::model::GlobalReading, drconsole::backend::BackendError> {
        self.inner.read_global().await
    }
    async fn act(
        &self,
        action: &Action,
    ) -> Result<drconsole::backend::ActionOutcome, drconsole::backend::BackendError> {
        let n = {
            let mut sent = self.sent.lock().unwrap();
            sent.push(action.clone());
            sent.len()
        };
        let out = self.inner.act(action).await;
        if self.kill_at == Some(n) {
            self.killed.notify_one();
            std::future::pending::<()>().await;
        }
        let fail = |kind, code: &str, message: &str| {
            drconsole::backend::BackendError::new(
                kind,
                "us-west-2 (standby)",
                action.api_call(),
                "",
                message,
            )
            .with_code(code)
        };
        match (self.reply)(action) {
            Reply::Kept => out,
            Reply::Lost => std::future::pending().await,
            Reply::Throttled => Err(fail(
                drconsole::model::ErrorKind::Throttled,
                "ThrottlingException",
                "Rate exceeded",
            )),
            Reply::ServerError => Err(fail(
                drconsole::model::ErrorKind::ServerSide,
                "InternalFailure",
                "We encountered an internal error",
            )),
        }
    }
    async fn dns_change_in_sync(
        &self,
        change_id: &str,
    ) -> Result<bool, drconsole::backend::BackendError> {
        self.inner.dns_change_in_sync(change_id).await
    }
    async fn read_endpoint(
        &self,
        side: Side,
        store: &EndpointStore,
    ) -> Result<Option<drconsole::backend::StoredEndpoint>, drconsole::backend::BackendError> {
        self.inner.read_endpoint(side, store).await
    }
}

fn faulty_ctx(h: &Harness, b: Arc<Faulty>) -> RunContext {
    let mut ctx = RunContext::new(h.estate.clone(), b, RunMode::Live);
    ctx.audit_path = h.audit_path();
    ctx.state_dir = h.dir.path().to_path_buf();
    ctx.user = "drill-lead".into();
    ctx
}

/// Each call description sent more than once.
fn repeated(actions: &[Action]) -> Vec<String> {
    let mut seen = std::collections::BTreeMap::<String, usize>::new();
    for a in actions {
        *seen.entry(a.describe()).or_default() += 1;
    }
    seen.into_iter()
        .filter(|(_, n)| *n > 1)
        .map(|(d, n)| format!("{d} ×{n}"))
        .collect()
}

/// Confirms every step and retries every failure (a lost reply fails its step).
fn confirm_and_retry(ev: &RunEvent) -> Option<RunCommand> {
    match ev {
        RunEvent::AwaitingDecision { .. } => Some(RunCommand::Retry),
        other => confirm_all(other),
    }
}

#[tokio::test(start_paused = true)]
async fn lost_replies_are_never_followed_by_the_same_call_and_steps_end_done_after_reading_aws() {
    let h = Harness::built_in(30);
    let b = Faulty::new(&h, |_| Reply::Lost);
    let mut handle = drconsole::runbook::start(faulty_ctx(&h, b.clone()), "failover").unwrap();
    let mut decisions = 0;
    let (s, ev) = drive(&mut handle, |e| {
        if let RunEvent::AwaitingDecision { error, .. } = e {
            decisions += 1;
            assert!(error.contains("may have been applied"), "{error}");
        }
        confirm_and_retry(e)
    })
    .await;
    assert_eq!(s.outcome, RunOutcome::Completed, "{ev:#?}");
    let sent = b.sent();
    assert!(
        repeated(&sent).is_empty(),
        "sent again: {:?}",
        repeated(&sent)
    );
    let promotions = sent
        .iter()
        .filter(|a| matches!(a, Action::PromoteReplica { .. }))
        .count();
    assert_eq!(promotions, 1);
    assert!(decisions > 0);
    assert!(matches!(
        final_status(&ev, "database"),
        Some(StepStatus::Done { .. })
    ));
    assert!(matches!(
        final_status(&ev, "redeploy"),
        Some(StepStatus::Done { .. })
    ));
    let audit = h.audit();
    let unknown = audit
        .iter()
        .filter(|l| l["event"] == "call_error" && l["outcome"] == "unknown")
        .count();
    assert_eq!(unknown, sent.len(), "every reply was lost");
    let settled = audit
        .iter()
        .filter(|l| l["event"] == "in_flight_settled" && l["applied"] == true)
        .count();
    assert_eq!(settled, sent.len(), "each was found applied by reading AWS");
    eprintln!(
        "{} changes sent once each, {decisions} failures retried",
        sent.len()
    );
}

#[tokio::test(start_paused = true)]
async fn an_irreversible_call_is_never_retried_and_a_change_answered_by_a_server_error_is_not_repeated()
 {
    let h = Harness::built_in(31);
    let b = Faulty::new(&h, |a| match a {
        Action::PromoteReplica { .. } => Reply::Throttled,
        Action::ForceDeployment { .. } => Reply::ServerError,
        _ => Reply::Kept,
    });
    let spec = runbook(vec![
        step(kinds::PromoteReplica {
            side: Side::Standby,
            allow_data_loss: true,
        }),
        step(kinds::ForceDeployment {
            side: Side::Standby,
            services: Some(vec!["web".into(), "api".into()]),
        }),
    ]);
    let mut handle = drconsole::runbook::start_spec(faulty_ctx(&h, b.clone()), "t", spec).unwrap();
    let mut errors = Vec::new();
    let (s, ev) = drive(&mut handle, |e| {
        if let RunEvent::AwaitingDecision { error, .. } = e {
            errors.push(error.clone());
        }
        confirm_and_retry(e)
    })
    .await;
    assert_eq!(s.outcome, RunOutcome::Completed, "{ev:#?}");
    let sent = b.sent();
    assert!(
        repeated(&sent).is_empty(),
        "sent again: {:?}",
        repeated(&sent)
    );
    assert_eq!(sent.len(), 3, "{sent:?}");
    // The promotion's throttling was not retried: the step failed, and its retry read AWS.
    assert!(errors[0].contains("ThrottlingException"), "{errors:?}");
    assert!(
        errors[1..]
            .iter()
            .all(|e| e.contains("InternalFailure") && e.contains("may have been applied")),
        "{errors:?}"
    );
    let db = h.region(Side::Standby).await.database.unwrap().unwrap();
    assert_eq!((db.role, db.status.as_str()), (DbRole::Writer, "available"));
    assert!(matches!(
        final_status(&ev, "2"),
        Some(StepStatus::Done { .. })
    ));
}

/// Starts the default failover on `b`, aborts its task when `stop` says so (or `b` signals
/// it is inside the call to kill at), and waits until its journal writer is done.
async fn run_until_killed<F>(h: &Harness, b: Arc<Faulty>, mut stop: F) -> RunHandle
where
    F: FnMut(&RunEvent) -> bool,
{
    let mut handle = drconsole::runbook::start(faulty_ctx(h, b.clone()), "failover").unwrap();
    loop {
        tokio::select! {
            ev = handle.events.recv() => {
                let ev = ev.expect("the run ended before the kill point");
                if let RunEvent::Finished(_) = ev {
                    panic!("the run finished before the kill point");
                }
                if let Some(cmd) = confirm_all(&ev) {
                    handle.commands.send(cmd).unwrap();
                }
                if stop(&ev) {
                    break;
                }
            }
            _ = b.killed.notified() => break,
        }
    }
    handle.task.abort();
    let _ = (&mut handle.task).await;
    // The writer of the killed run finishes what was queued before the kill.
    tokio::time::sleep(Duration::from_secs(1)).await;
    handle
}

/// Resumes the unfinished run on a fresh counting backend and drives it to its end.
async fn resume_to_end(h: &Harness, run_id: &str) -> (Vec<Action>, Vec<RunEvent>) {
    let journal = Journal::find_unfinished(h.dir.path())
        .unwrap()
        .unwrap_or_else(|| panic!("the killed run {run_id} is unfinished"));
    assert_eq!(journal.run_id, run_id);
    let after = h.counting();
    let mut resumed =
        drconsole::runbook::resume(h.ctx(after.clone(), RunMode::Live), journal).unwrap();
    let (s, ev) = drive(&mut resumed, confirm_all).await;
    assert_eq!(s.outcome, RunOutcome::Completed, "{ev:#?}");
    (after.actions(), ev)
}

#[tokio::test(start_paused = true)]
async fn killed_inside_any_call_of_the_failover_the_resumed_run_sends_no_change_twice() {
    // A clean run says how many changes the failover makes.
    let clean = {
        let h = Harness::built_in(32);
        let (s, _, b) = {
            let backend = h.counting();
            let mut handle =
                drconsole::runbook::start(h.ctx(backend.clone(), RunMode::Live), "failover")
                    .unwrap();
            let (s, ev) = drive(&mut handle, confirm_all).await;
            (s, ev, backend)
        };
        assert_eq!(s.outcome, RunOutcome::Completed);
        b.actions()
    };
    assert!(clean.len() > 10, "{clean:?}");
    for k in 1..=clean.len() {
        let h = Harness::built_in(32);
        let b = Faulty::killing_at(&h, k);
        let handle = run_until_killed(&h, b.clone(), |_| false).await;
        let before = b.sent();
        assert!(before.len() >= k, "kill {k}: {before:?}");
        let killed = before[k - 1].describe();
        // The intent of the call it died in is in the journal.
        let journal = Journal::find_unfinished(h.dir.path()).unwrap().unwrap();
        assert!(
            journal
                .steps
                .iter()
                .filter_map(|s| s.memo.in_flight.as_ref())
                .any(|i| i.describe == killed),
            "kill {k}: no intent for {killed}"
        );
        let (after, ev) = resume_to_end(&h, &handle.run_id).await;
        let all: Vec<Action> = before.iter().chain(&after).cloned().collect();
        assert!(
            repeated(&all).is_empty(),
            "kill {k} inside {killed}: sent again {:?}",
            repeated(&all)
        );
        assert!(
            ev.iter().any(|e| matches!(e, RunEvent::Log(l)
                if l.text.contains("a call was in flight at the crash: checking AWS before acting")
                    && l.text.contains(&killed))),
            "kill {k}: the in-flight check is not logged"
        );
        // The instances registered are whichever the ASG launched in that run: counted, not
        // named (a resumed run reads AWS at other moments than an uninterrupted one).
        let text = |a: &Action| match a {
            Action::RegisterTargets { targets, .. } => {
                format!("RegisterTargets ({} targets)", targets.len())
            }
            other => other.describe(),
        };
        let mut sent: Vec<String> = all.iter().map(text).collect();
        let mut want: Vec<String> = clean.iter().map(text).collect();
        sent.sort();
        want.sort();
        assert_eq!(sent, want, "kill {k}: every change made, once");
    }
}

#[tokio::test(start_paused = true)]
async fn killed_after_any_step_of_the_failover_the_resumed_run_sends_no_change_twice() {
    let ids = [
        "preflight",
        "database",
        "asgs",
        "services",
        "targets",
        "endpoint",
        "redeploy",
        "dns",
    ];
    for id in ids {
        let h = Harness::built_in(33);
        let b = Faulty::new(&h, |_| Reply::Kept);
        let handle = run_until_killed(&h, b.clone(), |e| {
            matches!(e, RunEvent::Step(v) if v.id == id && matches!(v.status, StepStatus::Done { .. }))
        })
        .await;
        let before = b.sent();
        if Journal::find_unfinished(h.dir.path()).unwrap().is_none() {
            // The steps after it needed no call and the run ended before the kill landed.
            assert_eq!(id, "dns", "the run ended before the kill after {id}");
            continue;
        }
        let (after, _) = resume_to_end(&h, &handle.run_id).await;
        let all: Vec<Action> = before.iter().chain(&after).cloned().collect();
        assert!(
            repeated(&all).is_empty(),
            "killed after {id}: sent again {:?}",
            repeated(&all)
        );
    }
}

/// `drconsole run NAME` (headless): resumes the unfinished run, does nothing once the last run
/// completed, and `--new` abandons an unfinished run (journal and audit) and starts afresh.
#[tokio::test(start_paused = true)]
async fn headless_resumes_the_unfinished_run_then_does_nothing_until_new() {
    let h = Harness::built_in(34);
    let opts = |new_run| HeadlessOptions {
        yes: true,
        allow_irreversible: true,
        allow_data_loss: true,
        audit_path: Some(h.audit_path()),
        state_dir: Some(h.dir.path().to_path_buf()),
        new_run,
        ..Default::default()
    };
    let headless = |b: Arc<Counting>, new_run: bool| {
        let estate = h.estate.clone();
        let o = opts(new_run);
        async move {
            let mut out = Vec::new();
            let exit = run_headless(estate, b, "failover", o, &mut out)
                .await
                .unwrap();
            (exit.code, String::from_utf8(out).unwrap())
        }
    };

    // Killed inside the redeployment.
    let killer = Faulty::new(&h, |_| Reply::Kept);
    let handle = run_until_killed(&h, killer.clone(), |e| {
        matches!(e, RunEvent::Log(l) if l.text.starts_with("calling ecs:UpdateService") && l.step.as_deref() == Some("redeploy"))
    })
    .await;
    let first = killer.sent();

    let b = h.counting();
    let (code, text) = headless(b.clone(), false).await;
    assert_eq!(code, 0, "{text}");
    assert!(
        text.contains(&format!("resuming run {} from ", handle.run_id)),
        "{text}"
    );
    let all: Vec<Action> = first.iter().chain(&b.actions()).cloned().collect();
    assert!(repeated(&all).is_empty(), "{:?}", repeated(&all));

    // Completed: the same command runs nothing.
    let b = h.counting();
    let (code, text) = headless(b.clone(), false).await;
    assert_eq!(code, 0, "{text}");
    assert!(
        text.contains(&format!("run {} of failover completed at", handle.run_id))
            && text.contains("nothing to do"),
        "{text}"
    );
    assert_eq!(b.count(), 0);

    // --new: a new run; only the forced deployments have no target state to find, so they
    // are made again, deliberately.
    let b = h.counting();
    let (code, text) = headless(b.clone(), true).await;
    assert_eq!(code, 0, "{text}");
    assert!(!text.contains("resuming"), "{text}");
    assert!(
        b.actions()
            .iter()
            .all(|a| matches!(a, Action::ForceDeployment { .. })),
        "{:?}",
        b.actions()
    );

    // An unfinished run abandoned by --new is marked aborted and audited.
    let killer = Faulty::new(&h, |_| Reply::Kept);
    let stopped = run_until_killed(&h, killer, |e| {
        matches!(e, RunEvent::Step(v) if v.id == "preflight" && matches!(v.status, StepStatus::Done { .. }))
    })
    .await;
    let (code, text) = headless(h.counting(), true).await;
    assert_eq!(code, 0, "{text}");
    assert!(
        text.contains(&format!("abandoned unfinished run {}", stopped.run_id)),
        "{text}"
    );
    let journal = Journal::load(&stopped.journal).unwrap();
    assert!(
        matches!(&journal.outcome, Some(RunOutcome::Aborted { reason }) if reason.contains("abandoned by")),
        "{:?}",
        journal.outcome
    );
    assert!(
        h.audit()
            .iter()
            .any(|l| l["event"] == "run_abandoned" && l["run_id"] == stopped.run_id.as_str())
    );
    assert!(Journal::find_unfinished(h.dir.path()).unwrap().is_none());
}

#[tokio::test(start_paused = true)]
async fn a_journal_that_cannot_be_written_stops_the_run_before_its_next_call() {
    let h = Harness::built_in(42);
    let backend = h.counting();
    let spec = runbook(vec![
        step(kinds::ScaleServices {
            side: Side::Standby,
            to: Count::Exactly(2),
            services: Some(vec!["web".into()]),
        }),
        step(kinds::ScaleServices {
            side: Side::Standby,
            to: Count::Exactly(2),
            services: Some(vec!["api".into()]),
        }),
    ]);
    let mut handle =
        drconsole::runbook::start_spec(h.ctx(backend.clone(), RunMode::Live), "t", spec).unwrap();
    let runs = h.dir.path().join("runs");
    let mut broke = false;
    let (s, ev) = drive(&mut handle, |e| {
        // Once step 1 is done, the journal's directory becomes a plain file: nothing more can
        // be written there (as a full or failed disk would leave it).
        if !broke
            && matches!(e, RunEvent::Step(v) if v.id == "1" && matches!(v.status, StepStatus::Done { .. }))
        {
            std::fs::remove_dir_all(&runs).unwrap();
            std::fs::write(&runs, "not a directory").unwrap();
            broke = true;
        }
        confirm_all(e)
    })
    .await;
    assert!(broke);
    assert!(
        matches!(&s.outcome, RunOutcome::Aborted { reason } if reason.contains("cannot be written")),
        "{:?}",
        s.outcome
    );
    // The first step's call was made; the second step's never was.
    let actions = backend.actions();
    assert_eq!(actions.len(), 1, "{actions:?}");
    assert!(
        ev.iter().any(|e| matches!(e,
            RunEvent::Log(l) if l.text.contains("cannot write the journal"))),
        "{ev:#?}"
    );
    // The audit log (elsewhere) says why it stopped.
    assert!(
        h.audit().iter().any(|l| l["event"] == "run_finished"
            && l["outcome"]["reason"]
                .as_str()
                .is_some_and(|r| r.contains("cannot be written"))),
        "{:?}",
        h.audit()
    );
}

//! Consent is the operator's own: a headless run checks before its first change that the
//! flags given cover every step, audits the flags as given, and never runs again without a
//! new decision a program whose outcome is unknown; `--new` never abandons a live run.
//! On the simulator (the data-loss rule with the primary dark and replication stopped) and
//! with the real binary (a `command` step killed mid-run with SIGKILL).

#[allow(dead_code)]
#[path = "support/process.rs"]
mod process;

use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use drconsole::backend::Action;
use drconsole::backend::sim::{BUILT_IN_ESTATE, Fault, SimClock, Simulator, built_in_estate};
use drconsole::runbook::{HeadlessOptions, Journal, RunCommand, RunContext, RunEvent, RunMode};
use process::run_limited;

#[path = "common/counting.rs"]
mod counting;
use counting::Counting;

fn audit_lines(path: &Path) -> Vec<serde_json::Value> {
    std::fs::read_to_string(path)
        .unwrap_or_default()
        .lines()
        .map(|l| serde_json::from_str(l).expect("audit line is JSON"))
        .collect()
}

/// A simulator whose clock follows tokio's (paused) clock.
fn simulator(seed: u64) -> Arc<Simulator> {
    let clock = SimClock::manual();
    let sim = Simulator::new(built_in_estate(), seed, clock.clone());
    tokio::spawn(async move {
        loop {
            tokio::time::sleep(Duration::from_secs(1)).await;
            clock.advance(Duration::from_secs(1));
        }
    });
    sim
}

fn opts(dir: &Path, flags: &[&str]) -> HeadlessOptions {
    HeadlessOptions {
        yes: flags.contains(&"--yes"),
        allow_irreversible: flags.contains(&"--allow-irreversible"),
        allow_data_loss: flags.contains(&"--allow-data-loss"),
        audit_path: Some(dir.join("audit.jsonl")),
        state_dir: Some(dir.to_path_buf()),
        ..Default::default()
    }
}

#[tokio::test(start_paused = true)]
async fn with_the_primary_dark_and_replication_stopped_the_failover_needs_allow_data_loss() {
    let sim = simulator(31);
    sim.toggle(Fault::PrimaryDark);
    sim.toggle(Fault::ReplicationStopped);
    let dir = tempfile::tempdir().unwrap();
    let estate = Arc::new(built_in_estate());
    let backend = Counting::new(sim.clone());
    let mut out = Vec::new();
    let exit = drconsole::runbook::run_headless(
        estate.clone(),
        backend.clone(),
        "failover",
        opts(dir.path(), &["--yes", "--allow-irreversible"]),
        &mut out,
    )
    .await
    .unwrap();
    let text = String::from_utf8(out).unwrap();
    assert_eq!(exit.code, 3, "{text}");
    assert_eq!(
        backend.count(),
        0,
        "a change was made: {:?}",
        backend.actions()
    );
    assert!(text.contains("refused before any change"), "{text}");
    assert!(text.contains("--allow-data-loss"), "{text}");
    assert!(text.contains("unknown: replication stopped"), "{text}");
    let audit = audit_lines(&dir.path().join("audit.jsonl"));
    let refused: Vec<_> = audit
        .iter()
        .filter(|l| l["event"] == "run_refused")
        .collect();
    assert_eq!(refused.len(), 1, "{audit:#?}");
    assert_eq!(
        refused[0]["missing"],
        serde_json::json!(["--allow-data-loss"])
    );
    assert_eq!(
        refused[0]["flags"],
        serde_json::json!(["--yes", "--allow-irreversible"])
    );
    assert!(audit.iter().all(|l| l["event"] != "call"), "{audit:#?}");

    // With the loss accepted, the promotion is made, and each confirmation records the flags
    // the operator gave, the same three on every step (not only those a step needed).
    let mut out = Vec::new();
    let given = ["--yes", "--allow-irreversible", "--allow-data-loss"];
    let _ = drconsole::runbook::run_headless(
        estate,
        backend.clone(),
        "failover",
        opts(dir.path(), &given),
        &mut out,
    )
    .await
    .unwrap();
    let text = String::from_utf8(out).unwrap();
    assert!(
        backend
            .actions()
            .iter()
            .any(|a| matches!(a, Action::PromoteReplica { .. })),
        "{text}"
    );
    let audit = audit_lines(&dir.path().join("audit.jsonl"));
    let confirms: Vec<_> = audit.iter().filter(|l| l["event"] == "confirm").collect();
    assert!(!confirms.is_empty(), "{text}");
    for c in confirms {
        assert_eq!(c["how"], "flags", "{c}");
        assert_eq!(c["flags"], serde_json::json!(given), "{c}");
    }
}

#[tokio::test(start_paused = true)]
async fn yes_without_allow_irreversible_changes_nothing_and_names_the_flag() {
    let sim = simulator(32);
    let dir = tempfile::tempdir().unwrap();
    let backend = Counting::new(sim);
    let mut out = Vec::new();
    let exit = drconsole::runbook::run_headless(
        Arc::new(built_in_estate()),
        backend.clone(),
        "failover",
        opts(dir.path(), &["--yes"]),
        &mut out,
    )
    .await
    .unwrap();
    let text = String::from_utf8(out).unwrap();
    assert_eq!(exit.code, 3, "{text}");
    assert_eq!(backend.count(), 0, "{:?}", backend.actions());
    assert!(text.contains("--allow-irreversible"), "{text}");
    assert!(text.contains("nothing was called"), "{text}");
}

/// A live run holds the estate's lock on this machine; `--new` in another process of the
/// same host must not mark it aborted, nor may an evacuation (which resumes, never abandons).
#[tokio::test(start_paused = true)]
async fn a_live_run_is_never_abandoned_by_new_nor_by_an_evacuation() {
    let sim = simulator(33);
    let dir = tempfile::tempdir().unwrap();
    let estate = Arc::new(built_in_estate());
    let mut ctx = RunContext::new(estate.clone(), Counting::new(sim.clone()), RunMode::Live);
    ctx.audit_path = dir.path().join("audit.jsonl");
    ctx.state_dir = dir.path().to_path_buf();
    ctx.user = "other-operator".into();
    let mut live = drconsole::runbook::start(ctx, "failover").unwrap();
    // The other operator's run waits at its first question, lock held.
    tokio::time::timeout(Duration::from_secs(60), async {
        while let Some(ev) = live.events.recv().await {
            if matches!(ev, RunEvent::AwaitingConfirmation(_)) {
                return;
            }
        }
        panic!("the live run never asked");
    })
    .await
    .unwrap();

    let mut o = opts(
        dir.path(),
        &["--yes", "--allow-irreversible", "--allow-data-loss"],
    );
    o.new_run = true;
    let mut out = Vec::new();
    let exit = drconsole::runbook::run_headless(
        estate.clone(),
        Counting::new(sim.clone()),
        "failover",
        o,
        &mut out,
    )
    .await
    .unwrap();
    let text = String::from_utf8(out).unwrap();
    assert_ne!(exit.code, 0, "{text}");
    assert!(text.contains("not abandoned"), "{text}");

    let members = vec![drconsole::runbook::batch::BatchMember {
        estate: estate.clone(),
        backend: Counting::new(sim.clone()),
    }];
    let sink: drconsole::runbook::batch::SharedOut =
        Arc::new(std::sync::Mutex::new(Box::new(std::io::sink())));
    let result = drconsole::runbook::batch::run_batch(
        members,
        vec![Some(drconsole::runbook::api::ShownLoss {
            up_to_secs: Some(3600),
        })],
        "failover",
        opts(dir.path(), &["--yes", "--allow-irreversible"]),
        1,
        sink,
        None,
    )
    .await;
    assert_ne!(result.estates[0].code, 0);

    let runs = Journal::live_runs(dir.path(), &estate.name).unwrap();
    assert!(!runs.is_empty());
    for (path, j) in &runs {
        assert!(
            j.outcome.is_none(),
            "{} marked {:?}: the live run was abandoned",
            path.display(),
            j.outcome
        );
    }
    let audit = audit_lines(&dir.path().join("audit.jsonl"));
    assert!(
        audit.iter().all(|l| l["event"] != "run_abandoned"),
        "{audit:#?}"
    );
    live.commands.send(RunCommand::Abort).unwrap();
}

// ---------------------------------------------------------------- the real binary

const STEP: &str = "warmup";

/// An estate file on the simulator whose `drill` runs one `command` step, `scripts/once.sh`:
/// it appends a line to `ran.log` each time it starts, and the first time sleeps long.
fn drill_estate(dir: &Path) -> std::path::PathBuf {
    std::fs::create_dir_all(dir.join("scripts")).unwrap();
    let script = dir.join("scripts").join("once.sh");
    std::fs::write(
        &script,
        "#!/bin/sh\necho ran >> ran.log\nif [ ! -e slept ]; then touch slept; echo started; sleep 60; fi\necho finished\n",
    )
    .unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    let file = dir.join("estate.toml");
    std::fs::write(
        &file,
        format!(
            "{BUILT_IN_ESTATE}\n[[runbooks.drill.steps]]\nkind = \"command\"\nid = \"{STEP}\"\nprogram = \"./scripts/once.sh\"\n"
        ),
    )
    .unwrap();
    file
}

fn drconsole(dir: &Path, config: &Path, flags: &[&str]) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_drconsole"));
    cmd.arg("--simulate")
        .arg("run")
        .arg("drill")
        .args(flags)
        .arg("--config")
        .arg(config)
        .arg("--audit-log")
        .arg(dir.join("audit.jsonl"))
        .arg("--state-dir")
        .arg(dir.join("state"))
        .env("HOME", dir)
        .env("XDG_STATE_HOME", dir.join("xdg"))
        .env("NO_COLOR", "1");
    cmd
}

fn runs_logged(dir: &Path) -> usize {
    std::fs::read_to_string(dir.join("ran.log"))
        .map(|t| t.lines().count())
        .unwrap_or(0)
}

#[test]
fn a_command_killed_mid_run_runs_again_only_with_rerun_unknown() {
    let dir = tempfile::tempdir().unwrap();
    let config = drill_estate(dir.path());

    // Started, then the binary killed (SIGKILL) while the program sleeps.
    let mut child = drconsole(dir.path(), &config, &["--yes"])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start drconsole");
    let began = Instant::now();
    while runs_logged(dir.path()) == 0 {
        assert!(
            began.elapsed() < Duration::from_secs(60),
            "the program never started"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    child.kill().expect("SIGKILL");
    let _ = child.wait();
    assert_eq!(runs_logged(dir.path()), 1);

    // The same command: refused before any change, the unknown outcome named; not run.
    let again = run_limited(
        drconsole(dir.path(), &config, &["--yes"]),
        Duration::from_secs(60),
    );
    assert_eq!(again.code, Some(3), "{}", again.output());
    assert!(
        again.stdout.contains(&format!("--rerun-unknown {STEP}")),
        "{}",
        again.output()
    );
    std::thread::sleep(Duration::from_millis(300));
    assert_eq!(runs_logged(dir.path()), 1, "run again without a decision");

    // The operator's decision: run it again.
    let decided = run_limited(
        drconsole(dir.path(), &config, &["--yes", "--rerun-unknown", STEP]),
        Duration::from_secs(60),
    );
    assert_eq!(decided.code, Some(0), "{}", decided.output());
    assert_eq!(runs_logged(dir.path()), 2);
    let audit = audit_lines(&dir.path().join("audit.jsonl"));
    let confirms: Vec<_> = audit.iter().filter(|l| l["event"] == "confirm").collect();
    let last = confirms.last().expect("a confirmation");
    assert_eq!(
        last["flags"],
        serde_json::json!(["--yes", format!("--rerun-unknown {STEP}")]),
        "{last}"
    );
}

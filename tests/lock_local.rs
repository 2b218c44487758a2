//! This machine's run lock, between processes: two `drconsole run` on the built-in simulator
//! with the same state directory; the second refuses (exit 4) naming the first; once the
//! first is killed, the operating system has let its lock go and the next run claims it.

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

fn spawn(state: &Path, home: &Path, user: &str, speed: &str) -> Child {
    Command::new(env!("CARGO_BIN_EXE_drconsole"))
        .args(["run", "failover", "--yes", "--allow-irreversible"])
        .args(["--allow-data-loss", "--sim-speed", speed])
        .arg("--state-dir")
        .arg(state)
        .arg("--audit-log")
        .arg(state.join(format!("audit-{user}.jsonl")))
        .env("HOME", home)
        .env("XDG_CONFIG_HOME", home.join("config"))
        .env_remove("DRCONSOLE_CONFIG")
        .env("USER", user)
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start drconsole")
}

fn finish(child: Child) -> (Option<i32>, String) {
    let out = child.wait_with_output().expect("wait");
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr),
    )
}

#[test]
fn two_runs_on_one_machine_one_refuses_and_a_killed_holder_leaves_no_lock() {
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("state");
    let mut alice = spawn(&state, dir.path(), "alice", "1");
    let began = Instant::now();
    let locks = state.join("locks");
    while !std::fs::read_dir(&locks)
        .map(|d| {
            d.flatten()
                .any(|e| e.file_name().to_string_lossy().ends_with(".holder.json"))
        })
        .unwrap_or(false)
    {
        assert!(
            began.elapsed() < Duration::from_secs(30),
            "alice never held the lock"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    let (code, out) = finish(spawn(&state, dir.path(), "bob", "1"));
    assert_eq!(code, Some(4), "{out}");
    assert!(
        out.contains("refused: the run lock is held: failover running by alice@"),
        "{out}"
    );
    assert!(alice.try_wait().unwrap().is_none(), "alice's run goes on");
    let audit = std::fs::read_to_string(state.join("audit-bob.jsonl")).unwrap();
    assert!(audit.contains("\"event\":\"lock_refused\""), "{audit}");

    alice.kill().unwrap();
    alice.wait().unwrap();
    let (code, out) = finish(spawn(&state, dir.path(), "carol", "1000"));
    assert_ne!(code, Some(4), "the killed run's lock is gone: {out}");
    assert!(
        out.contains("resuming run"),
        "alice's run is resumed: {out}"
    );
    let audit = std::fs::read_to_string(state.join("audit-carol.jsonl")).unwrap();
    assert!(audit.contains("\"event\":\"lock_claimed\""), "{audit}");
}

/// The simulator calls no AWS and no webhook: each notification is audited as
/// `notify_simulated`, and the run's log says so.
#[test]
fn in_simulation_notifications_are_audited_and_never_sent() {
    use drconsole::backend::sim::{SimClock, Simulator, built_in_estate};
    use drconsole::config::coordination::{Coordination, Notify};
    use drconsole::runbook::{HeadlessOptions, Pace, run_headless};
    use std::sync::Arc;

    let hook = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    hook.set_nonblocking(true).unwrap();
    let mut estate = built_in_estate();
    let url =
        drconsole::model::SecretString::from(format!("http://{}/hook", hook.local_addr().unwrap()));
    estate.notify = Some(Notify {
        sns_topic_arn: Some("arn:aws:sns:us-west-2:123456789012:dr-events".into()),
        webhook_url: Some(url.clone()),
        webhook_url_env: None,
        webhook: Some(url),
    });
    estate.coordination = Some(Coordination {
        table: "drconsole-runs".into(),
        region: None,
        profile: None,
        lease: None,
        approval: Default::default(),
        approval_timeout: None,
    });
    let dir = tempfile::tempdir().unwrap();
    let speed = 600.0;
    let rt = tokio::runtime::Runtime::new().unwrap();
    let (exit, out) = rt.block_on(async {
        let sim = Simulator::new(estate.clone(), 5, SimClock::scaled(speed));
        let opts = HeadlessOptions {
            yes: true,
            allow_irreversible: true,
            allow_data_loss: true,
            audit_path: Some(dir.path().join("audit.jsonl")),
            state_dir: Some(dir.path().to_path_buf()),
            pace: Pace { scale: speed },
            ..HeadlessOptions::default()
        };
        let mut out = Vec::new();
        let exit = run_headless(Arc::new(estate), sim, "failover", opts, &mut out)
            .await
            .unwrap();
        (exit, String::from_utf8(out).unwrap())
    });
    assert_eq!(exit.code, 0, "{out}");
    assert!(
        out.contains("simulation: notifications are not sent")
            && out.contains("simulation: the coordination table drconsole-runs is not used"),
        "{out}"
    );
    let audit = std::fs::read_to_string(dir.path().join("audit.jsonl")).unwrap();
    let simulated = audit.matches("\"event\":\"notify_simulated\"").count();
    assert!(simulated >= 3, "started, steps, finished: {audit}");
    assert!(audit.contains("failover completed: RTO"), "{audit}");
    assert!(!audit.contains("notify_sent") && !audit.contains("notify_failed"));
    assert!(
        hook.accept().is_err(),
        "the webhook was never called in simulation"
    );
}

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

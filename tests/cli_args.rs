//! The real binary refuses numeric flags out of range before it starts anything.

use std::process::Command;
use std::time::Duration;

#[test]
fn a_sim_speed_out_of_range_is_refused_at_once() {
    for bad in ["0", "-1", "NaN", "inf", "1e7"] {
        let mut child = Command::new(env!("CARGO_BIN_EXE_drconsole"))
            .arg(format!("--sim-speed={bad}"))
            .args(["status", "--simulate"])
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .expect("run drconsole");
        // Before the check, some of these hung or spun a core: give it a bounded time.
        let deadline = std::time::Instant::now() + Duration::from_secs(20);
        while child.try_wait().expect("wait").is_none() {
            if std::time::Instant::now() > deadline {
                child.kill().ok();
                panic!("--sim-speed={bad}: still running after 20s");
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let out = child.wait_with_output().expect("output");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{bad}: {stderr}");
        assert!(stderr.contains("--sim-speed"), "{bad}: {stderr}");
        assert!(
            stderr.contains("a number from 0.1 to 1000"),
            "{bad}: {stderr}"
        );
    }
}

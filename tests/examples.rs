//! The example estates in assets/examples/, one per DR pattern the README's table lists:
//! each passes `check` as shipped, and each is seeded into moto (tests/moto/seed_estate.py
//! creates what the file names) and failed over headless, then re-protected and failed back
//! where the pattern allows it. What each run changed is read back through `status --json`.
//!
//! Needs moto (see tests/support/moto.rs); `scripts/test.sh` installs it.

mod support;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use serde_json::Value;
use support::process::{Finished, run_limited};
use support::{Moto, moto};

const RUN_LIMIT: Duration = Duration::from_secs(90);

fn examples_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/examples")
}

fn example(name: &str) -> PathBuf {
    examples_dir().join(format!("{name}.toml"))
}

/// One example seeded into its own moto, with a directory for its state and audit logs.
struct Lab {
    moto: Moto,
    dir: tempfile::TempDir,
    config: PathBuf,
}

impl Lab {
    fn new(name: &str) -> Lab {
        let moto = Moto::start();
        let seeded = moto.seed_estate(&example(name));
        // A short settle keeps the planned failback's "caught up for a while" wait short.
        let text = format!("failback_settle = \"1s\"\n{}", seeded.estate);
        let dir = tempfile::tempdir().expect("temp dir");
        let config = dir.path().join(format!("{name}.toml"));
        std::fs::write(&config, text).expect("write estate file");
        Lab { moto, dir, config }
    }

    fn command(&self, args: &[&str]) -> Command {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_drconsole"));
        cmd.args(args)
            .arg("--config")
            .arg(&self.config)
            .env("HOME", self.dir.path())
            .env("XDG_STATE_HOME", self.dir.path().join("xdg"))
            .env("NO_COLOR", "1");
        for (k, v) in moto::test_env() {
            cmd.env(k, v);
        }
        for k in moto::UNSET_ENV {
            cmd.env_remove(k);
        }
        cmd
    }

    /// `drconsole run NAME --yes <flags>`, which must finish with exit 0.
    fn run(&self, name: &str, flags: &[&str]) -> Finished {
        let audit = self.dir.path().join(format!("audit-{name}.jsonl"));
        let state = self.dir.path().join("state");
        let mut cmd = self.command(&["run", name, "--yes"]);
        cmd.args(flags)
            .arg("--audit-log")
            .arg(&audit)
            .arg("--state-dir")
            .arg(&state);
        let done = run_limited(cmd, RUN_LIMIT);
        assert_eq!(
            done.code,
            Some(0),
            "drconsole run {name} {flags:?} did not complete:\n{}",
            done.output()
        );
        done
    }

    /// `drconsole status --json`.
    fn status(&self) -> Value {
        let done = run_limited(self.command(&["status", "--json"]), RUN_LIMIT);
        serde_json::from_str(&done.stdout)
            .unwrap_or_else(|e| panic!("status --json is not JSON ({e}):\n{}", done.output()))
    }

    fn assert_posture(&self, state: &str, active: &str, when: &str) {
        let status = self.status();
        assert_eq!(
            (
                status["posture"]["state"].as_str(),
                status["posture"]["active"].as_str()
            ),
            (Some(state), Some(active)),
            "{when}: {}",
            serde_json::to_string_pretty(&status).unwrap_or_default()
        );
    }
}

#[test]
fn every_example_passes_check_as_shipped() {
    let mut names: Vec<PathBuf> = std::fs::read_dir(examples_dir())
        .expect("assets/examples")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .collect();
    names.sort();
    assert!(!names.is_empty(), "no example estates");
    for path in names {
        let done = run_limited(
            {
                let mut c = Command::new(env!("CARGO_BIN_EXE_drconsole"));
                c.arg("check")
                    .arg("--config")
                    .arg(&path)
                    .env("NO_COLOR", "1");
                c
            },
            RUN_LIMIT,
        );
        assert_eq!(
            done.code,
            Some(0),
            "{} does not pass check:\n{}",
            path.display(),
            done.output()
        );
        assert!(done.stdout.contains("OK"), "{}", done.output());
    }
}

/// ECS + MySQL: promote the replica, write the secret, scale and restart the services, move
/// the CNAME; then re-protect and fail back with no data lost.
#[test]
fn ecs_mysql_fails_over_and_back_against_moto() {
    let lab = Lab::new("ecs-mysql");
    lab.assert_posture("normal", "primary", "as seeded");

    lab.run("failover", &["--allow-irreversible", "--allow-data-loss"]);
    let after = lab.status();
    assert_eq!(after["posture"]["active"], "standby", "{after:#}");
    assert_eq!(
        after["global"]["reading"]["dns"]["points_at"], "standby",
        "{after:#}"
    );

    // The new replica in the old primary reports its lag, as AWS would once it replicates.
    lab.moto.put_lag("eu-west-1", "tickets-mysql", 0, 0);
    lab.run("reprotect", &[]);
    lab.assert_posture("reprotected", "standby", "after reprotect");

    lab.moto
        .put_lag("eu-central-1", "tickets-mysql-replica", 0, 0);
    lab.run("failback", &["--allow-irreversible"]);
    lab.assert_posture("normal", "primary", "after failback");
}

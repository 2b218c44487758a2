//! Which AWS account each side acts in, against moto through the real binary:
//! - `status` shows each side's account (read through that side's own profile), its alias and
//!   principal;
//! - a pinned `account_id` the credentials do not belong to refuses every runbook (exit 5),
//!   with no change sent (moto's request log) and the refusal in the audit log;
//! - credentials missing for one side show the fix on that side only, never as unreachable.
//!
//! moto's STS answers with its default account 123456789012 unless the credentials came from
//! a role assumed in another account: tests/moto/accounts.py assumes one in 111122223333 and
//! gives moto's own account the alias `shop-prod`.

mod support;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;
use support::{Endpoints, Moto, moto};

#[path = "common/moto_control.rs"]
mod control;

const MOTO_ACCOUNT: &str = "123456789012";
const OTHER_ACCOUNT: &str = "111122223333";
const ALIAS: &str = "shop-prod";

/// A seeded moto with an alias and another account's credentials, the shared AWS files that
/// name the profiles of the tests, and a directory for everything else.
struct Fixture {
    moto: Moto,
    toml: String,
    dir: tempfile::TempDir,
}

impl Fixture {
    fn new() -> Fixture {
        let moto = Moto::start();
        let toml = moto.seed(0).estate_toml(&Endpoints::both(&moto.url));
        let out = Command::new(moto::python())
            .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/moto/accounts.py"))
            .args([&moto.url, ALIAS, OTHER_ACCOUNT])
            .output()
            .expect("run accounts.py");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let keys: Value = serde_json::from_slice(&out.stdout).expect("keys");
        let dir = tempfile::tempdir().expect("temp dir");
        // `dr-other`: keys of a role in another account. `dr-sso`: an SSO profile whose login
        // was never made (no token in the cache: nothing is sent anywhere to find that out).
        std::fs::write(
            dir.path().join("config"),
            "[profile dr-other]\nregion = us-west-2\n\
             [profile dr-sso]\nsso_session = corp\nsso_account_id = 111122223333\n\
             sso_role_name = DROperator\nregion = us-west-2\n\
             [sso-session corp]\nsso_start_url = https://corp.example.com/start\n\
             sso_region = us-west-2\n",
        )
        .expect("config file");
        std::fs::write(
            dir.path().join("credentials"),
            format!(
                "[dr-other]\naws_access_key_id = {}\naws_secret_access_key = {}\naws_session_token = {}\n",
                keys["access_key_id"].as_str().expect("key id"),
                keys["secret_access_key"].as_str().expect("secret"),
                keys["session_token"].as_str().expect("token"),
            ),
        )
        .expect("credentials file");
        Fixture { moto, toml, dir }
    }

    /// The seeded estate with `extra` lines added under `[standby]` (and `primary` under
    /// `[primary]`), written to a file.
    fn estate(&self, name: &str, primary: &str, standby: &str) -> PathBuf {
        let text = self
            .toml
            .replacen(
                "region = \"us-east-1\"\n",
                &format!("region = \"us-east-1\"\n{primary}"),
                1,
            )
            .replacen(
                "region = \"us-west-2\"\n",
                &format!("region = \"us-west-2\"\n{standby}"),
                1,
            );
        assert!(text.len() > self.toml.len() || (primary.is_empty() && standby.is_empty()));
        let path = self.dir.path().join(format!("{name}.toml"));
        std::fs::write(&path, text).expect("write estate");
        path
    }

    fn command(&self, config: &Path, args: &[&str]) -> Command {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_drconsole"));
        cmd.args(args)
            .arg("--config")
            .arg(config)
            .env("HOME", self.dir.path())
            .env("XDG_STATE_HOME", self.dir.path().join("xdg"))
            .env("NO_COLOR", "1")
            .env("AWS_CONFIG_FILE", self.dir.path().join("config"))
            .env(
                "AWS_SHARED_CREDENTIALS_FILE",
                self.dir.path().join("credentials"),
            );
        for (k, v) in moto::test_env() {
            cmd.env(k, v);
        }
        for k in moto::UNSET_ENV {
            cmd.env_remove(k);
        }
        cmd
    }

    fn status(&self, config: &Path) -> Value {
        let out = self
            .command(config, &["status", "--json"])
            .output()
            .expect("run status");
        let stdout = String::from_utf8_lossy(&out.stdout);
        serde_json::from_str(&stdout).unwrap_or_else(|e| {
            panic!(
                "status --json is not JSON ({e}):\n{stdout}\n{}",
                String::from_utf8_lossy(&out.stderr)
            )
        })
    }

    fn status_text(&self, config: &Path) -> String {
        let out = self
            .command(config, &["status"])
            .output()
            .expect("run status");
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    fn run(&self, config: &Path, name: &str, flags: &[&str], audit: &Path) -> Output {
        let mut args = vec!["run", name];
        args.extend(flags);
        self.command(config, &args)
            .arg("--audit-log")
            .arg(audit)
            .arg("--state-dir")
            .arg(self.dir.path().join("state"))
            .output()
            .expect("run drconsole")
    }
}

fn audit_lines(path: &Path) -> Vec<Value> {
    std::fs::read_to_string(path)
        .unwrap_or_default()
        .lines()
        .map(|l| serde_json::from_str(l).expect("audit line is JSON"))
        .collect()
}

#[test]
fn each_side_shows_the_account_its_own_credentials_act_in() {
    let fx = Fixture::new();
    let config = fx.estate("per-side", "", "profile = \"dr-other\"\n");
    let before = control::requests(&fx.moto.url)
        .get("GetCallerIdentity")
        .copied()
        .unwrap_or(0);
    let snap = fx.status(&config);
    let primary = &snap["primary"]["account"];
    assert_eq!(primary["account_id"], MOTO_ACCOUNT, "{primary}");
    assert_eq!(primary["alias"], ALIAS, "{primary}");
    assert!(
        primary["arn"]
            .as_str()
            .is_some_and(|a| a.contains(&format!(":{MOTO_ACCOUNT}:"))),
        "{primary}"
    );
    assert_eq!(primary["pinned"], Value::Null);
    assert_eq!(primary["matches"], Value::Null);
    let standby = &snap["standby"]["account"];
    assert_eq!(standby["account_id"], OTHER_ACCOUNT, "{standby}");
    assert_eq!(
        standby["arn"],
        format!("arn:aws:sts::{OTHER_ACCOUNT}:assumed-role/DROperator/drconsole-test")
    );
    assert_eq!(standby["alias"], Value::Null, "that account has none");
    // One identity read per side.
    let after = control::requests(&fx.moto.url)["GetCallerIdentity"];
    assert_eq!(after - before, 2);

    let text = fx.status_text(&config);
    assert!(
        text.contains(&format!("account    {MOTO_ACCOUNT} ({ALIAS}) arn:aws:")),
        "{text}"
    );
    assert!(
        text.contains(&format!(
            "account    {OTHER_ACCOUNT} arn:aws:sts::{OTHER_ACCOUNT}:"
        )),
        "{text}"
    );
}

#[test]
fn a_pinned_account_that_differs_refuses_every_runbook_with_no_change() {
    let fx = Fixture::new();
    let config = fx.estate(
        "wrong-account",
        &format!("account_id = \"{MOTO_ACCOUNT}\"\n"),
        "account_id = \"999999999999\"\n",
    );
    let before = fx.moto.state();
    // Seeding made changes of its own: the log must not grow past them.
    let seeded_changes = control::changes(&fx.moto.url);
    let snap = fx.status(&config);
    assert_eq!(snap["standby"]["account"]["matches"], false);
    assert_eq!(snap["primary"]["account"]["matches"], true);

    let audit = fx.dir.path().join("audit.jsonl");
    for name in ["failover", "reprotect", "failback"] {
        let out = fx.run(
            &config,
            name,
            &["--yes", "--allow-irreversible", "--allow-data-loss"],
            &audit,
        );
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert_eq!(out.status.code(), Some(5), "{name}: {stdout}");
        for part in [
            "refused",
            "999999999999",
            &format!("{MOTO_ACCOUNT} ({ALIAS})"),
            "the default credentials",
            "standby (us-west-2)",
        ] {
            assert!(stdout.contains(part), "{name}: {part:?} in\n{stdout}");
        }
    }
    assert_eq!(
        control::changes(&fx.moto.url),
        seeded_changes,
        "no change may be sent"
    );
    assert_eq!(fx.moto.state(), before, "moto changed");
    let lines = audit_lines(&audit);
    assert_eq!(lines.len(), 3, "{lines:?}");
    for l in &lines {
        assert_eq!(l["event"], "run_refused", "{l}");
        assert_eq!(l["accounts"]["standby"]["pinned"], "999999999999");
        assert_eq!(l["accounts"]["standby"]["account_id"], MOTO_ACCOUNT);
    }

    // The same file with the right pins: the run starts, and says as whom.
    let config = fx.estate(
        "right-account",
        &format!("account_id = \"{MOTO_ACCOUNT}\"\n"),
        &format!("account_id = \"{MOTO_ACCOUNT}\"\n"),
    );
    let audit = fx.dir.path().join("audit-dry.jsonl");
    let out = fx.run(&config, "failover", &["--dry-run"], &audit);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    let started = audit_lines(&audit)
        .into_iter()
        .find(|l| l["event"] == "run_started")
        .expect("run_started");
    assert!(
        started["accounts"]["standby"]["principal"]
            .as_str()
            .is_some_and(|a| a.starts_with(&format!("arn:aws:sts::{MOTO_ACCOUNT}:"))),
        "{started}"
    );
    // The failover never calls the primary: its identity is not read, its pin not judged.
    assert_eq!(started["accounts"]["primary"]["principal"], Value::Null);
    assert_eq!(started["accounts"]["primary"]["pinned"], MOTO_ACCOUNT);
    assert_eq!(control::changes(&fx.moto.url), seeded_changes);
}

#[test]
fn credentials_missing_for_one_side_show_the_fix_on_that_side_only() {
    let fx = Fixture::new();
    let config = fx.estate("sso", "", "profile = \"dr-sso\"\n");
    let snap = fx.status(&config);
    let standby = &snap["standby"];
    assert_eq!(
        standby["account"]["fix"], "run `aws sso login --profile dr-sso`",
        "{standby}"
    );
    assert_eq!(standby["account"]["account_id"], Value::Null);
    assert_ne!(standby["state"], "unreachable", "{standby}");
    let db = standby["reading"]["database"]["error"]["message"]
        .as_str()
        .unwrap_or_else(|| panic!("the database section says why: {standby}"));
    assert!(db.contains("aws sso login --profile dr-sso"), "{db}");
    assert!(db.contains("SSO session of profile dr-sso"), "{db}");
    let primary = &snap["primary"];
    assert_eq!(primary["account"]["account_id"], MOTO_ACCOUNT, "{primary}");
    assert_eq!(primary["account"]["error"], Value::Null);
    assert_eq!(primary["account"]["fix"], Value::Null);
    assert!(
        primary["reading"]["database"].get("id").is_some()
            && primary["reading"]["database"].get("error").is_none(),
        "{primary}"
    );

    let text = fx.status_text(&config);
    let standby_text = text.split("STANDBY").nth(1).expect("a standby part");
    assert!(
        standby_text.contains("CREDENTIALS")
            && standby_text.contains("fix: run `aws sso login --profile dr-sso`"),
        "{text}"
    );
    assert!(
        !text
            .split("STANDBY")
            .next()
            .unwrap_or("")
            .contains("CREDENTIALS"),
        "{text}"
    );

    // A profile in neither file: configure it.
    let config = fx.estate("nowhere", "", "profile = \"nowhere\"\n");
    let snap = fx.status(&config);
    let fix = snap["standby"]["account"]["fix"]
        .as_str()
        .unwrap_or_default();
    assert!(
        fix.contains("aws configure --profile nowhere"),
        "{}",
        snap["standby"]
    );
    assert_eq!(snap["primary"]["account"]["fix"], Value::Null);
}

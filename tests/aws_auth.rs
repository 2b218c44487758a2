//! Permissions and credentials against moto with IAM enforced (tests/moto/auth.py), through the
//! real binary so that each run has its own credentials in its environment:
//! - the read-only actions of `iam_policy` are enough for every panel, and a missing one is
//!   named on its panel;
//! - rejected credentials say how to fix them;
//! - a profile named in the estate file wins over keys in the environment.
//!
//! moto authorizes every request against resource `*`, so the policy given to it keeps
//! `iam_policy`'s actions but not its resource scoping (that is covered by the unit tests), and
//! it names CloudWatch actions `monitoring:*` (the signing name), so those are granted twice.
//! Route 53 is left out: with IAM enforced, moto 5.2.5 rejects the SDK's signatures of Route 53's
//! REST calls (SignatureDoesNotMatch, in an error body the SDK cannot parse).

#[path = "common/status_schema.rs"]
mod status_schema;
mod support;

use std::path::Path;
use std::process::Command;

use drconsole::backend::aws::iam_policy;
use serde_json::{Value, json};
use support::{Endpoints, Moto, moto};

fn status(config: &Path, home: &Path, env: &[(&str, &str)]) -> Value {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_drconsole"));
    cmd.args(["status", "--json", "--config"])
        .arg(config)
        .env("HOME", home)
        .env("NO_COLOR", "1")
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env("AWS_CONFIG_FILE", home.join("no-config"))
        .env("AWS_SHARED_CREDENTIALS_FILE", home.join("no-credentials"));
    for k in moto::UNSET_ENV {
        cmd.env_remove(k);
    }
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = cmd.output().expect("run drconsole");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        matches!(out.status.code(), Some(0..=2)),
        "drconsole status crashed: {:?}\n{stdout}\n{}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    let snap =
        serde_json::from_str(&stdout).unwrap_or_else(|e| panic!("not JSON ({e}):\n{stdout}"));
    // Sections that failed (AccessDenied, bad credentials) in the published shape too.
    status_schema::assert_conforms(&snap);
    snap
}

fn err_text(v: &Value) -> String {
    v["error"]["message"]
        .as_str()
        .unwrap_or_else(|| panic!("expected an error section, found {v}"))
        .to_string()
}

#[test]
fn permissions_and_credentials_are_explained() {
    let server = Moto::start();
    let seeded = server.seed(0);
    let toml = seeded.estate_toml(&Endpoints::both(&server.url));
    let estate = support::estate(&toml);
    let dir = tempfile::tempdir().expect("temp dir");
    let config = dir.path().join("orders.toml");
    std::fs::write(&config, &toml).expect("write estate");

    // The read-only policy without ecs:DescribeServices, on resource `*` for moto.
    let policy = iam_policy(&estate, false);
    let mut statements = Vec::new();
    for s in policy["Statement"].as_array().expect("statements") {
        let mut actions: Vec<Value> = s["Action"]
            .as_array()
            .expect("actions")
            .iter()
            .filter(|a| *a != "ecs:DescribeServices")
            .cloned()
            .collect();
        // moto names CloudWatch actions by the signing name (`monitoring:`), IAM by `cloudwatch:`.
        let monitoring: Vec<Value> = actions
            .iter()
            .filter_map(|a| a.as_str()?.strip_prefix("cloudwatch:"))
            .map(|op| json!(format!("monitoring:{op}")))
            .collect();
        actions.extend(monitoring);
        if !actions.is_empty() {
            statements.push(json!({"Effect": "Allow", "Action": actions, "Resource": "*"}));
        }
    }
    let policy_file = dir.path().join("policy.json");
    std::fs::write(
        &policy_file,
        json!({"Version": "2012-10-17", "Statement": statements}).to_string(),
    )
    .expect("write policy");
    let out = Command::new(moto::python())
        .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/moto/auth.py"))
        .arg(&server.url)
        .arg(&policy_file)
        .output()
        .expect("run auth.py");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let keys: Value = serde_json::from_slice(&out.stdout).expect("keys");
    let key_id = keys["access_key_id"].as_str().expect("key id").to_string();
    let secret = keys["secret_access_key"]
        .as_str()
        .expect("secret")
        .to_string();

    // 1. Limited user: every panel reads except the services, which name the missing permission.
    let snap = status(
        &config,
        dir.path(),
        &[
            ("AWS_ACCESS_KEY_ID", &key_id),
            ("AWS_SECRET_ACCESS_KEY", &secret),
        ],
    );
    for side in ["primary", "standby"] {
        let r = &snap[side]["reading"];
        let services = err_text(&r["services"]);
        assert!(
            services.contains("missing IAM permission ecs:DescribeServices"),
            "{side}: {services}"
        );
        assert!(services.contains("AccessDenied"), "{side}: {services}");
        for section in ["database", "asgs", "target_groups", "alarms"] {
            assert!(
                !r[section].is_null() && r[section].get("error").is_none(),
                "{side} {section}: {}",
                r[section]
            );
        }
    }
    assert_eq!(
        snap["standby"]["reading"]["database"]["lag"],
        json!({"state": "known", "seconds": seeded.standby_lag as u64}),
        "GetMetricData is allowed"
    );

    // 2. Unknown keys: each panel says how to fix the credentials (and never shows them).
    let snap = status(
        &config,
        dir.path(),
        &[
            ("AWS_ACCESS_KEY_ID", "AKIAUNKNOWN000000000"),
            ("AWS_SECRET_ACCESS_KEY", "wrong"),
        ],
    );
    let db = err_text(&snap["primary"]["reading"]["database"]);
    assert!(db.contains("rds:DescribeDBInstances"), "{db}");
    assert!(db.contains("set AWS_PROFILE"), "{db}");
    assert!(
        !snap.to_string().contains("wrong\""),
        "the secret key must not be printed"
    );

    // 3. A profile in the estate file wins over keys in the environment.
    let aws_dir = dir.path().join("aws");
    std::fs::create_dir_all(&aws_dir).expect("aws dir");
    std::fs::write(
        aws_dir.join("config"),
        "[profile dr-monitor]\nregion = us-west-2\n",
    )
    .expect("config file");
    std::fs::write(
        aws_dir.join("credentials"),
        format!("[dr-monitor]\naws_access_key_id = {key_id}\naws_secret_access_key = {secret}\n"),
    )
    .expect("credentials file");
    let with_profile = toml.replace(
        "region = \"us-west-2\"\n",
        "region = \"us-west-2\"\nprofile = \"dr-monitor\"\n",
    );
    assert_ne!(with_profile, toml);
    let profiled = dir.path().join("profiled.toml");
    std::fs::write(&profiled, &with_profile).expect("write estate");
    let config_file = aws_dir.join("config");
    let credentials_file = aws_dir.join("credentials");
    let snap = status(
        &profiled,
        dir.path(),
        &[
            ("AWS_ACCESS_KEY_ID", "AKIAUNKNOWN000000000"),
            ("AWS_SECRET_ACCESS_KEY", "wrong"),
            ("AWS_CONFIG_FILE", config_file.to_str().expect("utf-8 path")),
            (
                "AWS_SHARED_CREDENTIALS_FILE",
                credentials_file.to_str().expect("utf-8 path"),
            ),
        ],
    );
    assert!(
        snap["standby"]["reading"]["database"]["id"].is_string(),
        "standby reads with its profile: {}",
        snap["standby"]
    );
    let primary_db = err_text(&snap["primary"]["reading"]["database"]);
    assert!(primary_db.contains("set AWS_PROFILE"), "{primary_db}");
    assert!(
        snap["mode"]
            .as_str()
            .is_some_and(|m| m.contains("dr-monitor")),
        "{}",
        snap["mode"]
    );
}

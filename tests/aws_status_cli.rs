//! The real binary against moto: `drconsole status --json --config <estate>` prints the seeded
//! estate, exactly as the backend reads it in-process, in the shape `assets/status.schema.json`
//! describes.

#[path = "common/status_schema.rs"]
mod status_schema;
mod support;

use std::process::Command;

use drconsole::backend::Backend;
use drconsole::model::Side;
use serde_json::{Value, json};
use support::{Endpoints, Moto, moto};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn status_json_prints_the_seeded_estate() {
    let server = Moto::start();
    let seeded = server.seed(0);
    let toml = seeded.estate_toml(&Endpoints::both(&server.url));
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("orders.toml");
    std::fs::write(&path, &toml).expect("write estate file");

    let mut cmd = Command::new(env!("CARGO_BIN_EXE_drconsole"));
    cmd.arg("status")
        .arg("--json")
        .arg("--config")
        .arg(&path)
        .env("HOME", dir.path())
        .env("NO_COLOR", "1");
    for (k, v) in moto::test_env() {
        cmd.env(k, v);
    }
    for k in moto::UNSET_ENV {
        cmd.env_remove(k);
    }
    let out = tokio::task::spawn_blocking(move || cmd.output())
        .await
        .expect("join")
        .expect("run drconsole");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(
        out.status.code(),
        Some(0),
        "drconsole status failed\nstdout:\n{stdout}\nstderr:\n{stderr}"
    );
    let status: Value = serde_json::from_str(&stdout)
        .unwrap_or_else(|e| panic!("status --json is not JSON ({e}):\n{stdout}"));

    // The published shape: versioned, no enum wrappers.
    status_schema::assert_conforms(&status);

    // The seeded values, by name.
    let primary = &status["primary"]["reading"];
    let standby = &status["standby"]["reading"];
    let global = &status["global"]["reading"];
    assert_eq!(primary["database"]["id"], "orders-db", "{status:#}");
    assert_eq!(primary["database"]["role"], json!({"kind": "writer"}));
    assert_eq!(
        standby["database"]["role"],
        json!({"kind": "replica", "source": seeded.primary_db_arn})
    );
    assert_eq!(
        standby["database"]["lag"],
        json!({"state": "known", "seconds": seeded.standby_lag as u64})
    );
    assert_eq!(primary["services"][0]["name"], "web");
    assert_eq!(primary["services"][0]["desired"], 4);
    assert_eq!(primary["services"][1]["desired"], 2);
    assert_eq!(primary["asgs"][0]["in_service"], 4);
    assert_eq!(standby["asgs"][0]["desired"], 1);
    assert_eq!(primary["target_groups"][0]["healthy"], 4);
    assert_eq!(standby["alarms"][0]["state"], "alarm");
    assert_eq!(global["dns"]["value"], "lb-use1.example.com");
    assert_eq!(global["dns"]["points_at"], "primary");
    assert_eq!(global["health_checks"][1]["healthy"], true);

    // And every field equals what the backend reads in-process.
    let aws = support::backend(&toml).await;
    let (p, s, g) = tokio::join!(
        aws.read_region(Side::Primary),
        aws.read_region(Side::Standby),
        aws.read_global()
    );
    assert_eq!(
        *primary,
        serde_json::to_value(p.expect("primary")).expect("json")
    );
    assert_eq!(
        *standby,
        serde_json::to_value(s.expect("standby")).expect("json")
    );
    assert_eq!(
        *global,
        serde_json::to_value(g.expect("global")).expect("json")
    );
}

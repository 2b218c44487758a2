//! `drconsole status --json` is the versioned shape `assets/status.schema.json` describes:
//! checked on the simulator's real output, healthy, with the primary region dark and with
//! replication stopped, and shown to catch the enum wrappers it replaced. (The same check on
//! moto's output is in `tests/aws_status_cli.rs` and `tests/aws_auth.rs`.)

#[path = "common/status_schema.rs"]
mod status_schema;

use std::process::{Command, Stdio};
use std::time::Duration;

use drconsole::backend::sim::{self, Fault, SimClock, Simulator};
use serde_json::{Value, json};
use status_schema::{assert_conforms, enum_wrappers, violations};

/// The binary on the simulator: its exit code and its JSON.
fn status_json_of_the_binary() -> (i32, Value) {
    let home = tempfile::tempdir().expect("tempdir");
    let out = Command::new(env!("CARGO_BIN_EXE_drconsole"))
        .args(["status", "--json", "--simulate"])
        .env("HOME", home.path())
        .env("XDG_CONFIG_HOME", home.path())
        .env_remove("DRCONSOLE_CONFIG")
        .stdin(Stdio::null())
        .output()
        .expect("run drconsole");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let json = serde_json::from_str(&stdout)
        .unwrap_or_else(|e| panic!("status --json is not JSON ({e}):\n{stdout}"));
    (out.status.code().unwrap_or(-1), json)
}

/// What `status --json` prints for the simulator with `faults` on.
async fn status_json_with(faults: &[Fault]) -> Value {
    let mut estate = sim::built_in_estate();
    // A dark region is declared unreachable after the call timeout: keep the test short.
    estate.call_timeout.0 = Duration::from_millis(300);
    let sim = Simulator::new(estate.clone(), 7, SimClock::scaled(1.0));
    for f in faults {
        assert!(sim.toggle(*f), "{f:?} on");
    }
    let snap = drconsole::status::take(&estate, sim.as_ref()).await;
    serde_json::to_value(&snap).expect("status serializes")
}

#[test]
fn the_healthy_simulator_conforms() {
    let (code, status) = status_json_of_the_binary();
    assert_eq!(code, 0, "{status:#}");
    assert_conforms(&status);
    // Sections are their values, enums lowercase strings.
    let primary = &status["primary"]["reading"];
    assert_eq!(primary["database"]["role"], json!({"kind": "writer"}));
    assert!(primary["services"].is_array(), "{primary:#}");
    assert_eq!(primary["alarms"][0]["state"], "ok");
    assert_eq!(status["global"]["reading"]["dns"]["points_at"], "primary");
    assert_eq!(status["posture"]["state"], "normal");
    assert_eq!(status["readiness"]["verdict"], "ready");
}

#[tokio::test]
async fn an_unreachable_region_conforms() {
    let status = status_json_with(&[Fault::PrimaryDark]).await;
    assert_conforms(&status);
    assert_eq!(status["primary"]["state"], "unreachable", "{status:#}");
    assert!(status["primary"]["error"].is_string(), "{status:#}");
    assert_eq!(status["primary"]["reading"], Value::Null);
    assert_eq!(status["standby"]["state"], "fresh");
}

/// AWS refusing calls for a while (the simulator refuses half of them, drawn from its seed):
/// a region it throttled says `throttled` (busy, not unreachable), and the shape is the same.
#[tokio::test]
async fn a_throttled_region_conforms() {
    let mut throttled = 0;
    for seed in 0..8 {
        let mut estate = sim::built_in_estate();
        estate.call_timeout.0 = Duration::from_millis(300);
        let sim = Simulator::new(estate.clone(), seed, SimClock::scaled(1.0));
        assert!(sim.toggle(Fault::Throttling));
        let snap = drconsole::status::take(&estate, sim.as_ref()).await;
        let status = serde_json::to_value(&snap).expect("status serializes");
        assert_conforms(&status);
        for scope in ["primary", "standby", "global"] {
            let state = status[scope]["state"].as_str().expect("state");
            assert!(
                matches!(state, "fresh" | "throttled"),
                "{scope}: {status:#}"
            );
            if state == "throttled" {
                throttled += 1;
                assert!(
                    status[scope]["error"]
                        .as_str()
                        .is_some_and(|e| e.contains("ThrottlingException")),
                    "{scope}: {status:#}"
                );
            }
        }
    }
    assert!(throttled > 0, "eight seeds and no throttled scope");
}

#[tokio::test]
async fn stopped_replication_conforms() {
    let status = status_json_with(&[Fault::ReplicationStopped]).await;
    assert_conforms(&status);
    assert_eq!(
        status["standby"]["reading"]["database"]["lag"],
        json!({"state": "stopped"}),
        "{status:#}"
    );
    assert_eq!(status["readiness"]["verdict"], "degraded");
}

/// The check is not one that always passes: each shape it replaced, put back, is caught.
#[test]
fn the_schema_refuses_the_shapes_it_replaced() {
    let (_, status) = status_json_of_the_binary();
    assert!(violations(&status).is_empty());
    type Break = fn(&mut Value);
    let broken: [(&str, Break); 6] = [
        ("an Ok wrapper around a list", |s| {
            let v = s["primary"]["reading"]["services"].take();
            s["primary"]["reading"]["services"] = json!({ "Ok": v });
        }),
        ("an Ok wrapper around the database", |s| {
            let v = s["standby"]["reading"]["database"].take();
            s["standby"]["reading"]["database"] = json!({ "Ok": v });
        }),
        ("an Err wrapper", |s| {
            s["global"]["reading"]["dns"] =
                json!({"Err": {"kind": "not_found", "message": "gone"}});
        }),
        ("an error object with something beside it", |s| {
            s["primary"]["reading"]["asgs"] =
                json!({"error": {"kind": "other", "message": "x"}, "Ok": []});
        }),
        ("an alarm state in capitals", |s| {
            s["primary"]["reading"]["alarms"][0]["state"] = json!("OK");
        }),
        ("no schema_version", |s| {
            s.as_object_mut().expect("object").remove("schema_version");
        }),
    ];
    for (what, break_it) in broken {
        let mut bad = status.clone();
        break_it(&mut bad);
        assert!(!violations(&bad).is_empty(), "the schema accepts {what}");
    }
    // And the wrapper check on its own.
    let mut bad = status.clone();
    bad["primary"]["reading"]["database"]["lag"] = json!({"Known": 7});
    let mut found = Vec::new();
    enum_wrappers(&bad, "", &mut found);
    assert_eq!(found, ["/primary/reading/database/lag/Known"]);
}

/// A section that failed is `{"error": {"kind", "message"}}` and conforms.
#[test]
fn a_failed_section_conforms() {
    let (_, mut status) = status_json_of_the_binary();
    status["standby"]["reading"]["services"] = json!({"error": {
        "kind": "access_denied",
        "message": "us-west-2 ecs:DescribeServices: AccessDenied"
    }});
    status["standby"]["reading"]["database"] =
        json!({"error": {"kind": "not_found", "message": "no DB instance orders-db-replica"}});
    assert_conforms(&status);
}

#[path = "common/dns_estates.rs"]
mod dns_estates;

/// The binary simulating the built-in estate with `dns` as its `[dns]`: its exit code and JSON.
fn status_json_of_the_binary_with_dns(dns: &str) -> (i32, Value) {
    let dir = tempfile::tempdir().expect("tempdir");
    let start = sim::BUILT_IN_ESTATE.find("[dns]").expect("[dns]");
    let end = start + sim::BUILT_IN_ESTATE[start..].find("\n\n").expect("end") + 2;
    let text = format!(
        "{}{dns}\n{}",
        &sim::BUILT_IN_ESTATE[..start],
        &sim::BUILT_IN_ESTATE[end..]
    );
    let path = dir.path().join("estate.toml");
    std::fs::write(&path, text).expect("write");
    let out = Command::new(env!("CARGO_BIN_EXE_drconsole"))
        .args(["status", "--json", "--simulate", "--config"])
        .arg(&path)
        .env("HOME", dir.path())
        .env("XDG_CONFIG_HOME", dir.path())
        .stdin(Stdio::null())
        .output()
        .expect("run drconsole");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let json = serde_json::from_str(&stdout).unwrap_or_else(|e| {
        panic!(
            "status --json is not JSON ({e}):\n{stdout}\n{}",
            String::from_utf8_lossy(&out.stderr)
        )
    });
    (out.status.code().unwrap_or(-1), json)
}

#[test]
fn an_alias_record_conforms() {
    let (code, status) = status_json_of_the_binary_with_dns(dns_estates::ALIAS);
    assert_eq!(code, 0, "{status:#}");
    assert_conforms(&status);
    let dns = &status["global"]["reading"]["dns"];
    assert_eq!(dns["mode"], "swap");
    assert_eq!(dns["alias"], true);
    assert_eq!(dns["value"], dns_estates::PRIMARY_LB);
    assert_eq!(dns["failover"], Value::Null);
}

#[test]
fn a_failover_pair_conforms_with_both_records_and_the_answer() {
    let (code, status) = status_json_of_the_binary_with_dns(dns_estates::FAILOVER_ROUTING);
    assert_eq!(code, 0, "{status:#}");
    assert_conforms(&status);
    let dns = &status["global"]["reading"]["dns"];
    assert_eq!(dns["mode"], "failover-routing");
    assert_eq!(dns["points_at"], "primary");
    let f = &dns["failover"];
    assert_eq!(f["answers"], "primary");
    assert_eq!(f["primary"]["failover"], "PRIMARY");
    assert_eq!(f["standby"]["set_identifier"], "secondary");
    assert_eq!(f["check"]["id"], dns_estates::CHECK);
    assert_eq!(f["check"]["inverted"], false);
    assert_eq!(f["check"]["request_interval"], 30);
}

#[tokio::test]
async fn an_inverted_check_conforms_and_status_says_it() {
    let estate = dns_estates::estate_with(dns_estates::FAILOVER_ROUTING);
    let sim = Simulator::new(estate.clone(), 7, SimClock::manual());
    drconsole::backend::Backend::act(
        &*sim,
        &drconsole::backend::Action::InvertHealthCheck {
            health_check: dns_estates::CHECK.into(),
            inverted: true,
        },
    )
    .await
    .expect("inverted");
    sim.clock().advance(Duration::from_secs(120));
    let snap = drconsole::status::take(&estate, sim.as_ref()).await;
    let status = serde_json::to_value(&snap).expect("status serializes");
    assert_conforms(&status);
    let f = &status["global"]["reading"]["dns"]["failover"];
    assert_eq!(f["check"]["inverted"], true);
    assert_eq!(f["check"]["observed_healthy"], true);
    assert_eq!(f["check"]["healthy"], false);
    assert_eq!(f["answers"], "standby");
    let text = drconsole::status::render_text(&snap);
    assert!(
        text.contains(&format!(
            "WARNING health check {} is INVERTED",
            dns_estates::CHECK
        )),
        "{text}"
    );
    assert!(
        text.contains("failover-routing: Route 53 answers SECONDARY (standby)"),
        "{text}"
    );
}

//! S3 replication and ECR images on the simulator: in `status --json` (against the schema) and
//! in the readiness checklist, healthy, with replication stopped (the newest object stays
//! PENDING) and with the primary dark (UNKNOWN, never FAIL).

#[path = "common/status_schema.rs"]
mod status_schema;

use std::time::Duration;

use drconsole::backend::sim::{Fault, SimClock, Simulator};
use serde_json::Value;
use status_schema::assert_conforms;

const EXAMPLE: &str = include_str!("../assets/example-estate.toml");

async fn status_with(faults: &[Fault]) -> Value {
    let mut estate = drconsole::config::Estate::parse(EXAMPLE, "example-estate.toml").unwrap();
    estate.call_timeout.0 = Duration::from_millis(300);
    let sim = Simulator::new(estate.clone(), 7, SimClock::scaled(1.0));
    for f in faults {
        assert!(sim.toggle(*f), "{f:?} on");
    }
    let snap = drconsole::status::take(&estate, sim.as_ref()).await;
    serde_json::to_value(&snap).expect("status serializes")
}

fn item<'a>(status: &'a Value, label: &str) -> &'a Value {
    status["readiness"]["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["label"] == label)
        .unwrap_or_else(|| panic!("no {label:?} in {:#}", status["readiness"]))
}

#[tokio::test]
async fn buckets_and_images_are_in_status_and_readiness() {
    let status = status_with(&[]).await;
    assert_conforms(&status);
    let replicated = &status["primary"]["reading"]["replicated"];
    assert_eq!(replicated["buckets"][0]["bucket"], "orders-assets");
    assert_eq!(
        replicated["buckets"][0]["rules"][0]["destination"],
        "orders-assets-dr"
    );
    // The destination is read in its own region: the copies, no rule of its own.
    let standby = &status["standby"]["reading"]["replicated"]["buckets"];
    assert_eq!(standby.as_array().map(Vec::len), Some(1), "{standby}");
    assert_eq!(standby[0]["bucket"], "orders-assets-dr");
    assert_eq!(standby[0]["rules"].as_array().map(Vec::len), Some(0));
    let s3 = item(&status, "S3 orders-assets replication");
    assert!(
        s3["check"] == "pass" || s3["check"] == "warn",
        "a fresh object may still be pending: {s3}"
    );
    let ecr = item(&status, "ECR orders-web in standby");
    assert_eq!(ecr["check"], "pass", "{ecr}");
}

#[tokio::test]
async fn stopped_replication_leaves_the_newest_object_pending() {
    let status = status_with(&[Fault::ReplicationStopped]).await;
    assert_conforms(&status);
    let s3 = item(&status, "S3 orders-assets replication");
    assert_eq!(s3["check"], "warn", "{s3}");
    assert!(
        s3["detail"].as_str().unwrap().starts_with("PENDING"),
        "{s3}"
    );
}

#[tokio::test]
async fn a_dark_primary_makes_them_unknown() {
    let status = status_with(&[Fault::PrimaryDark]).await;
    assert_conforms(&status);
    for label in ["S3 orders-assets replication", "ECR orders-web in standby"] {
        assert_eq!(item(&status, label)["check"], "unknown", "{label}");
    }
}

#[test]
fn the_estate_files_keys_are_checked() {
    let bad = EXAMPLE.replace("tags = [\"v42\"]", "tags = []");
    let e = drconsole::config::Estate::parse(&bad, "e.toml")
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("ecr_repositories[0].tags") && e.contains("at least one"),
        "{e}"
    );
    let bad = EXAMPLE.replace("standby = \"orders-assets-dr\"", "standby = \"\"");
    let e = drconsole::config::Estate::parse(&bad, "e.toml")
        .unwrap_err()
        .to_string();
    assert!(e.contains("s3_buckets[0].standby"), "{e}");
    let bad = EXAMPLE.replace("name = \"orders-web\"  ", "nome = \"orders-web\"  ");
    assert!(drconsole::config::Estate::parse(&bad, "e.toml").is_err());
}

//! The DNS modes against moto over Route 53's real wire protocol: an alias record (`A`, an
//! `AliasTarget` to a load balancer) and a failover pair (`SetIdentifier`/`Failover`, the
//! PRIMARY associated with a health check). Each is read, failed over and failed back by a
//! headless run of its step, and verified twice: by the step (which reads the record, or the
//! check's `Inverted` with `GetHealthCheck` and its status) and by boto3 reading moto's state
//! independently (tests/moto/dns.py).
//!
//! moto's Route 53 health checks always report `Success`, so the check's observed health is
//! always healthy and an inversion shows at once; how long Route 53 takes to follow an
//! inversion (interval × failure threshold) is the simulator's (tests/dns_sim.rs).

mod support;

use std::process::Command;
use std::sync::Arc;

use drconsole::backend::Backend;
use drconsole::backend::aws::AwsBackend;
use drconsole::model::{DnsReading, Side};
use drconsole::runbook::{HeadlessOptions, run_headless};
use serde_json::Value;
use support::{Endpoints, Moto, Seeded, moto};

#[path = "common/moto_control.rs"]
mod moto_control;

const PRIMARY_LB: &str = "orders-use1-123.us-east-1.elb.amazonaws.com";
const STANDBY_LB: &str = "orders-usw2-456.us-west-2.elb.amazonaws.com";

/// Runbooks that move DNS only, written in the estate file.
const RUNBOOKS: &str = r#"
[runbooks.dns-over]
description = "DNS to the standby"
[[runbooks.dns-over.steps]]
kind = "KIND"
ARG_OVER

[runbooks.dns-back]
description = "DNS back to the primary"
[[runbooks.dns-back.steps]]
kind = "KIND"
ARG_BACK
"#;

fn dns_script(m: &Moto, seeded: &Seeded, what: &str) -> Value {
    let out = Command::new(moto::python())
        .arg(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/moto/dns.py"))
        .args([&m.url, what, &seeded.zone_id, &seeded.health_checks[0]])
        .env_remove("AWS_PROFILE")
        .env_remove("AWS_ENDPOINT_URL")
        .output()
        .expect("run tests/moto/dns.py");
    assert!(
        out.status.success(),
        "dns.py {what} failed:\n{}\nserver said:\n{}",
        String::from_utf8_lossy(&out.stderr),
        m.stderr()
    );
    serde_json::from_slice(&out.stdout).expect("dns.py prints JSON")
}

/// The seeded estate with `dns` as its `[dns]` and the two DNS runbooks.
fn estate_text(m: &Moto, seeded: &Seeded, dns: &str, runbooks: &str) -> String {
    let base = seeded.estate_toml(&Endpoints::both(&m.url));
    let start = base.find("[dns]").expect("[dns] in the seeded estate");
    let end = base[start..]
        .find("\n[")
        .map(|i| start + i + 1)
        .unwrap_or(base.len());
    format!("{}{dns}\n{}{runbooks}", &base[..start], &base[end..])
}

struct Run {
    dir: tempfile::TempDir,
}

impl Run {
    /// A new run of `name` (abandoning any unfinished one).
    async fn headless(&self, text: &str, name: &str) -> (i32, String) {
        self.headless_with(text, name, true).await
    }

    /// `name` run again with the same command: resumes its unfinished run, if any.
    async fn resume(&self, text: &str, name: &str) -> (i32, String) {
        self.headless_with(text, name, false).await
    }

    async fn headless_with(&self, text: &str, name: &str, new_run: bool) -> (i32, String) {
        let estate = Arc::new(support::estate(text));
        let backend = Arc::new(AwsBackend::connect(&estate).await);
        let opts = HeadlessOptions {
            yes: true,
            audit_path: Some(self.dir.path().join("audit.jsonl")),
            state_dir: Some(self.dir.path().to_path_buf()),
            new_run,
            ..Default::default()
        };
        let mut out = Vec::new();
        let exit = run_headless(estate, backend, name, opts, &mut out)
            .await
            .expect("run");
        (exit.code, String::from_utf8(out).unwrap())
    }
}

async fn read_dns(text: &str) -> DnsReading {
    let aws = support::backend(text).await;
    let g = aws.read_global().await.expect("read Route 53");
    g.dns.expect("dns").expect("dns read")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_alias_record_is_read_failed_over_and_failed_back() {
    let m = Moto::start();
    let seeded = m.seed(0);
    dns_script(&m, &seeded, "seed");
    let dns = format!(
        r#"[dns]
zone_id = "{zone}"
record = "app.example.com"
type = "A"
primary_alias = {{ dns_name = "{PRIMARY_LB}", zone_id = "Z35SXDOTRQ7X7K" }}
standby_alias = {{ dns_name = "dualstack.{STANDBY_LB}", zone_id = "Z1H1FL5HABSF5" }}
"#,
        zone = seeded.zone_id
    );
    let runbooks = RUNBOOKS
        .replace("KIND", "move_dns")
        .replace("ARG_OVER", "to = \"standby\"")
        .replace("ARG_BACK", "to = \"primary\"");
    let text = estate_text(&m, &seeded, &dns, &runbooks);

    let d = read_dns(&text).await;
    assert_eq!((d.points_at, d.alias), (Some(Side::Primary), true), "{d:?}");

    let run = Run {
        dir: tempfile::tempdir().unwrap(),
    };
    let (code, out) = run.headless(&text, "dns-over").await;
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("ALIAS dualstack.orders-usw2-456"), "{out}");
    let state = dns_script(&m, &seeded, "read");
    assert_eq!(
        state["app"]["dns_name"]
            .as_str()
            .map(|s| s.trim_end_matches('.')),
        Some(format!("dualstack.{STANDBY_LB}").as_str()),
        "{state:#}"
    );
    assert_eq!(state["app"]["zone_id"], "Z1H1FL5HABSF5", "{state:#}");
    assert_eq!(state["app"]["evaluate_target_health"], true, "{state:#}");
    // The `dualstack.` prefix and the case make no difference to which side it is.
    assert_eq!(read_dns(&text).await.points_at, Some(Side::Standby));

    // A second run finds it done and changes nothing.
    let (code, out) = run.headless(&text, "dns-over").await;
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("already at target"), "{out}");

    let (code, out) = run.headless(&text, "dns-back").await;
    assert_eq!(code, 0, "{out}");
    let state = dns_script(&m, &seeded, "read");
    assert_eq!(
        state["app"]["dns_name"]
            .as_str()
            .map(|s| s.trim_end_matches('.')),
        Some(PRIMARY_LB),
        "{state:#}"
    );
    assert_eq!(read_dns(&text).await.points_at, Some(Side::Primary));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failover_pair_is_read_and_moved_by_inverting_its_primary_check() {
    let m = Moto::start();
    let seeded = m.seed(0);
    dns_script(&m, &seeded, "seed");
    let check = seeded.health_checks[0].clone();
    let dns = format!(
        r#"[dns]
mode = "failover-routing"
zone_id = "{zone}"
record = "api.example.com"
type = "A"
primary_set_identifier = "primary"
standby_set_identifier = "secondary"
primary_health_check = "{check}"
"#,
        zone = seeded.zone_id
    );
    let runbooks = RUNBOOKS
        .replace("KIND", "invert_health_check")
        .replace("ARG_OVER", "inverted = true")
        .replace("ARG_BACK", "inverted = false");
    let text = estate_text(&m, &seeded, &dns, &runbooks);

    let d = read_dns(&text).await;
    let f = d.failover.clone().expect("a failover reading");
    assert_eq!(f.problem, None, "{f:?}");
    assert_eq!(f.primary.failover.as_deref(), Some("PRIMARY"));
    assert_eq!(f.primary.target.as_deref(), Some("192.0.2.10"));
    assert_eq!(f.primary.health_check.as_deref(), Some(check.as_str()));
    assert_eq!(f.standby.failover.as_deref(), Some("SECONDARY"));
    assert_eq!(f.standby.target.as_deref(), Some("198.51.100.20"));
    let c = f.check.clone().expect("check read");
    assert_eq!(
        (c.inverted, c.observed_healthy, c.healthy),
        (Some(false), Some(true), Some(true)),
        "{c:?}"
    );
    assert_eq!(
        (c.request_interval, c.failure_threshold),
        (Some(30), Some(3))
    );
    assert_eq!(
        (f.answers, d.points_at),
        (Some(Side::Primary), Some(Side::Primary))
    );
    assert_eq!(d.value.as_deref(), Some("192.0.2.10"));

    let run = Run {
        dir: tempfile::tempdir().unwrap(),
    };
    let before = moto_control::requests(&m.url);
    let (code, out) = run.headless(&text, "dns-over").await;
    assert_eq!(code, 0, "{out}");
    assert!(
        out.contains(&format!("route53:UpdateHealthCheck {check} Inverted=true")),
        "{out}"
    );
    // Every call of the run, from moto's request log: one change, and the reads that plan
    // and verify it (the pair, the check's configuration and its status, each time).
    let after = moto_control::requests(&m.url);
    let route53: std::collections::BTreeMap<&str, u64> = [
        "UpdateHealthCheck",
        "GetHealthCheck",
        "GetHealthCheckStatus",
        "ListResourceRecordSets",
        "ChangeResourceRecordSets",
    ]
    .into_iter()
    .map(|op| {
        let n = |t: &std::collections::BTreeMap<String, u64>| t.get(op).copied().unwrap_or(0);
        (op, n(&after) - n(&before))
    })
    .collect();
    eprintln!("calls of the failover pair's dns-over run: {route53:?}");
    assert_eq!(route53["UpdateHealthCheck"], 1, "{route53:?}");
    assert_eq!(route53["ChangeResourceRecordSets"], 0, "{route53:?}");
    assert!(
        route53["GetHealthCheck"] >= 2,
        "planned and verified: {route53:?}"
    );
    assert!(
        route53["GetHealthCheck"] <= 3 && route53["ListResourceRecordSets"] <= 3,
        "{route53:?}"
    );
    assert!(
        out.contains("interval 30 s × failure threshold 3 = 90 s"),
        "{out}"
    );
    let state = dns_script(&m, &seeded, "read");
    assert_eq!(state["check"]["inverted"], true, "{state:#}");
    // No record was rewritten.
    assert_eq!(
        state["api"]["primary"]["value"][0], "192.0.2.10",
        "{state:#}"
    );
    assert_eq!(state["api"]["secondary"]["value"][0], "198.51.100.20");
    let d = read_dns(&text).await;
    assert_eq!(d.points_at, Some(Side::Standby));
    assert_eq!(d.value.as_deref(), Some("198.51.100.20"));
    assert_eq!(
        d.inverted_check().map(|c| c.id.clone()),
        Some(check.clone())
    );

    let (code, out) = run.headless(&text, "dns-over").await;
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("already at target"), "{out}");

    let (code, out) = run.headless(&text, "dns-back").await;
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("Inverted=false"), "{out}");
    let state = dns_script(&m, &seeded, "read");
    assert_eq!(state["check"]["inverted"], false, "{state:#}");
    let d = read_dns(&text).await;
    assert_eq!(d.points_at, Some(Side::Primary));
    assert!(d.inverted_check().is_none());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_pair_whose_primary_has_another_check_is_a_problem_not_an_answer() {
    let m = Moto::start();
    let seeded = m.seed(0);
    dns_script(&m, &seeded, "seed");
    // The estate names the standby's check; Route 53 associates the primary's.
    let dns = format!(
        r#"[dns]
mode = "failover-routing"
zone_id = "{zone}"
record = "api.example.com"
type = "A"
primary_set_identifier = "primary"
standby_set_identifier = "secondary"
primary_health_check = "{check}"
"#,
        zone = seeded.zone_id,
        check = seeded.health_checks[1]
    );
    let runbooks = RUNBOOKS
        .replace("KIND", "invert_health_check")
        .replace("ARG_OVER", "inverted = true")
        .replace("ARG_BACK", "inverted = false");
    let text = estate_text(&m, &seeded, &dns, &runbooks);
    let d = read_dns(&text).await;
    let f = d.failover.expect("failover reading");
    assert_eq!(d.points_at, None);
    assert!(
        f.problem
            .as_deref()
            .is_some_and(|p| p.contains(&seeded.health_checks[0])),
        "{f:?}"
    );
    // The run refuses before inverting anything.
    let run = Run {
        dir: tempfile::tempdir().unwrap(),
    };
    let (code, out) = run.headless(&text, "dns-over").await;
    assert_ne!(code, 0, "{out}");
    assert!(!out.contains("calling route53:UpdateHealthCheck"), "{out}");
    let state = dns_script(&m, &seeded, "read");
    assert_eq!(state["check"]["inverted"], false, "{state:#}");
}

/// The inversion applied by Route 53 with its answer lost (the call times out): the unattended
/// run stops unfinished; the same command resumes it, reads the check again, finds it
/// inverted, and completes without sending the change a second time.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_inversion_whose_answer_is_lost_is_not_sent_twice() {
    let m = Moto::start();
    let seeded = m.seed(0);
    dns_script(&m, &seeded, "seed");
    let dns = format!(
        r#"[dns]
mode = "failover-routing"
zone_id = "{zone}"
record = "api.example.com"
type = "A"
primary_set_identifier = "primary"
standby_set_identifier = "secondary"
primary_health_check = "{check}"
"#,
        zone = seeded.zone_id,
        check = seeded.health_checks[0]
    );
    let runbooks = RUNBOOKS
        .replace("KIND", "invert_health_check")
        .replace("ARG_OVER", "inverted = true")
        .replace("ARG_BACK", "inverted = false");
    let text = estate_text(&m, &seeded, &dns, &runbooks);
    moto_control::lose_reply(&m.url, "UpdateHealthCheck");
    let run = Run {
        dir: tempfile::tempdir().unwrap(),
    };
    let sent = || {
        moto_control::requests(&m.url)
            .get("UpdateHealthCheck")
            .copied()
            .unwrap_or(0)
    };
    let (code, out) = run.headless(&text, "dns-over").await;
    assert_eq!(code, 1, "stopped unfinished\n{out}");
    assert!(out.contains("the call may have been applied"), "{out}");
    assert_eq!(sent(), 1, "{out}");
    let (code, out) = run.resume(&text, "dns-over").await;
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("resuming run"), "{out}");
    assert_eq!(sent(), 1, "the inversion is not sent again\n{out}");
    let state = dns_script(&m, &seeded, "read");
    assert_eq!(state["check"]["inverted"], true, "{state:#}");
    assert_eq!(read_dns(&text).await.points_at, Some(Side::Standby));
}

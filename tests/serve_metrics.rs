//! `drconsole serve --metrics ADDR`, the real binary: its /metrics parsed by the Prometheus
//! project's own OpenMetrics parser (`prometheus_client` in the test venv), one `estate` label
//! per estate; /healthz; the shipped alert rules checked by `promtool check rules`; and,
//! against moto, a standby ASG whose max is lowered below production flips
//! `drconsole_standby_ready` to 0 and `failover`'s evaluation to action required within two
//! poll intervals, and back when restored, without a single change made.

#[path = "common/moto_control.rs"]
mod moto_control;
mod support;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use support::{Endpoints, Moto, moto};

/// A running `drconsole serve`, stopped when dropped.
struct Served {
    child: Child,
    port: u16,
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn serve(args: &[&str], env: &[(&str, &str)], home: &Path) -> Served {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_drconsole"));
    cmd.arg("serve")
        .args(["--metrics", "127.0.0.1:0"])
        .args(args)
        .env("HOME", home)
        .env("XDG_STATE_HOME", home.join("state"))
        .env("NO_COLOR", "1")
        .env_remove("DRCONSOLE_CONFIG")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    for k in moto::UNSET_ENV {
        cmd.env_remove(k);
    }
    for (k, v) in env {
        cmd.env(k, v);
    }
    let mut child = cmd.spawn().expect("start drconsole serve");
    let stderr = child.stderr.take().expect("stderr");
    let mut line = String::new();
    BufReader::new(stderr)
        .read_line(&mut line)
        .expect("read stderr");
    let port = line
        .rsplit("http://127.0.0.1:")
        .next()
        .and_then(|rest| rest.split('/').next())
        .and_then(|p| p.parse().ok())
        .unwrap_or_else(|| panic!("no address in {line:?}"));
    Served { child, port }
}

/// One GET on loopback: status code and body.
fn get(port: u16, path: &str) -> (u16, String, String) {
    let mut s = TcpStream::connect(("127.0.0.1", port)).expect("connect");
    s.set_read_timeout(Some(Duration::from_secs(10)))
        .expect("timeout");
    write!(s, "GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n").expect("send");
    let mut answer = String::new();
    s.read_to_string(&mut answer).expect("read");
    let (head, body) = answer.split_once("\r\n\r\n").expect("head and body");
    let code = head
        .split_whitespace()
        .nth(1)
        .and_then(|c| c.parse().ok())
        .expect("status code");
    let content_type = head
        .lines()
        .find_map(|l| l.strip_prefix("Content-Type: "))
        .unwrap_or("")
        .to_string();
    (code, content_type, body.to_string())
}

/// The exposition as the Prometheus client library's strict OpenMetrics parser reads it:
/// `[{name, type, samples: [{name, labels, value}]}]`; panics with the parser's complaint.
fn parse(text: &str) -> Vec<Value> {
    let script = r#"
import json, sys
from prometheus_client.openmetrics.parser import text_string_to_metric_families
out = []
for f in text_string_to_metric_families(sys.stdin.read()):
    out.append({"name": f.name, "type": f.type, "unit": f.unit,
                "samples": [{"name": s.name, "labels": s.labels, "value": s.value} for s in f.samples]})
print(json.dumps(out))
"#;
    let mut child = Command::new(moto::python())
        .args(["-c", script])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run the OpenMetrics parser");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(text.as_bytes())
        .expect("write");
    let out = child.wait_with_output().expect("parser");
    assert!(
        out.status.success(),
        "the OpenMetrics parser refuses /metrics: {}\n{text}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("parser JSON")
}

/// The value of the sample `name` whose labels include `labels`.
fn value(families: &[Value], name: &str, labels: &[(&str, &str)]) -> Option<f64> {
    families
        .iter()
        .flat_map(|f| f["samples"].as_array().cloned().unwrap_or_default())
        .find(|s| s["name"] == name && labels.iter().all(|(k, v)| s["labels"][*k] == *v))
        .and_then(|s| s["value"].as_f64())
}

/// Scrapes until `ok` holds of the parsed families, or `within` has passed.
fn until(port: u16, within: Duration, ok: impl Fn(&[Value]) -> bool) -> (Vec<Value>, Duration) {
    let start = Instant::now();
    loop {
        let (_, _, body) = get(port, "/metrics");
        let families = parse(&body);
        if ok(&families) || start.elapsed() > within {
            return (families, start.elapsed());
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

#[test]
fn two_simulated_estates_are_served_as_openmetrics_with_one_label_each() {
    let home = tempfile::tempdir().expect("temp dir");
    let base = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/simulated-estate.toml"),
    )
    .expect("simulated estate");
    let mut args: Vec<String> = vec!["--simulate".into()];
    for name in ["orders", "payments"] {
        let text = base.replacen(
            "name = \"orders (simulated)\"",
            &format!("name = \"{name}\""),
            1,
        );
        assert_ne!(text, base);
        let path = home.path().join(format!("{name}.toml"));
        std::fs::write(&path, text).expect("write estate");
        args.push("--config".into());
        args.push(path.to_string_lossy().into());
    }
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let served = serve(&args, &[], home.path());

    let (families, _) = until(served.port, Duration::from_secs(60), |f| {
        ["orders", "payments"].iter().all(|e| {
            value(
                f,
                "drconsole_evaluation",
                &[
                    ("estate", e),
                    ("runbook", "failover"),
                    ("outcome", "passed"),
                ],
            ) == Some(1.0)
        })
    });
    let (code, content_type, body) = get(served.port, "/metrics");
    assert_eq!(code, 200);
    assert_eq!(
        content_type,
        "application/openmetrics-text; version=1.0.0; charset=utf-8"
    );
    for estate in ["orders", "payments"] {
        let e = [("estate", estate)];
        assert_eq!(
            value(
                &families,
                "drconsole_standby_ready",
                &[("estate", estate), ("side", "standby")]
            ),
            Some(1.0),
            "{body}"
        );
        assert_eq!(
            value(
                &families,
                "drconsole_posture",
                &[("estate", estate), ("state", "normal")]
            ),
            Some(1.0)
        );
        assert_eq!(
            value(
                &families,
                "drconsole_readiness_check",
                &[
                    ("estate", estate),
                    ("check", "replica replicating"),
                    ("result", "pass")
                ]
            ),
            Some(1.0)
        );
        let lag = value(&families, "drconsole_replica_lag_seconds", &e).expect("lag");
        assert!((0.0..300.0).contains(&lag), "{lag}");
        assert_eq!(
            value(&families, "drconsole_rpo_budget_seconds", &e),
            Some(300.0)
        );
        for scope in ["primary", "standby", "route53"] {
            assert_eq!(
                value(
                    &families,
                    "drconsole_region_reachable",
                    &[("estate", estate), ("scope", scope)]
                ),
                Some(1.0),
                "{scope}"
            );
            let age = value(
                &families,
                "drconsole_reading_age_seconds",
                &[("estate", estate), ("scope", scope)],
            )
            .expect("age");
            assert!(age < 60.0, "{scope} {age}");
        }
        for aspect in ["permissions", "plan", "drift"] {
            assert_eq!(
                value(
                    &families,
                    "drconsole_evaluation_aspect",
                    &[
                        ("estate", estate),
                        ("aspect", aspect),
                        ("outcome", "passed")
                    ]
                ),
                Some(1.0),
                "{aspect}"
            );
        }
        assert_eq!(value(&families, "drconsole_run_in_progress", &e), Some(0.0));
    }
    let types: Vec<(String, String)> = families
        .iter()
        .map(|f| {
            (
                f["name"].as_str().unwrap_or("").into(),
                f["type"].as_str().unwrap_or("").into(),
            )
        })
        .collect();
    assert!(
        types.contains(&("drconsole_aws_calls".into(), "counter".into())),
        "{types:?}"
    );
    assert!(
        types.contains(&("drconsole_replica_lag_seconds".into(), "gauge".into())),
        "{types:?}"
    );

    let (code, _, body) = get(served.port, "/healthz");
    assert_eq!((code, body.as_str()), (200, "ok\n"));
    assert_eq!(get(served.port, "/nothing").0, 404);
}

#[test]
fn the_alert_rules_pass_promtool() {
    let rules = Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/prometheus/alerts.yml");
    let out = Command::new("promtool")
        .args(["check", "rules"])
        .arg(&rules)
        .output()
        .unwrap_or_else(|e| {
            panic!(
                "promtool is needed for this test ({e}): Debian's `prometheus` package has it \
                 (scripts/test.sh installs it where apt-get exists)"
            )
        });
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.status.success(), "{text}");
    assert!(text.contains("SUCCESS: 11 rules found"), "{text}");
    // Each rule names a metric `serve` exports.
    let yaml = std::fs::read_to_string(&rules).expect("rules");
    for metric in [
        "drconsole_standby_ready",
        "drconsole_replica_lag_seconds",
        "drconsole_rpo_budget_seconds",
        "drconsole_evaluation",
        "drconsole_region_reachable",
        "drconsole_region_throttled",
    ] {
        assert!(yaml.contains(metric), "{metric}");
    }
}

/// Sets the standby ASG's max (min and desired kept within it) through boto3.
fn set_standby_max(server: &Moto, region: &str, max: u32) {
    server.boto3(
        region,
        &format!(
            "c('autoscaling').update_auto_scaling_group(AutoScalingGroupName='orders-web', \
             MinSize=0, MaxSize={max}, DesiredCapacity=1)"
        ),
    );
}

#[test]
fn a_lowered_standby_max_flips_readiness_and_the_evaluation_within_two_polls() {
    let server = Moto::start();
    let seeded = server.seed(0);
    let poll = Duration::from_secs(2);
    let toml = seeded
        .estate_toml(&Endpoints::both(&server.url))
        .replace("poll_interval = \"5s\"", "poll_interval = \"2s\"");
    assert!(toml.contains("poll_interval = \"2s\""));
    let estate = support::estate(&toml);
    let home = tempfile::tempdir().expect("temp dir");
    let config = home.path().join("orders.toml");
    std::fs::write(&config, &toml).expect("write estate");

    // The standby's principal may do what the runbooks do (iam-policy --operate).
    let policy = home.path().join("operator.json");
    std::fs::write(
        &policy,
        drconsole::backend::aws::iam_policy(&estate, true).to_string(),
    )
    .expect("policy");
    let out = Command::new(moto::python())
        .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/moto/principal.py"))
        .arg(&server.url)
        .arg("dr-operator")
        .arg(&policy)
        .output()
        .expect("principal.py");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let keys: Value = serde_json::from_slice(&out.stdout).expect("keys");
    let env = [
        (
            "AWS_ACCESS_KEY_ID",
            keys["access_key_id"].as_str().expect("id"),
        ),
        (
            "AWS_SECRET_ACCESS_KEY",
            keys["secret_access_key"].as_str().expect("secret"),
        ),
        ("AWS_EC2_METADATA_DISABLED", "true"),
    ];
    // What seeding changed, to tell serve's calls from it.
    let seeded_calls = moto_control::requests(&server.url);
    let served = serve(
        &["--config", config.to_str().expect("utf-8")],
        &env,
        home.path(),
    );
    let e = [("estate", "orders")];
    let ready = |f: &[Value]| value(f, "drconsole_standby_ready", &e);
    let failover = |f: &[Value], outcome: &str| {
        value(
            f,
            "drconsole_evaluation",
            &[
                ("estate", "orders"),
                ("runbook", "failover"),
                ("outcome", outcome),
            ],
        )
    };

    let (f, _) = until(served.port, Duration::from_secs(60), |f| {
        ready(f) == Some(1.0) && failover(f, "passed") == Some(1.0)
    });
    assert_eq!(ready(&f), Some(1.0), "{f:#?}");
    assert_eq!(failover(&f, "passed"), Some(1.0), "{}", json!(f));

    // Two poll intervals, plus the longest a poll cycle may take (the call timeout, 5 s) for
    // the read under way when the ASG changed; the scrape and parse of each check count too.
    let within = poll * 2 + Duration::from_secs(5);
    set_standby_max(&server, &seeded.standby_region, 2);
    let (f, took) = until(served.port, Duration::from_secs(30), |f| {
        ready(f) == Some(0.0) && failover(f, "action_required") == Some(1.0)
    });
    assert_eq!(ready(&f), Some(0.0), "{}", json!(f));
    assert_eq!(failover(&f, "action_required"), Some(1.0));
    assert_eq!(
        value(
            &f,
            "drconsole_evaluation_aspect",
            &[
                ("estate", "orders"),
                ("runbook", "failover"),
                ("aspect", "drift"),
                ("outcome", "action_required")
            ]
        ),
        Some(1.0)
    );
    assert!(
        took <= within,
        "flipped after {took:?}, more than two poll intervals"
    );

    set_standby_max(&server, &seeded.standby_region, 10);
    let (f, took) = until(served.port, Duration::from_secs(30), |f| {
        ready(f) == Some(1.0) && failover(f, "passed") == Some(1.0)
    });
    assert_eq!(ready(&f), Some(1.0), "{}", json!(f));
    assert_eq!(failover(&f, "passed"), Some(1.0));
    assert!(took <= within, "flipped back after {took:?}");

    // Calls by operation are counted, and serving changed nothing (the two
    // UpdateAutoScalingGroup calls are the test's own).
    assert!(
        value(
            &f,
            "drconsole_aws_calls_total",
            &[
                ("estate", "orders"),
                ("operation", "RDS.DescribeDBInstances")
            ]
        )
        .is_some_and(|n| n > 0.0)
    );
    let requests = moto_control::requests(&server.url);
    for op in moto_control::CHANGES {
        let expected = if *op == "UpdateAutoScalingGroup" {
            2
        } else {
            0
        };
        assert_eq!(
            requests.get(*op).copied().unwrap_or(0) - seeded_calls.get(*op).copied().unwrap_or(0),
            expected,
            "{op}: {requests:?}"
        );
    }
}

//! Reads that do not depend on the estate are made once for the fleet (moto, estates in one
//! account, tests/moto/fleet_seed.py): identities once per credential set, a hosted zone
//! listed once for the estates whose records it holds, each health check once. Each estate
//! still gets its own values: two estates in one account and one zone, each with its own
//! failover pair and checks, read together, answer as each reads alone.

#[path = "common/moto_control.rs"]
mod moto_control;
mod support;

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;

use drconsole::backend::Backend;
use drconsole::backend::aws::{AwsBackend, AwsFleet};
use drconsole::backend::fleet::FleetBackend;
use drconsole::config::Estate;
use drconsole::model::Side;
use drconsole::status::fleet::take_fleet;
use serde_json::Value;
use support::{Moto, moto};

fn drconsole(args: &[&str], home: &Path) -> (Option<i32>, String, String) {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_drconsole"));
    cmd.args(args)
        .env("HOME", home)
        .env("XDG_STATE_HOME", home.join("xdg"))
        .env("NO_COLOR", "1");
    for (k, v) in moto::test_env() {
        cmd.env(k, v);
    }
    for k in moto::UNSET_ENV {
        cmd.env_remove(k);
    }
    let out = cmd.output().expect("run drconsole");
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// Requests moto handled while `f` ran, by operation.
fn calls_during<T>(url: &str, f: impl FnOnce() -> T) -> (T, BTreeMap<String, u64>) {
    let before = moto_control::requests(url);
    let out = f();
    let diff = moto_control::requests(url)
        .into_iter()
        .map(|(k, v)| {
            let was = before.get(&k).copied().unwrap_or(0);
            (k, v - was)
        })
        .filter(|(_, v)| *v > 0)
        .collect();
    (out, diff)
}

fn total(calls: &BTreeMap<String, u64>) -> u64 {
    calls.values().sum()
}

/// The reads of `status` (both regions, Route 53, identities) of `estates` through the fleet,
/// and the calls they made.
async fn fleet_status_calls(url: &str, estates: &[Estate]) -> BTreeMap<String, u64> {
    let fleet = AwsFleet::connect(estates).await;
    let before = moto_control::requests(url);
    let snap = take_fleet(estates, &fleet).await;
    assert_eq!(snap.estates.len(), estates.len());
    for e in &snap.estates {
        assert!(e.primary.report.reading.is_some(), "{:?}", e.primary.report);
        assert!(e.standby.report.reading.is_some(), "{:?}", e.standby.report);
        assert!(e.global.reading.is_some(), "{:?}", e.global);
    }
    moto_control::requests(url)
        .into_iter()
        .map(|(k, v)| {
            let was = before.get(&k).copied().unwrap_or(0);
            (k, v - was)
        })
        .filter(|(_, v)| *v > 0)
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_estates_in_one_account_read_in_at_most_half_again_one_estates_calls() {
    let moto = Moto::start();
    let seeded = moto.seed_fleet(2, 2, &[]);
    let estates: Vec<Estate> = seeded.iter().map(|(_, t)| support::estate(t)).collect();
    let one = fleet_status_calls(&moto.url, &estates[..1]).await;
    let both = fleet_status_calls(&moto.url, &estates).await;
    let ratio = total(&both) as f64 / total(&one) as f64;
    println!(
        "status reads: one estate {} calls, two estates {} calls ({ratio:.2}x)\n  one: {one:?}\n  two: {both:?}",
        total(&one),
        total(&both)
    );
    // Who the credentials are: once per credential set (two regions), not per estate.
    for op in ["GetCallerIdentity", "ListAccountAliases"] {
        assert_eq!(one.get(op), Some(&2), "{op}: {one:?}");
        assert_eq!(both.get(op), Some(&2), "{op}: {both:?}");
    }
    // Both records are in one zone: listed once.
    assert_eq!(both.get("ListResourceRecordSets"), Some(&1), "{both:?}");
    // Each estate has its own two checks: each read once.
    assert_eq!(both.get("GetHealthCheckStatus"), Some(&4), "{both:?}");
    assert!(
        ratio <= 1.5,
        "two estates cost {ratio:.2}x one estate's calls"
    );
}

#[test]
fn status_of_two_estates_in_one_account_costs_at_most_half_again_one_estates() {
    let moto = Moto::start();
    let seeded = moto.seed_fleet(2, 2, &[]);
    let tmp = tempfile::tempdir().expect("temp dir");
    let mut files = Vec::new();
    for (name, toml) in &seeded {
        let path = tmp.path().join(format!("{name}.toml"));
        std::fs::write(&path, toml).expect("write");
        files.push(path.display().to_string());
    }
    let home = tmp.path();
    let ((code, out, err), one) = calls_during(&moto.url, || {
        drconsole(&["status", "--json", "--config", &files[0]], home)
    });
    let v: Value = serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {out}\n{err}"));
    assert_eq!(v["estate"], "app-00");
    assert_eq!(code, Some(0), "{out}\n{err}");
    let ((code, out, err), both) = calls_during(&moto.url, || {
        drconsole(
            &[
                "status", "--json", "--config", &files[0], "--config", &files[1],
            ],
            home,
        )
    });
    let v: Value = serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {out}\n{err}"));
    assert_eq!(v["estates"].as_array().map(Vec::len), Some(2), "{out}");
    assert_eq!(code, Some(0), "{out}\n{err}");
    eprintln!(
        "status --json: one estate {} calls {one:?}\ntwo estates {} calls {both:?}",
        total(&one),
        total(&both)
    );
    let ratio = total(&both) as f64 / total(&one) as f64;
    println!(
        "status --json calls: one estate {} (with its runbooks evaluated), two estates {} ({ratio:.2}x)",
        total(&one),
        total(&both),
    );
    assert!(
        ratio <= 1.5,
        "two estates cost {ratio:.2}x one estate's calls"
    );
    // The estates' own values: each its own record and checks.
    for (i, e) in v["estates"].as_array().expect("estates").iter().enumerate() {
        let name = format!("app-{i:02}");
        assert_eq!(e["estate"], name.as_str());
        assert_eq!(
            e["global"]["reading"]["dns"]["value"],
            format!("{name}-use1.example.com").as_str(),
            "{e}"
        );
    }
}

/// Replaces the seeded estate's swapped record with the failover pair `NAME-api.example.com`
/// (tests/moto/failover_pairs.py) whose PRIMARY has the estate's primary check.
fn with_failover_pair(toml: &str, name: &str) -> (String, String, String, String) {
    let zone = field(toml, "zone_id");
    let checks: Vec<String> = toml
        .lines()
        .filter(|l| l.starts_with("id = "))
        .map(|l| l.trim_start_matches("id = ").trim_matches('"').to_string())
        .collect();
    let start = toml.find("[dns]").expect("[dns]");
    let end = toml.find("[[health_checks]]").expect("[[health_checks]]");
    let dns = format!(
        "[dns]\nmode = \"failover-routing\"\nzone_id = \"{zone}\"\nrecord = \"{name}-api.example.com\"\n\
         type = \"CNAME\"\nprimary_set_identifier = \"primary\"\nstandby_set_identifier = \"secondary\"\n\
         primary_health_check = \"{}\"\n\n",
        checks[0]
    );
    let text = format!("{}{dns}{}", &toml[..start], &toml[end..]);
    (text, zone, checks[0].clone(), checks[1].clone())
}

fn field(toml: &str, key: &str) -> String {
    let prefix = format!("{key} = ");
    toml.lines()
        .find_map(|l| l.strip_prefix(&prefix))
        .unwrap_or_else(|| panic!("no {key} in {toml}"))
        .trim_matches('"')
        .to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn estates_sharing_an_account_and_a_zone_but_not_a_check_keep_their_own_answers() {
    let moto = Moto::start();
    let seeded = moto.seed_fleet(2, 1, &[]);
    let (a, zone, a_primary, a_secondary) = with_failover_pair(&seeded[0].1, "app-00");
    let (b, _, b_primary, b_secondary) = with_failover_pair(&seeded[1].1, "app-01");
    // app-00: both of its checks unhealthy (Route 53 then answers the PRIMARY);
    // app-01: its primary's unhealthy, its secondary's healthy (the SECONDARY answers).
    let out = Command::new(moto::python())
        .arg(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/moto/failover_pairs.py"
        ))
        .args([&moto.url, &zone])
        .arg(format!("app-00:{a_primary}:{a_secondary}"))
        .arg(format!("app-01:{b_primary}:{b_secondary}"))
        .args([
            "--invert",
            &a_primary,
            "--invert",
            &a_secondary,
            "--invert",
            &b_primary,
        ])
        .output()
        .expect("run failover_pairs.py");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let estates = [support::estate(&a), support::estate(&b)];
    let fleet = AwsFleet::connect(&estates).await;
    assert_eq!(fleet.global_groups().len(), 1);
    let before = moto_control::requests(&moto.url);
    let shared = fleet.read_global_group(0).await;
    let after = moto_control::requests(&moto.url);
    let calls =
        |op: &str| after.get(op).copied().unwrap_or(0) - before.get(op).copied().unwrap_or(0);
    // One zone listing; four distinct checks: each status and configuration read once,
    // although every PRIMARY check is also listed under [[health_checks]].
    assert_eq!(calls("ListResourceRecordSets"), 1);
    assert_eq!(calls("GetHealthCheckStatus"), 4);
    assert_eq!(calls("GetHealthCheck"), 4);

    let answer = |i: usize| {
        let g = shared[i].as_ref().expect("route53");
        let dns = g.dns.clone().expect("dns").expect("read");
        let f = dns.failover.clone().expect("failover pair");
        (dns, f)
    };
    let (dns_a, fa) = answer(0);
    assert_eq!(fa.problem, None, "{fa:?}");
    assert_eq!(fa.check.as_ref().and_then(|c| c.healthy), Some(false));
    let sa = fa.standby_check.as_ref().expect("SECONDARY's check read");
    assert_eq!(
        (sa.id.as_str(), sa.healthy),
        (a_secondary.as_str(), Some(false))
    );
    assert_eq!(
        dns_a.points_at,
        Some(Side::Primary),
        "both unhealthy: the PRIMARY"
    );
    assert_eq!(dns_a.value.as_deref(), Some("app-00-use1.example.com"));

    let (dns_b, fb) = answer(1);
    assert_eq!(fb.check.as_ref().and_then(|c| c.healthy), Some(false));
    let sb = fb.standby_check.as_ref().expect("SECONDARY's check read");
    assert_eq!(
        (sb.id.as_str(), sb.healthy),
        (b_secondary.as_str(), Some(true))
    );
    assert_eq!(dns_b.points_at, Some(Side::Standby));
    assert_eq!(dns_b.value.as_deref(), Some("app-01-usw2.example.com"));

    // Each estate's checks are its own, and the whole reading is what it reads alone.
    for (i, e) in estates.iter().enumerate() {
        let g = shared[i].as_ref().expect("route53");
        let ids: Vec<&str> = g
            .health_checks
            .as_ref()
            .expect("checks")
            .iter()
            .map(|c| c.id.as_str())
            .collect();
        let own: Vec<&str> = e.health_checks.iter().map(|c| c.id.as_str()).collect();
        assert_eq!(ids, own);
        let alone = AwsBackend::connect(e).await;
        assert_eq!(
            g,
            &alone.read_global().await.expect("own read"),
            "{}",
            e.name
        );
    }
}

//! Several estates against one moto: three estates in the same two regions and account
//! (tests/moto/fleet_seed.py). The fleet's batched reads give each estate what its own
//! backend reads, in fewer calls; `status --json` prints one object per estate with the worst
//! code; a headless evacuation fails every estate over, and the one without a replica fails
//! alone.

#[path = "common/moto_control.rs"]
mod moto_control;
#[path = "common/status_schema.rs"]
mod status_schema;
mod support;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use drconsole::app::App;
use drconsole::app::fleet::FleetApp;
use drconsole::backend::Backend;
use drconsole::backend::aws::{AwsBackend, AwsFleet};
use drconsole::backend::fleet::FleetBackend;
use drconsole::config::Estate;
use drconsole::model::{Lag, Scope, Side};
use drconsole::poll::fleet::{FleetEvent, GroupPoll};
use drconsole::poll::{PollEvent, PollSettings, Reading};
use drconsole::posture::PostureState;
use drconsole::readiness::Verdict;
use serde_json::Value;
use support::{Moto, moto};

fn estates(seeded: &[(String, String)]) -> Vec<Estate> {
    seeded.iter().map(|(_, t)| support::estate(t)).collect()
}

fn total(calls: &std::collections::BTreeMap<String, u64>) -> u64 {
    calls.values().sum()
}

/// Requests moto handled while `f` ran, by operation.
async fn calls_during<F: std::future::Future>(
    url: &str,
    f: F,
) -> (F::Output, std::collections::BTreeMap<String, u64>) {
    let before = moto_control::requests(url);
    let out = f.await;
    let after = moto_control::requests(url);
    let diff = after
        .into_iter()
        .map(|(k, v)| {
            let was = before.get(&k).copied().unwrap_or(0);
            (k, v - was)
        })
        .filter(|(_, v)| *v > 0)
        .collect();
    (out, diff)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_fleet_cycle_reads_what_each_estate_reads_alone_in_fewer_calls() {
    let moto = Moto::start();
    let seeded = moto.seed_fleet(3, 2, &[]);
    let estates = estates(&seeded);
    let fleet = AwsFleet::connect(&estates).await;
    assert_eq!(fleet.groups().len(), 2, "{:?}", fleet.groups());

    // One cycle of the fleet: both region groups.
    let (groups, fleet_calls) = calls_during(&moto.url, async {
        futures::future::join_all((0..2).map(|g| fleet.read_group(g))).await
    })
    .await;

    // The same three estates read alone, one backend each.
    let mut alone = Vec::new();
    for e in &estates {
        alone.push(AwsBackend::connect(e).await);
    }
    let (single, single_calls) = calls_during(&moto.url, async {
        let mut out = Vec::new();
        for b in &alone {
            out.push((
                b.read_region(Side::Primary).await,
                b.read_region(Side::Standby).await,
            ));
        }
        out
    })
    .await;

    // Each estate's share is what its own read returns.
    for (g, results) in fleet.groups().iter().zip(&groups) {
        for (m, r) in g.members.iter().zip(results) {
            let fleet_reading = r.as_ref().expect("fleet reading");
            let (p, s) = &single[m.estate];
            let own = match m.side {
                Side::Primary => p,
                Side::Standby => s,
            }
            .as_ref()
            .expect("own reading");
            assert_eq!(fleet_reading, own, "estate {} {}", m.estate, m.side);
        }
    }
    // The replica's lag came through the merged GetMetricData.
    let standby = groups[1][0].as_ref().expect("standby");
    let db = standby.database.clone().expect("db").expect("read");
    assert_eq!(db.lag, Lag::Known(4));

    eprintln!("fleet cycle: {fleet_calls:?}\nthree single cycles: {single_calls:?}");
    // Calls that batch across estates are made once per region group, not once per estate.
    for op in [
        "DescribeDBInstances",
        "GetMetricData",
        "DescribeAutoScalingGroups",
    ] {
        assert_eq!(fleet_calls.get(op), Some(&2), "{op}: {fleet_calls:?}");
        assert_eq!(single_calls.get(op), Some(&6), "{op}: {single_calls:?}");
    }
    assert_eq!(
        fleet_calls.get("DescribeAlarms"),
        Some(&1),
        "{fleet_calls:?}"
    );
    // ECS (one cluster per estate) and target health (one group per call) stay per resource.
    assert_eq!(fleet_calls.get("DescribeServices"), Some(&6));
    assert_eq!(fleet_calls.get("DescribeTargetHealth"), Some(&6));
    assert!(
        total(&fleet_calls) + 10 <= total(&single_calls),
        "fleet {} vs single {}",
        total(&fleet_calls),
        total(&single_calls)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_overview_shows_each_estates_readings_and_the_one_without_a_replica_first() {
    let moto = Moto::start();
    let seeded = moto.seed_fleet(3, 2, &["app-01"]);
    let estates = estates(&seeded);
    let fleet = AwsFleet::connect(&estates).await;
    let now = Instant::now();
    let mut apps: Vec<App> = estates
        .iter()
        .map(|e| App::new(e.clone(), "AWS".into(), false, now))
        .collect();
    for (g, group) in fleet.groups().iter().enumerate() {
        for (m, r) in group.members.iter().zip(fleet.read_group(g).await) {
            apps[m.estate].apply_poll(PollEvent::Finished {
                scope: Scope::Region(m.side),
                at: now,
                result: r.map(|r| Reading::Region(Box::new(r))),
            });
        }
    }
    for (i, app) in apps.iter_mut().enumerate() {
        let global = fleet.backend(i).read_global().await;
        app.apply_poll(PollEvent::Finished {
            scope: Scope::Global,
            at: now,
            result: global.map(Reading::Global),
        });
        app.now = now;
    }
    let overview = FleetApp::new(apps, now);
    let rows = overview.rows();
    let names: Vec<&str> = rows.iter().map(|r| r.name.as_str()).collect();
    assert_eq!(names, ["app-01", "app-00", "app-02"], "{rows:#?}");
    let bad = &rows[0];
    assert_eq!(bad.readiness, Verdict::Degraded);
    for good in &rows[1..] {
        assert_eq!(good.posture, PostureState::Normal, "{good:?}");
        assert_eq!(good.active_region.as_deref(), Some("us-east-1"));
        assert_eq!(good.lag, Lag::Known(4));
        assert_eq!(good.lag_verdict, "ok");
        assert_eq!(good.dns, Some(Side::Primary));
        assert_eq!(good.readiness, Verdict::Ready, "{good:?}");
    }
    let s = overview.summary();
    assert_eq!(
        (s.normal, s.degraded, s.failed_over, s.unknown),
        (2, 1, 0, 0)
    );
}

/// Every group's cycle once, at once; the calls it made and the region readings it sent,
/// with the time of their services where older.
async fn fleet_cycle(
    url: &str,
    polls: &mut [GroupPoll],
    open: Option<usize>,
) -> (
    std::collections::BTreeMap<String, u64>,
    Vec<(
        usize,
        Side,
        drconsole::model::RegionReading,
        Option<Instant>,
    )>,
) {
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    let ((), calls) = calls_during(url, async {
        futures::future::join_all(polls.iter_mut().map(|p| {
            let tx = tx.clone();
            async move {
                p.cycle(open, &tx).await.expect("receiver");
            }
        }))
        .await;
    })
    .await;
    drop(tx);
    (calls, readings(&mut rx))
}

fn readings(
    rx: &mut tokio::sync::mpsc::UnboundedReceiver<FleetEvent>,
) -> Vec<(
    usize,
    Side,
    drconsole::model::RegionReading,
    Option<Instant>,
)> {
    let mut out = Vec::new();
    while let Ok(e) = rx.try_recv() {
        if let PollEvent::Finished {
            scope: Scope::Region(side),
            result,
            ..
        } = e.event
        {
            let Ok(Reading::Region(r)) = result else {
                panic!("estate {} {side}: {result:?}", e.estate);
            };
            out.push((e.estate, side, *r, e.services_at));
        }
    }
    out
}

/// Estates whose services were read in this cycle (not carried from an earlier one).
fn fresh(
    sent: &[(
        usize,
        Side,
        drconsole::model::RegionReading,
        Option<Instant>,
    )],
) -> Vec<usize> {
    let mut v: Vec<usize> = sent
        .iter()
        .filter(|(_, _, _, at)| at.is_none())
        .map(|(e, ..)| *e)
        .collect();
    v.sort();
    v.dedup();
    v
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_full_round_reads_every_estates_services_in_turn_and_the_open_one_every_cycle() {
    let moto = Moto::start();
    let seeded = moto.seed_fleet(3, 12, &[]);
    let estates = estates(&seeded);
    let fleet: std::sync::Arc<dyn FleetBackend> =
        std::sync::Arc::new(AwsFleet::connect(&estates).await);
    let settings = PollSettings::new(estates[0].poll_interval(), estates[0].call_timeout.0);
    let mut polls: Vec<GroupPoll> = (0..fleet.groups().len())
        .map(|g| GroupPoll::new(fleet.clone(), g, settings))
        .collect();
    let round = polls[0].rotation().round();
    assert_eq!(round, 3, "one estate per cycle at a 5 s poll");

    // The first cycle reads everything, as every cycle did before.
    let (first, sent) = fleet_cycle(&moto.url, &mut polls, None).await;
    assert_eq!(fresh(&sent), [0, 1, 2]);
    assert_eq!(first.get("DescribeServices"), Some(&12), "{first:?}");
    assert_eq!(first.get("DescribeTargetHealth"), Some(&6), "{first:?}");
    let before = total(&first);

    // The estates read alone, to compare each share with.
    let mut alone = Vec::new();
    for e in &estates {
        alone.push(AwsBackend::connect(e).await);
    }

    // A full round: one estate's services and targets per cycle, each estate once.
    let mut round_calls = 0;
    let mut most = 0;
    let mut read_in_round = Vec::new();
    for cycle in 0..round {
        let (calls, sent) = fleet_cycle(&moto.url, &mut polls, None).await;
        eprintln!("cycle {cycle}: {} calls {calls:?}", total(&calls));
        round_calls += total(&calls);
        most = most.max(total(&calls));
        let turn = fresh(&sent);
        assert_eq!(turn.len(), 1, "cycle {cycle}: {turn:?}");
        assert_eq!(calls.get("DescribeServices"), Some(&4), "{calls:?}");
        assert_eq!(calls.get("DescribeTargetHealth"), Some(&2), "{calls:?}");
        for op in [
            "DescribeDBInstances",
            "GetMetricData",
            "DescribeAutoScalingGroups",
        ] {
            assert_eq!(calls.get(op), Some(&2), "{op}: {calls:?}");
        }
        read_in_round.extend(turn);
        // Each estate's share is what its own read returns: the parts read now, and the
        // services and targets carried (nothing changed in between).
        for (e, side, reading, at) in &sent {
            let own = alone[*e].read_region(*side).await.expect("own reading");
            assert_eq!(reading, &own, "estate {e} {side}");
            if !read_in_round.ends_with(&[*e]) {
                assert!(at.is_some(), "estate {e} carries its services' time");
            }
        }
    }
    read_in_round.sort();
    assert_eq!(read_in_round, [0, 1, 2], "every estate within the round");
    let average = round_calls as f64 / round as f64;
    eprintln!(
        "three estates: first cycle {before} calls; a round of {round}: average {average:.1}, most {most}"
    );
    assert!(
        average + 8.0 <= before as f64,
        "average {average} vs {before} before"
    );

    // Opening estate 1 reads it whole at once, and then every cycle.
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    let ((), calls) = calls_during(&moto.url, async {
        for p in polls.iter_mut() {
            p.read_open(1, &tx).await.expect("receiver");
        }
    })
    .await;
    let sent = readings(&mut rx);
    assert_eq!(
        sent.iter()
            .map(|(e, s, _, at)| (*e, *s, *at))
            .collect::<Vec<_>>(),
        [(1, Side::Primary, None), (1, Side::Standby, None)]
    );
    assert_eq!(calls.get("DescribeServices"), Some(&4), "{calls:?}");
    assert_eq!(calls.get("DescribeTargetHealth"), Some(&2), "{calls:?}");
    for cycle in 0..round {
        let (_, sent) = fleet_cycle(&moto.url, &mut polls, Some(1)).await;
        assert!(
            fresh(&sent).contains(&1),
            "cycle {cycle}: {:?}",
            fresh(&sent)
        );
    }
}

struct Dir {
    _tmp: tempfile::TempDir,
    path: PathBuf,
}

fn write_estates(seeded: &[(String, String)]) -> Dir {
    let tmp = tempfile::tempdir().expect("temp dir");
    let path = tmp.path().join("estates");
    std::fs::create_dir(&path).expect("mkdir");
    for (name, toml) in seeded {
        std::fs::write(path.join(format!("{name}.toml")), toml).expect("write");
    }
    Dir { _tmp: tmp, path }
}

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

#[test]
fn status_json_of_a_fleet_is_one_object_per_estate_and_exits_with_the_worst() {
    let moto = Moto::start();
    let seeded = moto.seed_fleet(3, 2, &["app-02"]);
    let dir = write_estates(&seeded);
    let home = dir.path.parent().expect("parent").to_path_buf();
    let config = dir.path.display().to_string();
    let (code, out, err) = drconsole(&["status", "--json", "--config", &config], &home);
    let v: Value = serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {out}\n{err}"));
    let list = v["estates"].as_array().expect("estates array");
    let names: Vec<&str> = list.iter().map(|e| e["estate"].as_str().unwrap()).collect();
    assert_eq!(names, ["app-00", "app-01", "app-02"]);
    for e in list {
        status_schema::assert_conforms(e);
    }
    assert_eq!(v.as_object().map(|o| o.len()), Some(1), "only `estates`");
    assert_eq!(list[0]["readiness"]["verdict"], "ready");
    assert_eq!(list[2]["readiness"]["verdict"], "degraded");
    assert_eq!(code, Some(1), "the worst estate is degraded: {out}\n{err}");

    // Without the broken estate: every estate is ready, exit 0.
    let first = dir.path.join("app-00.toml").display().to_string();
    let second = dir.path.join("app-01.toml").display().to_string();
    let (code, out, err) = drconsole(
        &["status", "--json", "--config", &first, "--config", &second],
        &home,
    );
    let v: Value = serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {out}\n{err}"));
    assert_eq!(v["estates"].as_array().map(Vec::len), Some(2));
    assert_eq!(code, Some(0), "{out}\n{err}");
}

#[test]
fn an_evacuation_fails_every_estate_over_and_one_without_a_replica_fails_alone() {
    let moto = Moto::start();
    let seeded = moto.seed_fleet(3, 2, &["app-01"]);
    let dir = write_estates(&seeded);
    let home = dir.path.parent().expect("parent").to_path_buf();
    let state = home.join("state");
    let files: Vec<String> = seeded
        .iter()
        .map(|(n, _)| dir.path.join(format!("{n}.toml")).display().to_string())
        .collect();
    let state_arg = state.display().to_string();
    let audit = home.join("audit.jsonl").display().to_string();
    let mut args = vec![
        "run",
        "failover",
        "--yes",
        "--allow-irreversible",
        "--allow-data-loss",
        "--concurrency",
        "2",
        "--state-dir",
        &state_arg,
        "--audit-log",
        &audit,
    ];
    for f in &files {
        args.push("--config");
        args.push(f);
    }
    let began = Instant::now();
    let (code, out, err) = drconsole(&args, &home);
    eprintln!(
        "evacuation of 3 estates: exit {code:?} in {:.1?}",
        began.elapsed()
    );
    assert_eq!(code, Some(1), "one estate stopped:\n{out}\n{err}");
    assert!(
        out.contains("batch failover: 3 estate(s): 2 completed, not completed: app-01 (stopped)"),
        "{out}"
    );
    // Every line says whose it is.
    assert!(
        out.lines()
            .filter(|l| !l.starts_with("batch"))
            .all(|l| l.starts_with("[app-0")),
        "{out}"
    );

    // AWS shows the two estates failed over, and the third untouched where it matters.
    let requests = moto_control::requests(&moto.url);
    assert_eq!(requests.get("PromoteReadReplica"), Some(&2), "{requests:?}");
    let reread = estates(&seeded);
    block_on(async {
        for e in &reread {
            let aws = AwsBackend::connect(e).await;
            let global = aws.read_global().await.expect("route53");
            let dns = global.dns.expect("dns").expect("read");
            let standby = aws.read_region(Side::Standby).await.expect("standby");
            if e.name == "app-01" {
                assert_eq!(dns.points_at, Some(Side::Primary), "{}", e.name);
            } else {
                assert_eq!(dns.points_at, Some(Side::Standby), "{}", e.name);
                let db = standby.database.expect("db").expect("read");
                assert_eq!(db.role, drconsole::model::DbRole::Writer, "{}", e.name);
                let services = standby.services.expect("services");
                assert!(services.iter().all(|s| s.desired == 1), "{services:?}");
            }
        }
    });

    // One report for the batch, a row per estate.
    let runs = state.join("runs");
    let report = std::fs::read_dir(&runs)
        .expect("runs dir")
        .filter_map(Result::ok)
        .map(|e| e.path())
        .find(|p| {
            p.file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with("batch-failover-"))
        })
        .expect("batch report");
    let text = std::fs::read_to_string(&report).expect("read report");
    for name in ["app-00", "app-01", "app-02"] {
        assert!(text.contains(&format!("| {name} |")), "{name}: {text}");
    }
    assert!(text.contains("| app-01 | stopped |"), "{text}");
    assert!(text.contains("| app-00 | completed | 0 |"), "{text}");
}

fn block_on<F: std::future::Future>(f: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime")
        .block_on(f)
}

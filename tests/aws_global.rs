//! `[database] kind = "aurora-global"` against moto, end to end: the readings (members, the
//! writer's region, the secondary's `AuroraGlobalDBReplicationLag`), the default failover run
//! headless with the primary region dark (`FailoverGlobalCluster` with `AllowDataLoss`, the
//! primary never called), reprotect (AWS rebuilds the old primary as a secondary once its
//! region answers: the step waits for it and calls nothing), and the failback by
//! `SwitchoverGlobalCluster`.
//!
//! moto has neither operation: tests/moto/global_cluster.py adds both (the writer flag moves
//! at the next describe; after a failover with data loss the old writer reads
//! `pending-resync` until a call reaches its region). Their durations are the simulator's.

mod support;

#[path = "common/moto_control.rs"]
mod moto_control;

use drconsole::backend::Backend;
use drconsole::model::{DbRole, Lag, Side};
use serde_json::Value;
use support::{Endpoints, Moto, Seeded, SilentListener, moto};

fn aurora_toml(seeded: &Seeded, ep: &Endpoints) -> String {
    let toml = seeded.estate_toml(ep).replace(
        "kind = \"rds-replica\"\nprimary = \"orders-db\"\nstandby = \"orders-db-replica\"",
        "kind = \"aurora-global\"\nprimary = \"orders-cluster\"\nstandby = \"orders-cluster-dr\"\nglobal_cluster = \"orders-global\"",
    );
    assert!(toml.contains("aurora-global"));
    toml.replacen(
        "poll_interval",
        "failback_settle = \"1s\"\npoll_interval",
        1,
    )
}

fn run(
    config: &std::path::Path,
    dir: &std::path::Path,
    name: &str,
    label: &str,
) -> (Option<i32>, String) {
    run_with(
        config,
        dir,
        name,
        label,
        &["--yes", "--allow-irreversible", "--allow-data-loss"],
    )
}

fn run_with(
    config: &std::path::Path,
    dir: &std::path::Path,
    name: &str,
    label: &str,
    flags: &[&str],
) -> (Option<i32>, String) {
    moto::run_headless(config, dir, name, label, flags)
}

fn calls(dir: &std::path::Path, label: &str) -> Vec<String> {
    let text = std::fs::read_to_string(dir.join(format!("audit-{label}.jsonl"))).expect("audit");
    text.lines()
        .map(|l| serde_json::from_str::<Value>(l).expect("audit line"))
        .filter(|l| l["event"] == "call")
        .map(|l| l["describe"].as_str().unwrap_or_default().to_string())
        .collect()
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .expect("runtime")
}

#[test]
fn readings_show_members_the_writer_region_and_the_global_lag() {
    let m = Moto::start();
    let seeded = m.seed_with(&["--aurora"]);
    let toml = aurora_toml(&seeded, &Endpoints::both(&m.url));
    let (p, s) = runtime().block_on(async move {
        let aws = support::backend(&toml).await;
        (
            aws.read_region(Side::Primary).await.expect("primary"),
            aws.read_region(Side::Standby).await.expect("standby"),
        )
    });
    let p = p.database.expect("db").expect("read");
    let s = s.database.expect("db").expect("read");
    assert_eq!(p.role, DbRole::Writer);
    assert_eq!(
        s.role,
        DbRole::Replica {
            source: seeded.primary_cluster_arn.clone().expect("arn")
        }
    );
    // 7000 ms of AuroraGlobalDBReplicationLag.
    assert_eq!(s.lag, Lag::Known(7));
    let g = s.global().expect("global reading");
    assert_eq!(g.id, "orders-global");
    assert_eq!(g.members.len(), 2);
    assert_eq!(g.writer().and_then(|w| w.region()), Some("us-east-1"));
    assert!(g.moving.is_none());
}

#[test]
fn failover_with_the_primary_dark_then_reprotect_then_failback_by_switchover() {
    let m = Moto::start();
    let seeded = m.seed_with(&["--aurora"]);
    let dir = tempfile::tempdir().expect("dir");
    let config = dir.path().join("orders.toml");

    // The primary region is dark: its endpoint accepts connections and never answers.
    let dark = SilentListener::start();
    let ep = Endpoints {
        primary: dark.url.clone(),
        standby: m.url.clone(),
        call_timeout: "2s",
    };
    std::fs::write(&config, aurora_toml(&seeded, &ep)).expect("write");
    // The failover discards the secondary's lag (7s): without --allow-data-loss it is refused,
    // and nothing is called.
    let (code, out) = run_with(
        &config,
        dir.path(),
        "failover",
        "refused",
        &["--yes", "--allow-irreversible"],
    );
    assert_eq!(code, Some(3), "{out}");
    assert!(out.contains("7s"), "the refusal states the lag: {out}");
    assert_eq!(
        moto_control::requests(&m.url).get("FailoverGlobalCluster"),
        None
    );
    let (code, _) = run(&config, dir.path(), "failover", "failover");
    assert_eq!(code, Some(0));
    let done = calls(dir.path(), "failover");
    let failovers: Vec<&String> = done
        .iter()
        .filter(|c| c.starts_with("rds:FailoverGlobalCluster"))
        .collect();
    assert_eq!(failovers.len(), 1, "{done:?}");
    assert!(failovers[0].contains("orders-cluster-dr"), "{failovers:?}");
    assert!(
        done.iter()
            .all(|c| !c.starts_with("rds:SwitchoverGlobalCluster"))
    );
    let reqs = moto_control::requests(&m.url);
    assert_eq!(reqs.get("FailoverGlobalCluster"), Some(&1));
    drop(dark);

    // The primary region is back: the old writer is rebuilt as a secondary (no call needed).
    std::fs::write(&config, aurora_toml(&seeded, &Endpoints::both(&m.url))).expect("write");
    m.put_lag_metric("us-east-1", "aurora", "orders-cluster", 2000);
    let (code, _) = run(&config, dir.path(), "reprotect", "reprotect");
    assert_eq!(code, Some(0));
    let reprotect = calls(dir.path(), "reprotect");
    assert!(
        reprotect.iter().all(|c| !c.starts_with("rds:")),
        "reprotect of a global database calls no RDS change: {reprotect:?}"
    );

    // Planned failback: a switchover, no data loss.
    m.put_lag_metric("us-east-1", "aurora", "orders-cluster", 0);
    let (code, _) = run(&config, dir.path(), "failback", "failback");
    assert_eq!(code, Some(0));
    let back = calls(dir.path(), "failback");
    let switch: Vec<&String> = back
        .iter()
        .filter(|c| c.starts_with("rds:SwitchoverGlobalCluster"))
        .collect();
    assert_eq!(switch.len(), 1, "{back:?}");
    assert!(switch[0].contains("orders-cluster"), "{switch:?}");
    assert!(
        back.iter()
            .all(|c| !c.starts_with("rds:FailoverGlobalCluster"))
    );
    let reqs = moto_control::requests(&m.url);
    assert_eq!(reqs.get("SwitchoverGlobalCluster"), Some(&1));
    assert_eq!(reqs.get("FailoverGlobalCluster"), Some(&1));

    // The writer is back in the primary region.
    let toml = aurora_toml(&seeded, &Endpoints::both(&m.url));
    let p = runtime().block_on(async move {
        let aws = support::backend(&toml).await;
        aws.read_region(Side::Primary).await.expect("primary")
    });
    let p = p.database.expect("db").expect("read");
    assert_eq!(p.role, DbRole::Writer);
    assert_eq!(
        p.global().and_then(|g| g.writer()).and_then(|w| w.region()),
        Some("us-east-1")
    );
}

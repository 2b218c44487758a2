//! DNS modes on the simulator, on tokio's paused clock: an alias record swapped by UPSERT of
//! an `AliasTarget`, and a failover-routing pair moved by inverting the PRIMARY's health
//! check. Each estate runs the default failover, reprotect and failback headless, as
//! `drconsole run NAME --yes --allow-irreversible --allow-data-loss` would.

use std::sync::Arc;
use std::time::Duration;

use drconsole::backend::sim::{SimClock, Simulator};
use drconsole::backend::{Action, Backend};
use drconsole::config::Estate;
use drconsole::model::{DnsReading, Side};
use drconsole::runbook::{HeadlessOptions, defaults, run_headless};
use tempfile::TempDir;

#[path = "common/counting.rs"]
mod counting;
use counting::Counting;

#[path = "common/dns_estates.rs"]
mod dns_estates;
use dns_estates::{ALIAS, CHECK, FAILOVER_ROUTING, PRIMARY_LB, STANDBY_LB, estate_with};

struct Harness {
    sim: Arc<Simulator>,
    estate: Arc<Estate>,
    dir: TempDir,
}

impl Harness {
    fn new(estate: Estate) -> Harness {
        let clock = SimClock::manual();
        let sim = Simulator::new(estate.clone(), 31, clock.clone());
        tokio::spawn(async move {
            loop {
                tokio::time::sleep(Duration::from_secs(1)).await;
                clock.advance(Duration::from_secs(1));
            }
        });
        Harness {
            sim,
            estate: Arc::new(estate),
            dir: tempfile::tempdir().unwrap(),
        }
    }

    /// Runs `name` headless with every confirmation given; its exit code, output and calls.
    async fn run(&self, name: &str) -> (i32, String, Vec<Action>) {
        let backend = Counting::new(self.sim.clone());
        let opts = HeadlessOptions {
            yes: true,
            allow_irreversible: true,
            allow_data_loss: true,
            audit_path: Some(self.dir.path().join("audit.jsonl")),
            state_dir: Some(self.dir.path().to_path_buf()),
            ..Default::default()
        };
        let mut out = Vec::new();
        let exit = run_headless(self.estate.clone(), backend.clone(), name, opts, &mut out)
            .await
            .unwrap();
        (
            exit.code,
            String::from_utf8(out).unwrap(),
            backend.actions(),
        )
    }

    async fn dns(&self) -> DnsReading {
        let g = self.sim.read_global().await.expect("read");
        g.dns.expect("dns").expect("dns read")
    }
}

fn dns_calls(actions: &[Action]) -> Vec<&Action> {
    actions
        .iter()
        .filter(|a| a.api_call().starts_with("route53:"))
        .collect()
}

#[tokio::test(start_paused = true)]
async fn an_alias_record_fails_over_and_back_by_upserting_its_alias_target() {
    let h = Harness::new(estate_with(ALIAS));
    let d = h.dns().await;
    assert_eq!((d.points_at, d.alias), (Some(Side::Primary), true), "{d:?}");

    let (code, text, actions) = h.run("failover").await;
    assert_eq!(code, 0, "{text}");
    assert!(text.contains("achieved RTO: "), "{text}");
    assert!(!text.contains("not reached"), "{text}");
    assert_eq!(
        dns_calls(&actions),
        [&Action::UpsertAlias {
            zone_id: "Z0123456789ABCDEFGHIJ".into(),
            record: "shop.example.com".into(),
            record_type: "A".into(),
            dns_name: STANDBY_LB.into(),
            alias_zone_id: "Z1H1FL5HABSF5".into(),
            evaluate_target_health: true,
        }]
    );
    let d = h.dns().await;
    assert_eq!(d.points_at, Some(Side::Standby));
    assert_eq!(d.value.as_deref(), Some(STANDBY_LB));

    let (code, text, _) = h.run("reprotect").await;
    assert_eq!(code, 0, "{text}");
    let (code, text, actions) = h.run("failback").await;
    assert_eq!(code, 0, "{text}");
    match dns_calls(&actions).as_slice() {
        [Action::UpsertAlias { dns_name, .. }] => assert_eq!(dns_name, PRIMARY_LB),
        other => panic!("failback's DNS calls: {other:?}"),
    }
    assert_eq!(h.dns().await.points_at, Some(Side::Primary));
}

#[tokio::test(start_paused = true)]
async fn a_failover_pair_fails_over_by_inverting_the_check_and_back_by_undoing_it() {
    let h = Harness::new(estate_with(FAILOVER_ROUTING));
    let d = h.dns().await;
    let f = d.failover.clone().expect("failover reading");
    assert_eq!(f.answers, Some(Side::Primary));
    assert_eq!(f.primary.set_identifier, "primary");
    assert_eq!(f.standby.failover.as_deref(), Some("SECONDARY"));
    assert_eq!(f.check.as_ref().unwrap().inverted, Some(false));
    assert!(d.inverted_check().is_none());

    let (code, text, actions) = h.run("failover").await;
    assert_eq!(code, 0, "{text}");
    assert!(text.contains("achieved RTO: "), "{text}");
    assert!(!text.contains("not reached"), "{text}");
    // The plan says when clients follow: TTL plus interval × threshold, read from the check.
    assert!(
        text.contains("interval 30 s × failure threshold 3 = 90 s"),
        "{text}"
    );
    assert_eq!(
        dns_calls(&actions),
        [&Action::InvertHealthCheck {
            health_check: CHECK.into(),
            inverted: true,
        }],
        "a failover pair is moved by the check alone, no record is rewritten"
    );
    let d = h.dns().await;
    assert_eq!(d.points_at, Some(Side::Standby));
    assert_eq!(d.inverted_check().map(|c| c.id.as_str()), Some(CHECK));
    assert_eq!(d.value.as_deref(), Some("lb-us-west-2.sim.example"));

    let (code, text, _) = h.run("reprotect").await;
    assert_eq!(code, 0, "{text}");
    let (code, text, actions) = h.run("failback").await;
    assert_eq!(code, 0, "{text}");
    assert_eq!(
        dns_calls(&actions),
        [&Action::InvertHealthCheck {
            health_check: CHECK.into(),
            inverted: false,
        }]
    );
    let d = h.dns().await;
    assert_eq!(d.points_at, Some(Side::Primary));
    assert!(d.inverted_check().is_none());
}

#[tokio::test]
async fn route53_follows_an_inverted_check_only_after_interval_times_threshold() {
    let sim = Simulator::new(estate_with(FAILOVER_ROUTING), 5, SimClock::manual());
    sim.act(&Action::InvertHealthCheck {
        health_check: CHECK.into(),
        inverted: true,
    })
    .await
    .expect("inverted");
    let dns = || async { sim.read_global().await.unwrap().dns.unwrap().unwrap() };
    let d = dns().await;
    // GetHealthCheck shows the new setting at once; routing follows after 30 s × 3.
    assert!(d.inverted_check().is_some());
    assert_eq!(d.points_at, Some(Side::Primary));
    sim.clock().advance(Duration::from_secs(89));
    assert_eq!(dns().await.points_at, Some(Side::Primary));
    sim.clock().advance(Duration::from_secs(2));
    assert_eq!(dns().await.points_at, Some(Side::Standby));
    // The check's own row still says what the checkers observe: the primary is up.
    let g = sim.read_global().await.unwrap();
    let row = g.health_checks.unwrap();
    let row = row.iter().find(|c| c.id == CHECK).unwrap();
    assert_eq!(row.healthy, Some(true));
}

#[test]
fn the_default_runbooks_use_the_dns_modes_step() {
    let kinds = |estate: &Estate, name: &str| -> Vec<String> {
        defaults::resolve(estate, name)
            .unwrap()
            .steps
            .iter()
            .filter(|s| s.common.id.as_deref() == Some("dns"))
            .map(|s| s.kind.clone())
            .collect()
    };
    let pair = estate_with(FAILOVER_ROUTING);
    assert_eq!(kinds(&pair, "failover"), ["invert_health_check"]);
    assert_eq!(kinds(&pair, "failback"), ["invert_health_check"]);
    let alias = estate_with(ALIAS);
    assert_eq!(kinds(&alias, "failover"), ["move_dns"]);
}

#[tokio::test(start_paused = true)]
async fn a_dry_run_of_a_failover_pair_plans_the_inversion_and_calls_nothing() {
    let h = Harness::new(estate_with(FAILOVER_ROUTING));
    let backend = Counting::new(h.sim.clone());
    let opts = HeadlessOptions {
        dry_run: true,
        audit_path: Some(h.dir.path().join("audit.jsonl")),
        state_dir: Some(h.dir.path().to_path_buf()),
        ..Default::default()
    };
    let mut out = Vec::new();
    let exit = run_headless(
        h.estate.clone(),
        backend.clone(),
        "failover",
        opts,
        &mut out,
    )
    .await
    .unwrap();
    let text = String::from_utf8(out).unwrap();
    assert_eq!(backend.count(), 0, "{:?}", backend.actions());
    assert!(
        text.contains(&format!(
            "would call route53:UpdateHealthCheck {CHECK} Inverted=true"
        )),
        "exit {}\n{text}",
        exit.code
    );
    assert!(h.dns().await.inverted_check().is_none());
}

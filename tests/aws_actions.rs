//! Every action through the AWS backend against moto: the change shows in moto's state (read
//! back through the backend) and the outcome says what changed.

mod support;

use drconsole::backend::{Action, Backend, EndpointStore, ErrorKind};
use drconsole::config::Capacity;
use drconsole::model::{DbRole, Side};
use support::{Endpoints, Moto};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn region_actions_change_moto_state() {
    let moto = Moto::start();
    let seeded = moto.seed(0);
    let aws = support::backend(&seeded.estate_toml(&Endpoints::both(&moto.url))).await;

    // Scale a standby service up.
    let out = aws
        .act(&Action::ScaleService {
            side: Side::Standby,
            cluster: "orders".into(),
            service: "web".into(),
            desired: 4,
        })
        .await
        .expect("scale service");
    assert!(out.summary.contains("orders/web"), "{}", out.summary);
    assert!(out.summary.contains("desiredCount → 4"), "{}", out.summary);
    assert!(
        out.summary.contains("us-west-2 (standby)"),
        "{}",
        out.summary
    );
    assert!(out.change_id.is_some(), "deployment id: {out:?}");
    let standby = aws.read_region(Side::Standby).await.expect("standby");
    let web = &standby.services.expect("services")[0];
    assert_eq!((web.name.as_str(), web.desired, web.running), ("web", 4, 4));

    // Force a new deployment of a primary service.
    let out = aws
        .act(&Action::ForceDeployment {
            side: Side::Primary,
            cluster: "orders".into(),
            service: "worker".into(),
        })
        .await
        .expect("force deployment");
    assert!(out.summary.contains("new deployment"), "{}", out.summary);
    assert!(
        out.change_id
            .as_deref()
            .is_some_and(|id| out.summary.contains(id))
    );

    // Standby ASG to production capacity.
    let out = aws
        .act(&Action::SetAsgCapacity {
            side: Side::Standby,
            asg: "orders-web".into(),
            capacity: Capacity {
                min: 2,
                max: 10,
                desired: 3,
            },
        })
        .await
        .expect("asg capacity");
    assert!(out.summary.contains("2/10/3"), "{}", out.summary);
    let standby = aws.read_region(Side::Standby).await.expect("standby");
    let asg = &standby.asgs.expect("asgs")[0];
    assert_eq!((asg.min, asg.max, asg.desired), (2, 10, 3));
    assert_eq!(
        asg.in_service, 3,
        "moto launches the instances at once: {asg:?}"
    );

    // Register the standby's instances with its target group.
    let out = aws
        .act(&Action::RegisterTargets {
            side: Side::Standby,
            target_group_arn: seeded.standby_tg_arn.clone(),
            targets: asg.instances.clone(),
            port: Some(8080),
        })
        .await
        .expect("register targets");
    assert!(out.summary.contains("port 8080"), "{}", out.summary);
    assert!(out.summary.contains(&asg.instances[0]), "{}", out.summary);
    let standby = aws.read_region(Side::Standby).await.expect("standby");
    let tg = &standby.target_groups.expect("target groups")[0];
    let mut registered = tg.registered.clone();
    registered.sort();
    let mut expected = asg.instances.clone();
    expected.sort();
    assert_eq!(registered, expected);
    assert_eq!(tg.healthy, 3);

    // Promote the replica: moto (with the harness's promote patch) clears its source.
    let out = aws
        .act(&Action::PromoteReplica {
            side: Side::Standby,
            db: "orders-db-replica".into(),
        })
        .await
        .expect("promote");
    assert!(out.summary.contains("orders-db-replica"), "{}", out.summary);
    assert!(out.summary.contains("promoted"), "{}", out.summary);
    // AWS answers `modifying` for a while (the harness: a few describes), then the instance is
    // a writer with no source.
    let mut seen = Vec::new();
    let db = loop {
        let standby = aws.read_region(Side::Standby).await.expect("standby");
        let db = standby.database.expect("db configured").expect("db");
        seen.push(db.status.clone());
        if db.role == DbRole::Writer || seen.len() > 10 {
            break db;
        }
    };
    assert_eq!(db.role, DbRole::Writer, "statuses seen: {seen:?}");
    assert_eq!(
        seen.first().map(String::as_str),
        Some("modifying"),
        "{seen:?}"
    );

    // Failback: move the old primary aside, then recreate the replica in the primary region.
    let out = aws
        .act(&Action::RenameDb {
            side: Side::Primary,
            from: "orders-db".into(),
            to: "orders-db-old".into(),
        })
        .await
        .expect("rename");
    assert!(out.summary.contains("orders-db-old"), "{}", out.summary);
    let out = aws
        .act(&Action::CreateReplica {
            side: Side::Primary,
            replica: "orders-db".into(),
            source_arn: seeded.standby_db_arn.clone(),
            instance_class: Some("db.t3.small".into()),
        })
        .await
        .expect("create replica");
    assert!(
        out.summary.contains(&seeded.standby_db_arn),
        "{}",
        out.summary
    );
    assert!(out.change_id.is_some());
    let primary = aws.read_region(Side::Primary).await.expect("primary");
    let db = primary.database.expect("db configured").expect("db");
    assert_eq!(
        db.role,
        DbRole::Replica {
            source: seeded.standby_db_arn.clone()
        }
    );
    assert_eq!(db.instance_class.as_deref(), Some("db.t3.small"));

    // Promoting what is no longer a replica is refused by AWS, with its error code.
    let err = aws
        .act(&Action::PromoteReplica {
            side: Side::Standby,
            db: "no-such-db".into(),
        })
        .await
        .expect_err("promote of a missing instance");
    assert_eq!(err.kind, ErrorKind::NotFound);
    assert_eq!(err.operation, "rds:PromoteReadReplica");
    assert_eq!(err.region, "us-west-2 (standby)");
    assert_eq!(err.resource, "no-such-db");
    assert_eq!(err.code.as_deref(), Some("DBInstanceNotFound"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dns_and_endpoint_actions() {
    let moto = Moto::start();
    let seeded = moto.seed(0);
    let aws = support::backend(&seeded.estate_toml(&Endpoints::both(&moto.url))).await;

    let out = aws
        .act(&Action::UpsertRecord {
            zone_id: seeded.zone_id.clone(),
            record: "www.example.com".into(),
            record_type: "CNAME".into(),
            ttl: 30,
            value: "lb-usw2.example.com".into(),
        })
        .await
        .expect("upsert");
    assert!(
        out.summary.contains("lb-usw2.example.com"),
        "{}",
        out.summary
    );
    let change = out.change_id.clone().expect("change id");
    assert!(aws.dns_change_in_sync(&change).await.expect("get change"));
    let global = aws.read_global().await.expect("global");
    let dns = global.dns.expect("dns configured").expect("dns");
    assert_eq!(dns.value.as_deref(), Some("lb-usw2.example.com"));
    assert_eq!(dns.points_at, Some(Side::Standby));

    let param = EndpointStore::SsmParameter("/orders/db/endpoint".into());
    assert_eq!(
        stored(aws.read_endpoint(Side::Standby, &param).await.expect("get")),
        Some(seeded.primary_db_endpoint.clone())
    );
    let out = aws
        .act(&Action::WriteEndpoint {
            side: Side::Standby,
            store: param.clone(),
            value: seeded.standby_db_endpoint.clone(),
        })
        .await
        .expect("put parameter");
    assert!(out.summary.contains("version 2"), "{}", out.summary);
    assert_eq!(
        stored(aws.read_endpoint(Side::Standby, &param).await.expect("get")),
        Some(seeded.standby_db_endpoint.clone())
    );
    // Absent in the other region: None, not an error.
    assert_eq!(
        stored(aws.read_endpoint(Side::Primary, &param).await.expect("get")),
        None
    );

    let secret = EndpointStore::Secret("orders/db".into());
    let out = aws
        .act(&Action::WriteEndpoint {
            side: Side::Standby,
            store: secret.clone(),
            value: seeded.standby_db_endpoint.clone(),
        })
        .await
        .expect("put secret value");
    assert!(out.change_id.is_some(), "version id: {out:?}");
    // The endpoint is shown (a host name is no secret), the value it replaced is not.
    assert!(
        out.summary.contains(&seeded.standby_db_endpoint)
            && !out.summary.contains(&seeded.primary_db_endpoint),
        "{}",
        out.summary
    );
    assert_eq!(
        stored(
            aws.read_endpoint(Side::Standby, &secret)
                .await
                .expect("get")
        ),
        Some(seeded.standby_db_endpoint.clone())
    );
    assert_eq!(
        stored(
            aws.read_endpoint(Side::Primary, &secret)
                .await
                .expect("get")
        ),
        None
    );
}

/// moto 5.2.5 implements neither `SwitchoverGlobalCluster` nor `FailoverGlobalCluster` (it answers
/// 500): this checks that the failure reaches the operator with the call and the global cluster
/// named. The transitions themselves (writer moving to the target) are covered by the simulator.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn global_cluster_actions_are_a_moto_gap() {
    let moto = Moto::start();
    let seeded = moto.seed(0);
    let aws = support::backend(&seeded.estate_toml(&Endpoints::both(&moto.url))).await;
    let target = "arn:aws:rds:us-west-2:123456789012:cluster:orders-secondary".to_string();
    for action in [
        Action::GlobalSwitchover {
            global_cluster: "orders-global".into(),
            target_cluster_arn: target.clone(),
            side: Side::Standby,
        },
        Action::GlobalFailover {
            global_cluster: "orders-global".into(),
            target_cluster_arn: target.clone(),
            side: Side::Standby,
        },
    ] {
        let err = aws
            .act(&action)
            .await
            .expect_err("moto does not implement it");
        assert_eq!(err.operation, action.api_call());
        assert_eq!(err.resource, "orders-global");
        assert_eq!(err.region, "us-west-2 (standby)");
        assert_ne!(err.kind, ErrorKind::Unreachable, "{err}");
    }
}

/// The endpoint a store holds, as text (`None`: the store does not exist).
fn stored(v: Option<drconsole::backend::StoredEndpoint>) -> Option<String> {
    v.map(|s| {
        s.endpoint
            .expect("an endpoint can be written")
            .expect("an endpoint is there")
            .expose()
            .clone()
    })
}

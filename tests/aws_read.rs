//! One poll cycle through the AWS backend against moto, compared field by field with what was
//! seeded, and the number of API calls it took.

mod support;

use drconsole::backend::Backend;
use drconsole::model::{
    AlarmReading, AlarmState, AsgReading, DbReading, DbRole, Deployment, Lag, Scope,
    ServiceReading, Side,
};
use support::{Endpoints, Moto};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn snapshot_matches_what_was_seeded() {
    let moto = Moto::start();
    let seeded = moto.seed(0);
    let aws = support::backend(&seeded.estate_toml(&Endpoints::both(&moto.url))).await;

    assert!(!aws.mode().is_simulation());
    assert!(aws.mode().label().contains("us-east-1"), "{}", aws.mode());
    assert!(aws.mode().label().contains("us-west-2"), "{}", aws.mode());

    let (primary, standby, global) = tokio::join!(
        aws.read_region(Side::Primary),
        aws.read_region(Side::Standby),
        aws.read_global()
    );
    let primary = primary.expect("primary reading");
    let standby = standby.expect("standby reading");
    let global = global.expect("global reading");

    // Database: the writer in the primary, its cross-region replica in the standby.
    let db = primary
        .database
        .clone()
        .expect("database configured")
        .expect("database read");
    assert_eq!(
        db,
        DbReading {
            id: "orders-db".into(),
            role: DbRole::Writer,
            status: "available".into(),
            lag: Lag::NoData,
            endpoint: Some(seeded.primary_db_endpoint.clone()),
            engine: Some("postgres".into()),
            instance_class: Some("db.t3.micro".into()),
            arn: Some(seeded.primary_db_arn.clone()),
            applied_txn: None,
            pending_resync: false,
            detail: None,
        }
    );
    let replica = standby
        .database
        .clone()
        .expect("database configured")
        .expect("replica read");
    assert_eq!(
        replica,
        DbReading {
            id: "orders-db-replica".into(),
            role: DbRole::Replica {
                source: seeded.primary_db_arn.clone()
            },
            status: "available".into(),
            lag: Lag::Known(seeded.standby_lag as u64),
            endpoint: Some(seeded.standby_db_endpoint.clone()),
            engine: Some("postgres".into()),
            instance_class: Some("db.t3.micro".into()),
            arn: Some(seeded.standby_db_arn.clone()),
            applied_txn: None,
            pending_resync: false,
            detail: None,
        }
    );

    // ECS: production counts in the primary (running after moto's UpdateService), zero in the standby.
    let services = primary.services.clone().expect("primary services");
    let td = |family: &str| {
        Some(format!(
            "arn:aws:ecs:us-east-1:123456789012:task-definition/{family}:1"
        ))
    };
    // Each carries its PRIMARY deployment's id (moto's own, not predictable).
    for s in &services {
        assert!(
            s.primary_deployment
                .as_deref()
                .is_some_and(|d| d.starts_with("ecs-svc/")),
            "{s:?}"
        );
    }
    let services: Vec<ServiceReading> = services
        .into_iter()
        .map(|s| ServiceReading {
            primary_deployment: None,
            ..s
        })
        .collect();
    assert_eq!(
        services,
        vec![
            ServiceReading {
                name: "web".into(),
                status: "ACTIVE".into(),
                desired: 4,
                running: 4,
                pending: 0,
                deployment: Deployment::Steady,
                task_definition: td("web"),
                primary_deployment: None,
            },
            ServiceReading {
                name: "worker".into(),
                status: "ACTIVE".into(),
                desired: 2,
                running: 2,
                pending: 0,
                deployment: Deployment::Steady,
                task_definition: td("worker"),
                primary_deployment: None,
            },
        ]
    );
    let standby_services = standby.services.clone().expect("standby services");
    assert_eq!(standby_services.len(), 2);
    // The web at 0, one warm worker.
    for s in &standby_services {
        let warm = u32::from(s.name == "worker");
        assert_eq!(
            (s.status.as_str(), s.desired, s.running),
            ("ACTIVE", warm, warm),
            "{s:?}"
        );
        assert_eq!(s.deployment, Deployment::Steady);
        assert!(
            s.task_definition
                .as_deref()
                .is_some_and(|t| t.starts_with("arn:aws:ecs:us-west-2:")),
            "{s:?}"
        );
    }

    // Auto Scaling: capacity and the InService instances.
    let sorted = |mut v: Vec<String>| {
        v.sort();
        v
    };
    let asg = primary.asgs.clone().expect("primary asgs");
    assert_eq!(asg.len(), 1);
    assert_eq!(
        AsgReading {
            instances: sorted(asg[0].instances.clone()),
            ..asg[0].clone()
        },
        AsgReading {
            name: "orders-web".into(),
            found: true,
            min: 2,
            max: 10,
            desired: 4,
            in_service: 4,
            instances: sorted(seeded.primary_instances.clone()),
            running: 4,
        }
    );
    let sasg = standby.asgs.clone().expect("standby asgs");
    assert_eq!(
        (
            sasg[0].min,
            sasg[0].max,
            sasg[0].desired,
            sasg[0].in_service
        ),
        (0, 10, 1, 1)
    );
    assert_eq!(sasg[0].instances, seeded.standby_instances);

    // Target groups: the primary's instances registered and healthy, none in the standby.
    let tg = primary
        .target_groups
        .clone()
        .expect("primary target groups");
    assert_eq!(tg.len(), 1);
    assert_eq!(tg[0].name, "web");
    assert_eq!(tg[0].error, None);
    assert_eq!((tg[0].healthy, tg[0].unhealthy, tg[0].other), (4, 0, 0));
    assert_eq!(
        sorted(tg[0].registered.clone()),
        sorted(seeded.primary_instances.clone())
    );
    let stg = standby
        .target_groups
        .clone()
        .expect("standby target groups");
    assert_eq!((stg[0].healthy, stg[0].unhealthy, stg[0].other), (0, 0, 0));
    assert!(stg[0].registered.is_empty());

    // Alarms: each region reads its own.
    assert_eq!(
        primary.alarms.clone().expect("primary alarms"),
        vec![AlarmReading {
            name: "orders-5xx".into(),
            state: AlarmState::Ok
        }]
    );
    assert_eq!(
        standby.alarms.clone().expect("standby alarms"),
        vec![AlarmReading {
            name: "orders-replica-lag".into(),
            state: AlarmState::Alarm
        }]
    );

    // Route 53: both health checks healthy (moto always reports Success), record points at the primary.
    let checks = global.health_checks.clone().expect("health checks");
    assert_eq!(checks.len(), 2);
    assert_eq!(checks[0].id, seeded.health_checks[0]);
    assert_eq!(checks[0].watches, Side::Primary);
    assert_eq!(checks[1].watches, Side::Standby);
    for c in &checks {
        assert_eq!(c.error, None);
        assert!(c.checkers_total > 0, "{c:?}");
        assert_eq!(c.checkers_ok, c.checkers_total);
        assert_eq!(c.healthy, Some(true));
    }
    let dns = global
        .dns
        .clone()
        .expect("dns configured")
        .expect("dns read");
    assert_eq!(dns.record, "www.example.com");
    assert_eq!(dns.value.as_deref(), Some("lb-use1.example.com"));
    assert_eq!(dns.points_at, Some(Side::Primary));

    // Batched: one call per API per region here (2 services fit in one DescribeServices).
    for side in Side::BOTH {
        let calls = aws.calls(Scope::Region(side)).snapshot();
        let expected: Vec<(&str, u64)> = vec![
            ("Auto Scaling.DescribeAutoScalingGroups", 1),
            ("CloudWatch.DescribeAlarms", 1),
            ("CloudWatch.GetMetricData", 1),
            ("ECS.DescribeServices", 1),
            ("Elastic Load Balancing v2.DescribeTargetHealth", 1),
            ("RDS.DescribeDBInstances", 1),
        ];
        let got: Vec<(&str, u64)> = calls.iter().map(|(k, v)| (k.as_str(), *v)).collect();
        assert_eq!(got, expected, "{side} calls");
    }
    let global_calls = aws.calls(Scope::Global).snapshot();
    assert_eq!(global_calls.get("Route 53.GetHealthCheckStatus"), Some(&2));
    assert_eq!(
        global_calls.get("Route 53.ListResourceRecordSets"),
        Some(&1)
    );
}

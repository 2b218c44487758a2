//! Missing resources, a wrong cluster name, and a region that never answers: each shows on its
//! own section (or as an unreachable region) instead of failing the whole reading.

mod support;

use std::time::{Duration, Instant};

use drconsole::backend::{Backend, ErrorKind};
use drconsole::model::{AlarmState, AsgReading, ServiceReading, Side};
use support::{Endpoints, Moto, SilentListener};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn missing_resources_show_on_their_rows() {
    let moto = Moto::start();
    let seeded = moto.seed(0);
    let toml = seeded
        .estate_toml(&Endpoints::both(&moto.url))
        .replace(
            "[[asgs]]",
            "[[ecs.services]]\nname = \"ghost\"\nproduction = 1\nstandby = 0\n\n\
             [[asgs]]\nname = \"ghost-asg\"\nproduction = { min = 0, max = 1, desired = 0 }\n\
             standby = { min = 0, max = 1, desired = 0 }\n\n[[asgs]]",
        )
        .replacen(
            "[[alarms]]",
            "[[alarms]]\nname = \"no-such-alarm\"\nregion = \"primary\"\n\n\
             [[target_groups]]\nname = \"gone\"\n\
             primary_arn = \"arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/gone/0\"\n\
             standby_arn = \"arn:aws:elasticloadbalancing:us-west-2:123456789012:targetgroup/gone/0\"\n\n\
             [[health_checks]]\nid = \"00000000-0000-0000-0000-000000000000\"\nlabel = \"deleted\"\n\
             region = \"primary\"\n\n[[alarms]]",
            1,
        )
        .replace("standby = \"orders-db-replica\"", "standby = \"no-such-replica\"");
    let aws = support::backend(&toml).await;

    let primary = aws
        .read_region(Side::Primary)
        .await
        .expect("primary reading");
    let services = primary.services.expect("services section");
    assert_eq!(services.len(), 3);
    assert_eq!(services[2], ServiceReading::missing("ghost"));
    assert!(services[0].exists() && services[1].exists());

    let asgs = primary.asgs.expect("asgs section");
    assert_eq!(asgs[0], AsgReading::missing("ghost-asg"));
    assert!(asgs[1].found);

    let groups = primary.target_groups.expect("target groups section");
    assert_eq!(groups[0].error, None);
    let gone = groups[1]
        .error
        .as_deref()
        .expect("error on the missing group's row");
    assert!(
        gone.contains("elasticloadbalancing:DescribeTargetHealth"),
        "{gone}"
    );
    assert!(gone.contains("us-east-1 (primary)"), "{gone}");
    assert!(gone.contains("TargetGroupNotFound"), "{gone}");

    let alarms = primary.alarms.expect("alarms section");
    let missing = alarms
        .iter()
        .find(|a| a.name == "no-such-alarm")
        .expect("listed");
    assert_eq!(missing.state, AlarmState::Missing);

    // The standby's database is missing: its panel says so, the rest of the region reads fine.
    let standby = aws
        .read_region(Side::Standby)
        .await
        .expect("standby reading");
    let db = standby.database.expect("database configured");
    let err = db.expect_err("missing replica");
    assert_eq!(err.kind, ErrorKind::NotFound, "{err}");
    let err = err.to_string();
    assert!(err.contains("rds:DescribeDBInstances"), "{err}");
    assert!(err.contains("DBInstanceNotFound"), "{err}");
    assert!(err.contains("no-such-replica"), "{err}");
    assert!(standby.services.is_ok());

    let global = aws.read_global().await.expect("global reading");
    let checks = global.health_checks.expect("health checks section");
    let deleted = checks
        .iter()
        .find(|c| c.label == "deleted")
        .expect("listed");
    assert_eq!(deleted.healthy, None);
    let e = deleted.error.as_deref().expect("error on the check's row");
    assert!(e.contains("route53:GetHealthCheckStatus"), "{e}");
    assert!(e.contains("NoSuchHealthCheck"), "{e}");
    assert!(checks.iter().filter(|c| c.error.is_none()).count() == 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wrong_cluster_name_is_an_error_on_the_services_panel() {
    let moto = Moto::start();
    let seeded = moto.seed(0);
    let toml = seeded.estate_toml(&Endpoints::both(&moto.url)).replace(
        "standby_cluster = \"orders\"",
        "standby_cluster = \"orders-typo\"",
    );
    let aws = support::backend(&toml).await;
    let standby = aws
        .read_region(Side::Standby)
        .await
        .expect("standby reading");
    let err = standby
        .services
        .expect_err("cluster does not exist")
        .to_string();
    assert!(err.contains("ecs:DescribeServices"), "{err}");
    assert!(err.contains("ClusterNotFoundException"), "{err}");
    assert!(err.contains("orders-typo"), "{err}");
    assert!(err.contains("us-west-2 (standby)"), "{err}");
    // Everything else in the region still reads.
    assert!(standby.asgs.is_ok() && standby.alarms.is_ok());
    assert!(standby.database.expect("configured").is_ok());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hanging_primary_is_unreachable_within_the_timeout() {
    let moto = Moto::start();
    let seeded = moto.seed(0);
    let silent = SilentListener::start();
    let toml = seeded.estate_toml(&Endpoints {
        primary: silent.url.clone(),
        standby: moto.url.clone(),
        call_timeout: "1s",
    });
    let aws = support::backend(&toml).await;

    let started = Instant::now();
    let (primary, standby, global) = tokio::join!(
        async {
            let r = aws.read_region(Side::Primary).await;
            (r, started.elapsed())
        },
        aws.read_region(Side::Standby),
        aws.read_global(),
    );
    let (primary, elapsed) = primary;
    let err = primary.expect_err("the primary never answers");
    eprintln!("primary after {elapsed:?}: {err}");
    assert_eq!(err.kind, ErrorKind::Unreachable, "{err}");
    assert_eq!(err.region, "us-east-1 (primary)");
    assert!(
        elapsed < Duration::from_secs(4),
        "a hanging region must not take longer than its call timeout: {elapsed:?}"
    );

    // The standby and Route 53 (read through the standby's configuration) are unaffected.
    let standby = standby.expect("standby reading");
    assert!(standby.services.is_ok() && standby.asgs.is_ok());
    assert!(standby.database.expect("configured").is_ok());
    let global = global.expect("route53 does not depend on the primary");
    assert!(global.dns.expect("configured").is_ok());
}

//! API calls and wall time of one poll cycle against moto, for 12, 50 and 200 ECS services:
//! the AWS backend (batched, concurrent) beside a naive baseline (one call per resource, one
//! after the other) written here on the SDK directly.
//!
//! `cargo bench --bench aws_poll` (needs the moto virtualenv, see tests/support/moto.rs).

#[path = "../tests/support/moto.rs"]
mod moto;

use std::time::{Duration, Instant};

use aws_config::{BehaviorVersion, Region};
use aws_credential_types::Credentials;
use drconsole::backend::Backend;
use drconsole::backend::aws::AwsBackend;
use drconsole::config::Estate;
use drconsole::model::{Scope, Side};

const CYCLES: u32 = 5;

struct Naive {
    rds: aws_sdk_rds::Client,
    cloudwatch: aws_sdk_cloudwatch::Client,
    ecs: aws_sdk_ecs::Client,
    autoscaling: aws_sdk_autoscaling::Client,
    elb: aws_sdk_elasticloadbalancingv2::Client,
}

impl Naive {
    async fn new(url: &str, region: &str) -> Naive {
        let sdk = aws_config::defaults(BehaviorVersion::latest())
            .region(Region::new(region.to_string()))
            .endpoint_url(url)
            .credentials_provider(Credentials::new("testing", "testing", None, None, "bench"))
            .load()
            .await;
        Naive {
            rds: aws_sdk_rds::Client::new(&sdk),
            cloudwatch: aws_sdk_cloudwatch::Client::new(&sdk),
            ecs: aws_sdk_ecs::Client::new(&sdk),
            autoscaling: aws_sdk_autoscaling::Client::new(&sdk),
            elb: aws_sdk_elasticloadbalancingv2::Client::new(&sdk),
        }
    }

    /// The same region reading, one call per resource, sequentially. Returns the calls made.
    async fn cycle(&self, estate: &Estate, side: Side) -> u64 {
        let mut calls = 0;
        let db = estate.database.as_ref().expect("database");
        let id = match side {
            Side::Primary => &db.primary,
            Side::Standby => &db.standby,
        };
        let _ = self
            .rds
            .describe_db_instances()
            .db_instance_identifier(id)
            .send()
            .await
            .expect("describe db");
        calls += 1;
        let now = std::time::SystemTime::now();
        let metric = aws_sdk_cloudwatch::types::Metric::builder()
            .namespace("AWS/RDS")
            .metric_name("ReplicaLag")
            .dimensions(
                aws_sdk_cloudwatch::types::Dimension::builder()
                    .name("DBInstanceIdentifier")
                    .value(id)
                    .build(),
            )
            .build();
        let _ = self
            .cloudwatch
            .get_metric_data()
            .start_time((now - Duration::from_secs(300)).into())
            .end_time(now.into())
            .metric_data_queries(
                aws_sdk_cloudwatch::types::MetricDataQuery::builder()
                    .id("lag")
                    .metric_stat(
                        aws_sdk_cloudwatch::types::MetricStat::builder()
                            .metric(metric)
                            .period(60)
                            .stat("Maximum")
                            .build(),
                    )
                    .build(),
            )
            .send()
            .await
            .expect("metric data");
        calls += 1;
        let ecs = estate.ecs.as_ref().expect("ecs");
        for s in estate.services() {
            let _ = self
                .ecs
                .describe_services()
                .cluster(ecs.cluster(side))
                .services(&s.name)
                .send()
                .await
                .expect("describe service");
            calls += 1;
        }
        for a in &estate.asgs {
            let _ = self
                .autoscaling
                .describe_auto_scaling_groups()
                .auto_scaling_group_names(a.name_in(side))
                .send()
                .await
                .expect("describe asg");
            calls += 1;
        }
        for t in &estate.target_groups {
            let _ = self
                .elb
                .describe_target_health()
                .target_group_arn(t.arn(side))
                .send()
                .await
                .expect("target health");
            calls += 1;
        }
        for a in estate.alarms.iter().filter(|a| a.region == side) {
            let _ = self
                .cloudwatch
                .describe_alarms()
                .alarm_names(&a.name)
                .send()
                .await
                .expect("describe alarm");
            calls += 1;
        }
        calls
    }
}

fn ms(d: Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1000.0)
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    println!(
        "poll cycle per region against moto ({CYCLES} cycles each, median wall time)\n\
         {:>8} | {:>14} {:>14} {:>12} | {:>14} {:>12}",
        "services", "backend calls", "of which ECS", "backend", "naive calls", "naive"
    );
    for n in [12usize, 50, 200] {
        let server = moto::Moto::start();
        let seeded = server.seed(n);
        let toml = seeded.estate_toml(&moto::Endpoints::both(&server.url));
        let estate = Estate::parse(&toml, "bench.toml").expect("estate");
        let aws = AwsBackend::connect(&estate).await;
        let naive = Naive::new(&server.url, &seeded.primary_region).await;

        // Warm up both (connections, moto's lazy backends).
        aws.read_region(Side::Primary).await.expect("read");
        naive.cycle(&estate, Side::Primary).await;

        let counter = aws.calls(Scope::Region(Side::Primary));
        let mut backend_times = Vec::new();
        let mut backend_calls = Vec::new();
        let mut ecs_calls = Vec::new();
        for _ in 0..CYCLES {
            counter.reset();
            let t = Instant::now();
            let r = aws.read_region(Side::Primary).await.expect("read");
            backend_times.push(t.elapsed());
            let services = r.services.expect("services");
            assert_eq!(services.len(), n);
            assert!(services.iter().all(|s| s.exists()));
            backend_calls.push(counter.total());
            ecs_calls.push(
                counter
                    .snapshot()
                    .get("ECS.DescribeServices")
                    .copied()
                    .unwrap_or(0),
            );
        }
        let mut naive_times = Vec::new();
        let mut naive_calls = 0;
        for _ in 0..CYCLES {
            let t = Instant::now();
            naive_calls = naive.cycle(&estate, Side::Primary).await;
            naive_times.push(t.elapsed());
        }
        backend_times.sort();
        naive_times.sort();
        let minimum_ecs = n.div_ceil(10) as u64;
        assert!(
            ecs_calls.iter().all(|c| *c == minimum_ecs),
            "DescribeServices calls per cycle {ecs_calls:?}, expected {minimum_ecs}"
        );
        assert!(backend_calls.windows(2).all(|w| w[0] == w[1]));
        println!(
            "{:>8} | {:>14} {:>14} {:>12} | {:>14} {:>12}",
            n,
            backend_calls[0],
            ecs_calls[0],
            ms(backend_times[backend_times.len() / 2]),
            naive_calls,
            ms(naive_times[naive_times.len() / 2]),
        );
    }
}

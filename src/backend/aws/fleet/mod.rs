//! A region group read once for all of its estates: the calls of a poll cycle grow with the
//! number of resources, not with the number of estates.
//!
//! Per group (one profile, region and endpoint), all at once:
//! - RDS: one `DescribeDBInstances` per 100 instances (the `db-instance-id` filter); Aurora
//!   clusters are read per estate (`DescribeDBClusters` + `DescribeGlobalClusters`);
//! - CloudWatch: one `GetMetricData` per 500 lag queries, one `DescribeAlarms` per 100 names;
//! - ECS: `DescribeServices` by 10 per cluster, the services of every estate in a cluster
//!   merged;
//! - Auto Scaling: one `DescribeAutoScalingGroups` per 100 names;
//! - ELBv2: one `DescribeTargetHealth` per distinct target group.
//!
//! Each call asks only for the members that want its part this cycle (the poller reads ECS
//! services and target health in turn, see `poll::fleet`); a part not asked for is `not
//! read`, as in `AwsBackend::read_parts`.
//!
//! Then each estate gets the reading its own backend would have made: the same sections,
//! the same errors (a failed batch fails that section for every estate in it), and the same
//! rule that a side is unreachable only when every call it needed failed to connect.

mod ask;
mod share;

use std::collections::HashMap;
use std::sync::Arc;

use async_trait::async_trait;

use super::{AwsBackend, SharedReads, route53_read};
use crate::backend::fleet::{FleetBackend, GlobalGroup, RegionGroup, global_groups, region_groups};
use crate::backend::{Backend, BackendError, ErrorKind};
use crate::config::Estate;
use crate::model::{
    AlarmReading, AsgReading, DbReading, GlobalReading, Parts, RegionReading, ServiceReading,
    TargetGroupReading,
};

pub struct AwsFleet {
    backends: Vec<Arc<AwsBackend>>,
    groups: Vec<RegionGroup>,
    global: Vec<GlobalGroup>,
    shared: Arc<SharedReads>,
}

impl AwsFleet {
    /// Builds every estate's clients; makes no network call. The estates share one
    /// [`SharedReads`]: identities by credential set, and what is known of Route 53 zones.
    pub async fn connect(estates: &[Estate]) -> AwsFleet {
        let shared = SharedReads::new();
        let mut backends = Vec::with_capacity(estates.len());
        for e in estates {
            backends.push(Arc::new(
                AwsBackend::connect_shared(e, shared.clone()).await,
            ));
        }
        AwsFleet {
            groups: region_groups(estates),
            global: global_groups(estates),
            shared,
            backends,
        }
    }

    /// The estate's own AWS backend (its call counters).
    pub fn aws(&self, estate: usize) -> &AwsBackend {
        &self.backends[estate]
    }
}

type Shared<T> = Result<T, BackendError>;

/// What one group's batched calls answered.
pub(super) struct Answers {
    pub(super) instances: Option<Shared<HashMap<String, DbReading>>>,
    pub(super) clusters: Vec<Option<Shared<DbReading>>>,
    pub(super) lag: Option<Shared<HashMap<String, Option<f64>>>>,
    pub(super) services: HashMap<String, Shared<HashMap<String, ServiceReading>>>,
    pub(super) asgs: Option<Shared<HashMap<String, AsgReading>>>,
    pub(super) targets: HashMap<String, (TargetGroupReading, Option<ErrorKind>)>,
    pub(super) alarms: Option<Shared<HashMap<String, AlarmReading>>>,
}

#[async_trait]
impl FleetBackend for AwsFleet {
    fn backend(&self, estate: usize) -> Arc<dyn Backend> {
        self.backends[estate].clone()
    }

    fn groups(&self) -> &[RegionGroup] {
        &self.groups
    }

    async fn read_group_parts(
        &self,
        group: usize,
        parts: &[Parts],
    ) -> Vec<Result<RegionReading, BackendError>> {
        let Some(g) = self.groups.get(group) else {
            return Vec::new();
        };
        let Some(first) = g.members.first() else {
            return Vec::new();
        };
        let want = |i: usize| parts.get(i).copied().unwrap_or(Parts::REGION).normalized();
        // S3 and ECR readiness are per estate (their own cadence and cache), read beside the
        // group's batched answers, for every member that is read.
        let (answers, replicated) = futures::join!(
            self.ask(&g.members, &want, *first),
            futures::future::join_all(g.members.iter().enumerate().map(|(i, m)| async move {
                if want(i).is_empty() {
                    None
                } else {
                    self.backends[m.estate].read_replicated(m.side).await
                }
            }))
        );
        g.members
            .iter()
            .zip(replicated)
            .enumerate()
            .map(|(i, (m, replicated))| {
                if want(i).is_empty() {
                    return Ok(RegionReading::unread(false));
                }
                let mut r = self.reading_of(*m, i, want(i), &answers)?;
                r.replicated = replicated;
                Ok(r)
            })
            .collect()
    }

    fn global_groups(&self) -> &[GlobalGroup] {
        &self.global
    }

    /// One read of Route 53 for every estate of the group, through the first estate's
    /// clients (they share the standby's profile and endpoint).
    async fn read_global_group(&self, group: usize) -> Vec<Result<GlobalReading, BackendError>> {
        let Some(g) = self.global.get(group) else {
            return Vec::new();
        };
        let Some(first) = g.estates.first() else {
            return Vec::new();
        };
        let wanted: Vec<route53_read::Wanted<'_>> = g
            .estates
            .iter()
            .map(|e| {
                let estate = &self.backends[*e].estate;
                route53_read::Wanted {
                    dns: estate.dns.as_ref(),
                    checks: &estate.health_checks,
                    parts: Parts::GLOBAL,
                }
            })
            .collect();
        route53_read::read(&self.backends[*first].global, &self.shared, &wanted).await
    }
}

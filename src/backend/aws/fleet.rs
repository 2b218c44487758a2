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

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use async_trait::async_trait;

use super::cloudwatch::{self, MetricQuery};
use super::read::{all_unreachable, kind_of, section};
use super::{AwsBackend, asg, ecs, elb, rds};
use crate::backend::fleet::{FleetBackend, Member, RegionGroup, region_groups};
use crate::backend::{Backend, BackendError, ErrorKind};
use crate::config::{DatabaseKind, Estate};
use crate::model::{
    AlarmReading, AlarmState, AsgReading, DbReading, DbRole, Lag, Parts, RegionReading,
    SectionError, ServiceReading, Side, TargetGroupReading,
};

/// `GetMetricData` takes at most 500 queries.
const METRIC_BATCH: usize = 500;

pub struct AwsFleet {
    backends: Vec<Arc<AwsBackend>>,
    groups: Vec<RegionGroup>,
}

impl AwsFleet {
    /// Builds every estate's clients; makes no network call.
    pub async fn connect(estates: &[Estate]) -> color_eyre::Result<AwsFleet> {
        let mut backends = Vec::with_capacity(estates.len());
        for e in estates {
            backends.push(Arc::new(AwsBackend::connect(e).await?));
        }
        Ok(AwsFleet {
            groups: region_groups(estates),
            backends,
        })
    }

    /// The estate's own AWS backend (its call counters).
    pub fn aws(&self, estate: usize) -> &AwsBackend {
        &self.backends[estate]
    }
}

type Shared<T> = Result<T, BackendError>;

/// What one group's batched calls answered.
struct Answers {
    instances: Option<Shared<HashMap<String, DbReading>>>,
    clusters: Vec<Option<Shared<DbReading>>>,
    lag: Option<Shared<HashMap<String, Option<f64>>>>,
    services: HashMap<String, Shared<HashMap<String, ServiceReading>>>,
    asgs: Option<Shared<HashMap<String, AsgReading>>>,
    targets: HashMap<String, (TargetGroupReading, Option<ErrorKind>)>,
    alarms: Option<Shared<HashMap<String, AlarmReading>>>,
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
}

impl AwsFleet {
    fn estate(&self, m: Member) -> &Estate {
        &self.backends[m.estate].estate
    }

    /// Every call of the group, at once, through the first member's clients (they share the
    /// credentials, region and endpoint).
    async fn ask(
        &self,
        members: &[Member],
        want: &(dyn Fn(usize) -> Parts + Sync),
        first: Member,
    ) -> Answers {
        let c = self.backends[first.estate].clients(first.side);
        let mut instances: Vec<&str> = Vec::new();
        let mut queries: Vec<MetricQuery> = Vec::new();
        let mut services: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
        let mut asgs: Vec<&str> = Vec::new();
        let mut groups: Vec<(&str, &str)> = Vec::new();
        let mut alarms: Vec<&str> = Vec::new();
        for (i, m) in members.iter().enumerate() {
            let e = self.estate(*m);
            let want = want(i);
            if let Some(db) = e
                .database
                .as_ref()
                .filter(|_| want.contains(Parts::DATABASE))
            {
                let id = match m.side {
                    Side::Primary => db.primary.as_str(),
                    Side::Standby => db.standby.as_str(),
                };
                if db.kind == DatabaseKind::RdsReplica {
                    push_new(&mut instances, id);
                    if want.contains(Parts::LAG) && !queries.iter().any(|q| q.value == id) {
                        queries.push(MetricQuery::replica_lag(id));
                    }
                }
            }
            if let Some(ecs) = e.ecs.as_ref().filter(|_| want.contains(Parts::SERVICES)) {
                let names = services.entry(ecs.cluster(m.side)).or_default();
                for s in e.services() {
                    push_new(names, s.name.as_str());
                }
            }
            for a in e.asgs.iter().filter(|_| want.contains(Parts::ASGS)) {
                push_new(&mut asgs, a.name_in(m.side));
            }
            for t in e
                .target_groups
                .iter()
                .filter(|_| want.contains(Parts::TARGETS))
            {
                let arn = t.arn(m.side);
                if !groups.iter().any(|(_, a)| *a == arn) {
                    groups.push((t.name.as_str(), arn));
                }
            }
            for a in e.alarms.iter().filter(|a| a.region == m.side) {
                if !want.contains(Parts::ALARMS) {
                    break;
                }
                push_new(&mut alarms, a.name.as_str());
            }
        }
        let instances_read =
            async { (!instances.is_empty()).then_some(rds::read_instances(c, &instances).await) };
        let clusters_read =
            futures::future::join_all(members.iter().enumerate().map(|(i, m)| async move {
                let want = want(i);
                match &self.estate(*m).database {
                    Some(db)
                        // Aurora clusters and backup-restore databases (a vault and a
                        // restore job beside the instance) are read per estate.
                        if db.kind != DatabaseKind::RdsReplica
                            && want.contains(Parts::DATABASE) =>
                    {
                        self.backends[m.estate]
                            .read_database(m.side, want.contains(Parts::LAG))
                            .await
                    }
                    _ => None,
                }
            }));
        let lag_read = async {
            if queries.is_empty() {
                return None;
            }
            let reads = queries
                .chunks(METRIC_BATCH)
                .map(|batch| cloudwatch::latest_values(c, batch));
            let mut values = HashMap::new();
            for (batch, answer) in queries
                .chunks(METRIC_BATCH)
                .zip(futures::future::join_all(reads).await)
            {
                match answer {
                    Ok(v) => values.extend(batch.iter().map(|q| q.value.clone()).zip(v)),
                    Err(e) => return Some(Err(e)),
                }
            }
            Some(Ok(values))
        };
        let services_read =
            futures::future::join_all(services.iter().map(|(cluster, names)| async move {
                let read = ecs::read_services(c, cluster, names).await.map(|list| {
                    list.into_iter()
                        .map(|s| (s.name.clone(), s))
                        .collect::<HashMap<_, _>>()
                });
                (cluster.to_string(), read)
            }));
        let asgs_read = async {
            (!asgs.is_empty()).then_some(asg::read_asgs(c, &asgs).await.map(|list| {
                list.into_iter()
                    .map(|a| (a.name.clone(), a))
                    .collect::<HashMap<_, _>>()
            }))
        };
        let alarms_read = async {
            (!alarms.is_empty()).then_some(cloudwatch::read_alarms(c, &alarms).await.map(|list| {
                list.into_iter()
                    .map(|a| (a.name.clone(), a))
                    .collect::<HashMap<_, _>>()
            }))
        };
        let (instances, clusters, lag, services, asgs_r, targets, alarms_r) = futures::join!(
            instances_read,
            clusters_read,
            lag_read,
            services_read,
            asgs_read,
            elb::read_target_groups(c, &groups),
            alarms_read,
        );
        Answers {
            instances,
            clusters,
            lag,
            services: services.into_iter().collect(),
            asgs: asgs_r,
            targets: groups
                .iter()
                .map(|(_, arn)| arn.to_string())
                .zip(targets)
                .collect(),
            alarms: alarms_r,
        }
    }

    /// Member `m`'s share of the answers: what its own backend's read would have returned.
    fn reading_of(
        &self,
        m: Member,
        index: usize,
        want: Parts,
        a: &Answers,
    ) -> Result<RegionReading, BackendError> {
        let backend = &self.backends[m.estate];
        let e = self.estate(m);
        let c = backend.clients(m.side);
        let mut outcomes: Vec<Option<ErrorKind>> = Vec::new();
        let mut first_error: Option<BackendError> = None;
        let mut note = |r: &Result<(), BackendError>| {
            outcomes.push(kind_of(r));
            if let (Err(err), None) = (r, &first_error) {
                first_error = Some(err.clone());
            }
        };

        let database = e
            .database
            .as_ref()
            .filter(|_| want.contains(Parts::DATABASE))
            .map(|db| {
                let r: Result<DbReading, BackendError> = match db.kind {
                    DatabaseKind::AuroraGlobal | DatabaseKind::BackupRestore => a
                        .clusters
                        .get(index)
                        .cloned()
                        .flatten()
                        .unwrap_or_else(|| Err(not_read(c, "rds:DescribeDBClusters"))),
                    DatabaseKind::RdsReplica => {
                        let id = match m.side {
                            Side::Primary => db.primary.as_str(),
                            Side::Standby => db.standby.as_str(),
                        };
                        match &a.instances {
                            Some(Ok(found)) => match found.get(id) {
                                Some(r) => Ok(with_lag(
                                    r.clone(),
                                    a.lag.as_ref().filter(|_| want.contains(Parts::LAG)),
                                    id,
                                )),
                                None => Err(BackendError::new(
                                    ErrorKind::NotFound,
                                    &c.label,
                                    "rds:DescribeDBInstances",
                                    id,
                                    format!("DBInstanceNotFound: DBInstance {id} not found."),
                                )
                                .with_code("DBInstanceNotFound")),
                            },
                            Some(Err(err)) => Err(err.clone()),
                            None => Err(not_read(c, "rds:DescribeDBInstances")),
                        }
                    }
                };
                note(&r.as_ref().map(|_| ()).map_err(Clone::clone));
                r
            });

        let services = e
            .ecs
            .as_ref()
            .filter(|_| !e.services().is_empty() && want.contains(Parts::SERVICES))
            .map(|ecs| {
                let r = match a.services.get(ecs.cluster(m.side)) {
                    Some(Ok(found)) => Ok(e
                        .services()
                        .iter()
                        .map(|s| {
                            found
                                .get(&s.name)
                                .cloned()
                                .unwrap_or_else(|| ServiceReading::missing(&s.name))
                        })
                        .collect::<Vec<_>>()),
                    Some(Err(err)) => Err(err.clone()),
                    None => Err(not_read(c, "ecs:DescribeServices")),
                };
                note(&r.as_ref().map(|_| ()).map_err(Clone::clone));
                r
            });

        let asgs = (!e.asgs.is_empty() && want.contains(Parts::ASGS)).then(|| {
            let r = match &a.asgs {
                Some(Ok(found)) => Ok(e
                    .asgs
                    .iter()
                    .map(|g| {
                        let name = g.name_in(m.side);
                        found
                            .get(name)
                            .cloned()
                            .unwrap_or_else(|| AsgReading::missing(name))
                    })
                    .collect::<Vec<_>>()),
                Some(Err(err)) => Err(err.clone()),
                None => Err(not_read(c, "autoscaling:DescribeAutoScalingGroups")),
            };
            note(&r.as_ref().map(|_| ()).map_err(Clone::clone));
            r
        });

        let mine: Vec<&str> = e
            .alarms
            .iter()
            .filter(|x| x.region == m.side)
            .map(|x| x.name.as_str())
            .collect();
        let alarms = (!mine.is_empty() && want.contains(Parts::ALARMS)).then(|| {
            let r = match &a.alarms {
                Some(Ok(found)) => Ok(mine
                    .iter()
                    .map(|n| {
                        found.get(*n).cloned().unwrap_or(AlarmReading {
                            name: n.to_string(),
                            state: AlarmState::Missing,
                        })
                    })
                    .collect::<Vec<_>>()),
                Some(Err(err)) => Err(err.clone()),
                None => Err(not_read(c, "cloudwatch:DescribeAlarms")),
            };
            note(&r.as_ref().map(|_| ()).map_err(Clone::clone));
            r
        });

        let mut targets = Vec::new();
        for t in e
            .target_groups
            .iter()
            .filter(|_| want.contains(Parts::TARGETS))
        {
            let (mut r, kind) = a
                .targets
                .get(t.arn(m.side))
                .cloned()
                .unwrap_or_else(|| (missing_group(&t.name), Some(ErrorKind::Other)));
            r.name = t.name.clone();
            outcomes.push(kind);
            targets.push(r);
        }

        if outcomes.contains(&Some(ErrorKind::Credentials)) {
            backend.credentials_failed(m.side);
        }
        if all_unreachable(&outcomes) {
            let message = first_error
                .map(|e| e.message)
                .unwrap_or_else(|| "no answer from any call".into());
            return Err(BackendError::new(
                ErrorKind::Unreachable,
                &c.label,
                "read",
                "",
                format!("region unreachable: every call failed: {message}"),
            ));
        }
        // A part not asked for stays "not read"; one asked for with nothing to read is empty.
        fn or_empty<T>(want: Parts, p: Parts) -> Result<Vec<T>, SectionError> {
            if want.contains(p) {
                Ok(Vec::new())
            } else {
                unread()
            }
        }
        Ok(RegionReading {
            database: match database {
                Some(d) => Some(section(d)),
                None if e.database.is_some() => Some(unread()),
                None => None,
            },
            services: services
                .map(section)
                .unwrap_or_else(|| or_empty(want, Parts::SERVICES)),
            asgs: asgs
                .map(section)
                .unwrap_or_else(|| or_empty(want, Parts::ASGS)),
            target_groups: if want.contains(Parts::TARGETS) {
                Ok(targets)
            } else {
                unread()
            },
            alarms: alarms
                .map(section)
                .unwrap_or_else(|| or_empty(want, Parts::ALARMS)),
            replicated: None,
        })
    }
}

fn unread<T>() -> Result<T, SectionError> {
    Err(SectionError::not_read())
}

fn push_new<'a>(list: &mut Vec<&'a str>, item: &'a str) {
    if !list.contains(&item) {
        list.push(item);
    }
}

/// A part the group's read did not cover (it cannot happen: every member's resources are
/// asked for); said plainly rather than shown as empty.
fn not_read(c: &super::clients::RegionClients, operation: &str) -> BackendError {
    BackendError::new(ErrorKind::Other, &c.label, operation, "", "not read")
}

fn missing_group(name: &str) -> TargetGroupReading {
    TargetGroupReading {
        name: name.to_string(),
        error: Some("not read".into()),
        healthy: 0,
        unhealthy: 0,
        other: 0,
        registered: Vec::new(),
    }
}

/// The replica's lag from the group's metric answer; a writer has none, a failed metric
/// read is no data (as for one estate).
fn with_lag(
    mut r: DbReading,
    lag: Option<&Shared<HashMap<String, Option<f64>>>>,
    id: &str,
) -> DbReading {
    r.lag = match (&r.role, lag) {
        (DbRole::Writer, _) | (_, None) | (_, Some(Err(_))) => Lag::NoData,
        (_, Some(Ok(values))) => Lag::from_metric(values.get(id).copied().flatten()),
    };
    r
}

//! The calls of one region group's cycle, made once for all of its members.

use std::collections::{BTreeMap, HashMap};

use super::super::cloudwatch::{self, MetricQuery};
use super::super::{asg, ecs, elb, rds};
use super::{Answers, AwsFleet};
use crate::backend::fleet::Member;
use crate::config::{DatabaseKind, Estate};
use crate::model::{Parts, Side};

/// `GetMetricData` takes at most 500 queries.
const METRIC_BATCH: usize = 500;

impl AwsFleet {
    pub(super) fn estate(&self, m: Member) -> &Estate {
        &self.backends[m.estate].estate
    }

    /// Every call of the group, at once, through the first member's clients (they share the
    /// credentials, region and endpoint).
    pub(super) async fn ask(
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
        // The global databases of every Aurora member: one DescribeGlobalClusters.
        let mut global_ids: Vec<&str> = Vec::new();
        for (i, m) in members.iter().enumerate() {
            if let Some(db) = &self.estate(*m).database
                && db.kind == DatabaseKind::AuroraGlobal
                && want(i).contains(Parts::DATABASE)
            {
                push_new(
                    &mut global_ids,
                    db.global_cluster.as_deref().unwrap_or_default(),
                );
            }
        }
        let clusters_read = async {
            let globals = match global_ids.as_slice() {
                [] => None,
                ids => Some(rds::describe_globals(c, ids).await),
            };
            let globals = globals.as_ref();
            futures::future::join_all(members.iter().enumerate().map(|(i, m)| async move {
                let want = want(i);
                match &self.estate(*m).database {
                    Some(db)
                        // Aurora clusters and backup-restore databases (a vault and a
                        // restore job beside the instance) are read per estate, Aurora's
                        // global databases once for the group.
                        if db.kind != DatabaseKind::RdsReplica
                            && want.contains(Parts::DATABASE) =>
                    {
                        self.backends[m.estate]
                            .read_database_sharing(m.side, want.contains(Parts::LAG), globals)
                            .await
                    }
                    _ => None,
                }
            }))
            .await
        };
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
}

fn push_new<'a>(list: &mut Vec<&'a str>, item: &'a str) {
    if !list.contains(&item) {
        list.push(item);
    }
}

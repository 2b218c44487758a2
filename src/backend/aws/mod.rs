//! AWS backend on the official SDK crates.
//!
//! One client set per region (its profile, its endpoint, bounded timeouts); Route 53 goes through
//! the standby's configuration so that failover never depends on the failed region. A poll cycle
//! sends all of its calls at once and batches where AWS allows (ten ECS services per call, every
//! ASG in one call, every metric of a region in one `GetMetricData`). Each section of a reading
//! carries its own error; a region whose every call fails to connect is reported unreachable.

mod asg;
mod clients;
mod cloudwatch;
mod ecs;
mod elb;
mod endpoint;
mod errors;
mod iam;
mod rds;
mod route53;

use std::collections::BTreeMap;

use async_trait::async_trait;

pub use clients::CallCounter;
pub use iam::iam_policy;

use self::clients::{GlobalClients, RegionClients};
use self::cloudwatch::MetricQuery;
use crate::backend::{Action, ActionOutcome, Backend, BackendError, EndpointStore, ErrorKind};
use crate::config::{DatabaseKind, Estate};
use crate::model::{
    DbReading, DbRole, GlobalReading, Lag, RegionReading, Scope, Section, SectionError, Side,
};

pub struct AwsBackend {
    estate: Estate,
    primary: RegionClients,
    standby: RegionClients,
    global: GlobalClients,
    /// The same clients with one attempt per call: every change goes through these.
    primary_changes: RegionClients,
    standby_changes: RegionClients,
    global_changes: GlobalClients,
    counters: [CallCounter; 3],
    mode: String,
}

/// What the header shows: regions, profiles and endpoints (no network call needed).
fn mode_of(estate: &Estate) -> String {
    let region = |side: Side| {
        let r = estate.region(side);
        let mut s = r.region.to_string();
        match &r.profile {
            Some(p) => s.push_str(&format!(" profile {p}")),
            None => s.push_str(" default credentials"),
        }
        if let Some(url) = &r.endpoint_url {
            s.push_str(&format!(" via {url}"));
        }
        s
    };
    format!("AWS {} · {}", region(Side::Primary), region(Side::Standby))
}

/// Outcome of one section for the "is the whole region down?" decision.
fn kind_of<T>(r: &Result<T, BackendError>) -> Option<ErrorKind> {
    r.as_ref().err().map(|e| e.kind)
}

fn section<T>(r: Result<T, BackendError>) -> Section<T> {
    r.map_err(SectionError::from)
}

/// The error to report when every call of a scope failed to reach AWS.
fn all_unreachable(outcomes: &[Option<ErrorKind>]) -> bool {
    !outcomes.is_empty() && outcomes.iter().all(|o| *o == Some(ErrorKind::Unreachable))
}

impl AwsBackend {
    /// Builds the clients; makes no network call.
    pub async fn connect(estate: &Estate) -> color_eyre::Result<AwsBackend> {
        let counters: [CallCounter; 3] = Default::default();
        let ((primary, primary_changes), (standby, standby_changes), (global, global_changes)) = futures::join!(
            clients::region_clients(estate, Side::Primary, &counters[0]),
            clients::region_clients(estate, Side::Standby, &counters[1]),
            clients::global_clients(estate, &counters[2]),
        );
        Ok(AwsBackend {
            estate: estate.clone(),
            primary,
            standby,
            global,
            primary_changes,
            standby_changes,
            global_changes,
            counters,
            mode: mode_of(estate),
        })
    }

    /// HTTP attempts made so far to a region (or to Route 53 for `Scope::Global`), by operation.
    pub fn calls(&self, scope: Scope) -> &CallCounter {
        match scope {
            Scope::Region(Side::Primary) => &self.counters[0],
            Scope::Region(Side::Standby) => &self.counters[1],
            Scope::Global => &self.counters[2],
        }
    }

    fn clients(&self, side: Side) -> &RegionClients {
        match side {
            Side::Primary => &self.primary,
            Side::Standby => &self.standby,
        }
    }

    /// The clients that make changes in `side`: one attempt per call.
    fn changes(&self, side: Side) -> &RegionClients {
        match side {
            Side::Primary => &self.primary_changes,
            Side::Standby => &self.standby_changes,
        }
    }

    /// The database of `side` with its lag, from one describe call and one `GetMetricData`.
    async fn read_database(&self, side: Side) -> Option<Result<DbReading, BackendError>> {
        let db = self.estate.database.as_ref()?;
        let c = self.clients(side);
        let id = match side {
            Side::Primary => db.primary.as_str(),
            Side::Standby => db.standby.as_str(),
        };
        let result = match db.kind {
            DatabaseKind::RdsReplica => {
                let queries = [MetricQuery::replica_lag(id)];
                let (reading, lag) = futures::join!(
                    rds::read_instance(c, id),
                    cloudwatch::latest_values(c, &queries)
                );
                reading.map(|r| with_lag(r, lag))
            }
            DatabaseKind::AuroraGlobal => {
                let global = db.global_cluster.as_deref().unwrap_or_default();
                let queries = [MetricQuery::aurora_global_lag(id)];
                let (reading, lag) = futures::join!(
                    rds::read_cluster(c, id, global),
                    cloudwatch::latest_values(c, &queries)
                );
                reading.map(|r| with_lag(r, lag))
            }
        };
        Some(result)
    }
}

/// Lag belongs to a replica; a writer has none. A failed metric read is shown as no data
/// (the database panel itself is still right).
fn with_lag(mut r: DbReading, lag: Result<Vec<Option<f64>>, BackendError>) -> DbReading {
    r.lag = match (&r.role, lag) {
        (DbRole::Writer, _) => Lag::NoData,
        (_, Ok(values)) => Lag::from_metric(values.first().copied().flatten()),
        (_, Err(_)) => Lag::NoData,
    };
    r
}

#[async_trait]
impl Backend for AwsBackend {
    fn mode(&self) -> String {
        self.mode.clone()
    }

    async fn read_region(&self, side: Side) -> Result<RegionReading, BackendError> {
        let c = self.clients(side);
        let estate = &self.estate;
        let ecs = estate.ecs.as_ref();
        let services: Vec<&str> = estate.services().iter().map(|s| s.name.as_str()).collect();
        let asgs: Vec<&str> = estate.asgs.iter().map(|a| a.name_in(side)).collect();
        let groups: Vec<(&str, &str)> = estate
            .target_groups
            .iter()
            .map(|t| (t.name.as_str(), t.arn(side)))
            .collect();
        let alarms: Vec<&str> = estate
            .alarms
            .iter()
            .filter(|a| a.region == side)
            .map(|a| a.name.as_str())
            .collect();

        let services_read = async {
            match ecs {
                Some(e) if !services.is_empty() => {
                    Some(ecs::read_services(c, e.cluster(side), &services).await)
                }
                _ => None,
            }
        };
        let asgs_read = async {
            if asgs.is_empty() {
                None
            } else {
                Some(asg::read_asgs(c, &asgs).await)
            }
        };
        let alarms_read = async {
            if alarms.is_empty() {
                None
            } else {
                Some(cloudwatch::read_alarms(c, &alarms).await)
            }
        };
        let (database, services_r, asgs_r, groups_r, alarms_r) = futures::join!(
            self.read_database(side),
            services_read,
            asgs_read,
            elb::read_target_groups(c, &groups),
            alarms_read,
        );

        let mut outcomes: Vec<Option<ErrorKind>> = Vec::new();
        if let Some(d) = &database {
            outcomes.push(kind_of(d));
        }
        for r in [
            services_r.as_ref().map(kind_of),
            asgs_r.as_ref().map(kind_of),
        ]
        .into_iter()
        .flatten()
        {
            outcomes.push(r);
        }
        if let Some(a) = &alarms_r {
            outcomes.push(kind_of(a));
        }
        outcomes.extend(groups_r.iter().map(|(_, k)| *k));
        if all_unreachable(&outcomes) {
            let first = [
                database.as_ref().and_then(|d| d.as_ref().err()),
                services_r.as_ref().and_then(|d| d.as_ref().err()),
                asgs_r.as_ref().and_then(|d| d.as_ref().err()),
                alarms_r.as_ref().and_then(|d| d.as_ref().err()),
            ]
            .into_iter()
            .flatten()
            .next()
            .cloned();
            let message = first
                .as_ref()
                .map(|e| e.message.clone())
                .unwrap_or_else(|| "no answer from any call".into());
            return Err(BackendError::new(
                ErrorKind::Unreachable,
                &c.label,
                "read",
                "",
                format!("region unreachable: every call failed: {message}"),
            ));
        }

        Ok(RegionReading {
            database: database.map(section),
            services: services_r.map(section).unwrap_or(Ok(Vec::new())),
            asgs: asgs_r.map(section).unwrap_or(Ok(Vec::new())),
            target_groups: Ok(groups_r.into_iter().map(|(r, _)| r).collect()),
            alarms: alarms_r.map(section).unwrap_or(Ok(Vec::new())),
        })
    }

    async fn read_global(&self) -> Result<GlobalReading, BackendError> {
        let g = &self.global;
        let dns_read = async {
            match &self.estate.dns {
                Some(d) => Some(route53::read_record(g, d).await),
                None => None,
            }
        };
        let (checks, dns) = futures::join!(
            route53::read_health_checks(g, &self.estate.health_checks),
            dns_read
        );
        let mut outcomes: Vec<Option<ErrorKind>> = checks.iter().map(|(_, k)| *k).collect();
        if let Some(d) = &dns {
            outcomes.push(kind_of(d));
        }
        if all_unreachable(&outcomes) {
            let message = dns
                .as_ref()
                .and_then(|d| d.as_ref().err())
                .map(|e| e.message.clone())
                .or_else(|| checks.iter().find_map(|(r, _)| r.error.clone()))
                .unwrap_or_default();
            return Err(BackendError::new(
                ErrorKind::Unreachable,
                &g.label,
                "read",
                "",
                format!("Route 53 unreachable: {message}"),
            ));
        }
        Ok(GlobalReading {
            health_checks: Ok(checks.into_iter().map(|(r, _)| r).collect()),
            dns: dns.map(section),
        })
    }

    async fn act(&self, action: &Action) -> Result<ActionOutcome, BackendError> {
        match action {
            Action::PromoteReplica { side, db } => rds::promote(self.changes(*side), db).await,
            Action::CreateReplica {
                side,
                replica,
                source_arn,
                instance_class,
            } => {
                rds::create_replica(
                    self.changes(*side),
                    replica,
                    source_arn,
                    instance_class.as_deref(),
                )
                .await
            }
            Action::RenameDb { side, from, to } => rds::rename(self.changes(*side), from, to).await,
            Action::GlobalSwitchover {
                global_cluster,
                target_cluster_arn,
                side,
            } => rds::switchover(self.changes(*side), global_cluster, target_cluster_arn).await,
            Action::GlobalFailover {
                global_cluster,
                target_cluster_arn,
                side,
            } => rds::failover(self.changes(*side), global_cluster, target_cluster_arn).await,
            Action::ScaleService {
                side,
                cluster,
                service,
                desired,
            } => ecs::scale(self.changes(*side), cluster, service, *desired).await,
            Action::ForceDeployment {
                side,
                cluster,
                service,
            } => ecs::force_deployment(self.changes(*side), cluster, service).await,
            Action::SetAsgCapacity {
                side,
                asg,
                capacity,
            } => asg::set_capacity(self.changes(*side), asg, *capacity).await,
            Action::RegisterTargets {
                side,
                target_group_arn,
                targets,
                port,
            } => elb::register(self.changes(*side), target_group_arn, targets, *port).await,
            Action::UpsertRecord {
                zone_id,
                record,
                record_type,
                ttl,
                value,
            } => {
                route53::upsert(
                    &self.global_changes,
                    zone_id,
                    record,
                    record_type,
                    *ttl,
                    value,
                )
                .await
            }
            Action::WriteEndpoint { side, store, value } => {
                endpoint::write(self.changes(*side), store, value).await
            }
        }
    }

    async fn dns_change_in_sync(&self, change_id: &str) -> Result<bool, BackendError> {
        route53::change_in_sync(&self.global, change_id).await
    }

    async fn read_endpoint(
        &self,
        side: Side,
        store: &EndpointStore,
    ) -> Result<Option<String>, BackendError> {
        endpoint::read(self.clients(side), store).await
    }

    async fn primary_deployments(
        &self,
        side: Side,
        services: &[String],
    ) -> Result<BTreeMap<String, String>, BackendError> {
        let Some(e) = self.estate.ecs.as_ref() else {
            return Ok(BTreeMap::new());
        };
        let names: Vec<&str> = services.iter().map(String::as_str).collect();
        ecs::primary_deployments(self.clients(side), e.cluster(side), &names).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unreachable_only_when_every_call_failed_to_connect() {
        let u = Some(ErrorKind::Unreachable);
        assert!(all_unreachable(&[u, u]));
        assert!(!all_unreachable(&[u, None]));
        assert!(!all_unreachable(&[u, Some(ErrorKind::NotFound)]));
        assert!(!all_unreachable(&[]));
    }
}

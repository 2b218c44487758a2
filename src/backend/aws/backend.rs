//! The [`Backend`] trait on AWS: a poll's reads of each region and of Route 53, and the changes
//! the runbooks make.

use async_trait::async_trait;

use super::read::{all_unreachable, kind_of, section};
use super::{AwsBackend, asg, cloudwatch, ecs, elb, endpoint, iam, quotas, route53, route53_read};
use crate::backend::{Action, ActionOutcome, Backend, BackendError, EndpointStore, ErrorKind};
use crate::model::{
    GlobalReading, Identity, Parts, Permission, QuotaKind, QuotaReading, RegionReading, Scope,
    SectionError, Side, TaskSize,
};

#[async_trait]
impl Backend for AwsBackend {
    fn mode(&self) -> crate::backend::BackendMode {
        crate::backend::BackendMode::Aws {
            label: self.mode.clone(),
        }
    }

    async fn read_region(&self, side: Side) -> Result<RegionReading, BackendError> {
        let (reading, replicated) = futures::join!(
            self.read_parts(side, Parts::REGION),
            self.read_replicated(side)
        );
        let mut reading = reading?;
        reading.replicated = replicated;
        Ok(reading)
    }

    async fn read_parts(&self, side: Side, parts: Parts) -> Result<RegionReading, BackendError> {
        let parts = parts.normalized();
        let c = self.clients(side);
        let estate = &self.estate;
        let ecs = estate.ecs.as_ref();
        let want = |p: Parts| parts.contains(p);
        let services: Vec<&str> = estate.services().iter().map(|s| s.name.as_str()).collect();
        let asgs: Vec<&str> = estate.asgs.iter().map(|a| a.name_in(side)).collect();
        let groups: Vec<(&str, &str)> = if want(Parts::TARGETS) {
            estate
                .target_groups
                .iter()
                .map(|t| (t.name.as_str(), t.arn(side)))
                .collect()
        } else {
            Vec::new()
        };
        let alarms: Vec<&str> = estate
            .alarms
            .iter()
            .filter(|a| a.region == side)
            .map(|a| a.name.as_str())
            .collect();

        let services_read = async {
            match ecs {
                Some(e) if !services.is_empty() && want(Parts::SERVICES) => {
                    Some(ecs::read_services(c, e.cluster(side), &services).await)
                }
                _ => None,
            }
        };
        let asgs_read = async {
            if asgs.is_empty() || !want(Parts::ASGS) {
                None
            } else {
                Some(asg::read_asgs(c, &asgs).await)
            }
        };
        let alarms_read = async {
            if alarms.is_empty() || !want(Parts::ALARMS) {
                None
            } else {
                Some(cloudwatch::read_alarms(c, &alarms).await)
            }
        };
        let (database, services_r, asgs_r, groups_r, alarms_r) = futures::join!(
            async {
                if want(Parts::DATABASE) {
                    self.read_database(side, want(Parts::LAG)).await
                } else {
                    None
                }
            },
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
        if outcomes.contains(&Some(ErrorKind::Credentials)) {
            self.credentials_failed(side);
        }
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

        // A part not asked for stays "not read"; one asked for with nothing to read is empty.
        Ok(RegionReading {
            database: match database {
                Some(d) => Some(section(d)),
                None if estate.database.is_some() => Some(Err(SectionError::not_read())),
                None => None,
            },
            services: services_r
                .map(section)
                .unwrap_or_else(|| or_empty(want(Parts::SERVICES))),
            asgs: asgs_r
                .map(section)
                .unwrap_or_else(|| or_empty(want(Parts::ASGS))),
            target_groups: if want(Parts::TARGETS) {
                Ok(groups_r.into_iter().map(|(r, _)| r).collect())
            } else {
                Err(SectionError::not_read())
            },
            alarms: alarms_r
                .map(section)
                .unwrap_or_else(|| or_empty(want(Parts::ALARMS))),
            replicated: None,
        })
    }

    async fn identity(&self, side: Side) -> Result<Identity, BackendError> {
        self.identity_of(side).await
    }

    async fn simulate_actions(
        &self,
        side: Side,
        actions: &[Action],
    ) -> Result<Vec<Permission>, BackendError> {
        let identity = self.identity(side).await?;
        iam::simulate::simulate(self.clients(side), &self.estate, &identity, actions).await
    }

    async fn quotas(
        &self,
        side: Side,
        kinds: &[QuotaKind],
    ) -> Result<Vec<QuotaReading>, BackendError> {
        quotas::read_quotas(self.clients(side), side, kinds).await
    }

    async fn task_sizes(
        &self,
        side: Side,
        task_definitions: &[String],
    ) -> Result<Vec<TaskSize>, BackendError> {
        let known = match side {
            Side::Primary => &self.task_sizes[0],
            Side::Standby => &self.task_sizes[1],
        };
        known.get(self.clients(side), task_definitions).await
    }

    fn calls_by_operation(&self) -> Option<std::collections::BTreeMap<String, u64>> {
        let mut all = std::collections::BTreeMap::new();
        for scope in [
            Scope::Region(Side::Primary),
            Scope::Region(Side::Standby),
            Scope::Global,
        ] {
            for (op, n) in self.calls(scope).snapshot() {
                *all.entry(op).or_default() += n;
            }
        }
        Some(all)
    }

    async fn read_global(&self) -> Result<GlobalReading, BackendError> {
        self.read_global_parts(Parts::GLOBAL).await
    }

    async fn read_global_parts(&self, parts: Parts) -> Result<GlobalReading, BackendError> {
        let wanted = route53_read::Wanted {
            dns: self.estate.dns.as_ref(),
            checks: &self.estate.health_checks,
            parts,
        };
        let mut all = route53_read::read(&self.global, &self.shared, &[wanted]).await;
        all.pop().unwrap_or_else(|| {
            Err(BackendError::new(
                ErrorKind::Other,
                &self.global.label,
                "read",
                "",
                "not read",
            ))
        })
    }

    async fn act(&self, action: &Action) -> Result<ActionOutcome, BackendError> {
        // One change, through the clients that make a single attempt (see `act`).
        let result = super::act::acting(self, action).await;
        if let (Err(e), Some(side)) = (&result, action.side())
            && e.kind == ErrorKind::Credentials
        {
            self.credentials_failed(side);
        }
        result
    }

    async fn dns_change_in_sync(&self, change_id: &str) -> Result<bool, BackendError> {
        route53::change_in_sync(&self.global, change_id).await
    }

    async fn read_endpoint(
        &self,
        side: Side,
        store: &EndpointStore,
    ) -> Result<Option<crate::backend::StoredEndpoint>, BackendError> {
        let key = crate::backend::EndpointKey::of(&self.estate);
        endpoint::read(self.clients(side), store, &key).await
    }
}

/// A section asked for with nothing in the estate to read is empty; one not asked for is
/// left not read.
fn or_empty<T>(wanted: bool) -> crate::model::Section<Vec<T>> {
    if wanted {
        Ok(Vec::new())
    } else {
        Err(SectionError::not_read())
    }
}

//! Each member's share of its group's answers: what its own backend's read would have
//! returned.

use std::collections::HashMap;

use super::super::clients::RegionClients;
use super::super::read::{all_unreachable, kind_of, section};
use super::{Answers, AwsFleet, Shared};
use crate::backend::fleet::Member;
use crate::backend::{BackendError, ErrorKind};
use crate::config::DatabaseKind;
use crate::model::{
    AlarmReading, AlarmState, AsgReading, DbReading, DbRole, Lag, Parts, RegionReading,
    SectionError, ServiceReading, Side, TargetGroupReading,
};

impl AwsFleet {
    /// Member `m`'s share of the answers: what its own backend's read would have returned.
    pub(super) fn reading_of(
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

/// A part the group's read did not cover (it cannot happen: every member's resources are
/// asked for); said plainly rather than shown as empty.
fn not_read(c: &RegionClients, operation: &str) -> BackendError {
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

//! AWS confirms what the state files say, with read-only calls: the replica replicates from the
//! primary, each service exists in both clusters, the record points where the state says.
//! `production` capacities are the primary's current settings, `standby` the standby's. The
//! endpoint store is the parameter or secret whose value (or JSON `host`) is the primary's
//! address; the value itself never leaves the backend.

use async_trait::async_trait;

use super::draft::*;
use crate::backend::BackendError;
use crate::config::Capacity;
use crate::model::{ErrorKind, Side};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DbInstanceInfo {
    pub id: String,
    pub arn: String,
    pub address: Option<String>,
    /// `ReadReplicaSourceDBInstanceIdentifier` (an ARN across regions).
    pub source: Option<String>,
    /// `ReadReplicaDBInstanceIdentifiers`.
    pub replicas: Vec<String>,
    pub class: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClusterInfo {
    pub id: String,
    pub endpoint: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordInfo {
    pub name: String,
    pub kind: String,
    pub set_identifier: Option<String>,
    pub failover: Option<String>,
    pub values: Vec<String>,
    pub alias: Option<(String, String)>,
    pub evaluate_target_health: bool,
    pub ttl: Option<i64>,
    pub health_check: Option<String>,
}

/// How a stored value relates to the address looked for; never the value itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StoreMatch {
    /// The whole value is the address.
    Whole,
    /// A JSON object whose string at this key is the address.
    JsonKey(String),
    /// Something else.
    Other,
    /// The parameter or secret does not exist.
    Absent,
}

/// The read-only calls `init` makes; the AWS backend implements it (src/backend/aws/discover).
#[async_trait]
pub trait Reader: Send + Sync {
    /// `None`: no such instance.
    async fn db_instance(
        &self,
        side: Side,
        id: &str,
    ) -> Result<Option<DbInstanceInfo>, BackendError>;
    async fn db_cluster(&self, side: Side, id: &str) -> Result<Option<ClusterInfo>, BackendError>;
    /// The desired count of each named service that exists in the cluster.
    async fn service_counts(
        &self,
        side: Side,
        cluster: &str,
        names: &[String],
    ) -> Result<Vec<(String, u32)>, BackendError>;
    /// Each named group that exists, with its capacity.
    async fn asg_capacities(
        &self,
        side: Side,
        names: &[String],
    ) -> Result<Vec<(String, Capacity)>, BackendError>;
    /// The ARNs among `arns` that exist.
    async fn target_groups(&self, side: Side, arns: &[String])
    -> Result<Vec<String>, BackendError>;
    /// The records named `name` in the zone (every type and set).
    async fn records(&self, zone_id: &str, name: &str) -> Result<Vec<RecordInfo>, BackendError>;
    async fn health_check_exists(&self, id: &str) -> Result<bool, BackendError>;
    /// The alarms among `names` that exist.
    async fn alarms(&self, side: Side, names: &[String]) -> Result<Vec<String>, BackendError>;
    async fn parameter_matches(
        &self,
        side: Side,
        name: &str,
        address: &str,
    ) -> Result<StoreMatch, BackendError>;
    async fn secret_matches(
        &self,
        side: Side,
        name: &str,
        address: &str,
    ) -> Result<StoreMatch, BackendError>;
    async fn backup_vault_exists(&self, side: Side, name: &str) -> Result<bool, BackendError>;
}

/// A failed read that stops `init`: credentials, an unreachable region, a refused permission.
/// A resource that does not exist is not one (it is missing).
fn fatal(e: BackendError) -> Result<(), BackendError> {
    if e.kind == ErrorKind::NotFound {
        Ok(())
    } else {
        Err(e)
    }
}

/// Confirms the draft against AWS, filling capacities and the endpoint store; what AWS does
/// not have becomes missing.
pub async fn confirm(d: &mut Draft, aws: &dyn Reader) -> Result<(), BackendError> {
    database(d, aws).await?;
    ecs(d, aws).await?;
    asgs(d, aws).await?;
    target_groups(d, aws).await?;
    dns(d, aws).await?;
    checks_and_alarms(d, aws).await?;
    Ok(())
}

fn arn_name(arn: &str) -> &str {
    super::pair::arn_name(arn)
}

async fn instance(
    aws: &dyn Reader,
    side: Side,
    id: &str,
) -> Result<Option<DbInstanceInfo>, BackendError> {
    match aws.db_instance(side, id).await {
        Ok(x) => Ok(x),
        Err(e) => fatal(e).map(|()| None),
    }
}

async fn database(d: &mut Draft, aws: &dyn Reader) -> Result<(), BackendError> {
    let (pr, sr) = (d.primary_region.clone(), d.standby_region.clone());
    let Some(db) = d.database.as_mut() else {
        return Ok(());
    };
    let reg = |s: Side| match s {
        Side::Primary => pr.as_str(),
        Side::Standby => sr.as_str(),
    };
    let mut missing = Vec::new();
    let mut address = db.primary_address.clone();
    match db.kind {
        Some(DbKind::AuroraGlobal) => {
            for (side, id) in [(Side::Primary, &db.primary), (Side::Standby, &db.standby)] {
                if id.is_empty() {
                    continue;
                }
                let found = match aws.db_cluster(side, id).await {
                    Ok(x) => x,
                    Err(e) => fatal(e).map(|()| None)?,
                };
                match found {
                    Some(c) => {
                        db.notes
                            .push(Note::Aws(format!("cluster {id} exists in {}", reg(side))));
                        if side == Side::Primary {
                            address = c.endpoint.or(address);
                        }
                    }
                    None => missing.push(Missing {
                        what: format!("DB cluster {id} in {}", reg(side)),
                        looked: format!("rds:DescribeDBClusters in {}", reg(side)),
                    }),
                }
            }
        }
        _ => {
            let primary = instance(aws, Side::Primary, &db.primary).await?;
            match &primary {
                Some(p) => {
                    address = p.address.clone().or(address);
                    db.notes
                        .push(Note::Aws(format!("{} exists in {pr}", db.primary)));
                }
                None => missing.push(Missing {
                    what: format!("the primary database {} in {pr}", db.primary),
                    looked: format!("rds:DescribeDBInstances in {pr}"),
                }),
            }
            match db.kind {
                Some(DbKind::RdsReplica) => {
                    let standby = instance(aws, Side::Standby, &db.standby).await?;
                    match standby {
                        Some(s) => {
                            let source = s.source.clone().unwrap_or_default();
                            let matches = arn_name(&source) == db.primary
                                || primary.as_ref().is_some_and(|p| p.arn == source);
                            if matches {
                                db.notes.push(Note::Aws(format!(
                                    "{} in {sr} replicates from {}",
                                    db.standby, db.primary
                                )));
                            } else {
                                missing.push(Missing {
                                    what: format!(
                                        "a replica of {} in {sr}: {} {}",
                                        db.primary,
                                        db.standby,
                                        if source.is_empty() {
                                            "is not a replica (promoted already?)".to_string()
                                        } else {
                                            format!("replicates from {source}")
                                        }
                                    ),
                                    looked: format!("rds:DescribeDBInstances in {sr}"),
                                });
                            }
                        }
                        None => missing.push(Missing {
                            what: format!("the replica {} in {sr}", db.standby),
                            looked: format!("rds:DescribeDBInstances in {sr}"),
                        }),
                    }
                }
                Some(DbKind::BackupRestore) => {
                    let vault = db.backup_vault.clone().unwrap_or_default();
                    let exists = match aws.backup_vault_exists(Side::Standby, &vault).await {
                        Ok(x) => x,
                        Err(e) => fatal(e).map(|()| false)?,
                    };
                    if exists {
                        db.notes
                            .push(Note::Aws(format!("backup vault {vault} exists in {sr}")));
                    } else {
                        missing.push(Missing {
                            what: format!("backup vault {vault} in {sr}"),
                            looked: format!("backup:DescribeBackupVault in {sr}"),
                        });
                    }
                }
                _ => {
                    // The state has no standby: a cross-region replica AWS knows of.
                    let listed = primary.as_ref().and_then(|p| {
                        p.replicas
                            .iter()
                            .find(|r| super::terraform::arn_region(r) == Some(sr.as_str()))
                            .cloned()
                    });
                    // Listed is not enough: the replica must exist and replicate from it.
                    let mut found = None;
                    if let Some(r) = listed {
                        let here = instance(aws, Side::Standby, arn_name(&r)).await?;
                        if here.is_some_and(|s| {
                            s.source
                                .as_deref()
                                .is_some_and(|x| arn_name(x) == db.primary)
                        }) {
                            found = Some(r);
                        }
                    }
                    if let Some(r) = found {
                        db.kind = Some(DbKind::RdsReplica);
                        db.standby = arn_name(&r).to_string();
                        db.notes.push(Note::Aws(format!(
                            "{} lists the replica {r} (not in the state files)",
                            db.primary
                        )));
                        d.missing
                            .retain(|m| !m.what.starts_with("the standby database"));
                    } else if let Some(m) = d
                        .missing
                        .iter_mut()
                        .find(|m| m.what.starts_with("the standby database"))
                    {
                        m.looked.push_str(&format!(
                            "; rds:DescribeDBInstances {} in {pr} (ReadReplicaDBInstanceIdentifiers)",
                            db.primary
                        ));
                    }
                }
            }
        }
    }
    // The endpoint store: the candidate whose value is the primary's address.
    if let Some(addr) = address.filter(|a| !a.is_empty()) {
        let candidates = db.store_candidates.clone();
        for (kind, name, found_in) in candidates {
            let found = if kind == "parameter" {
                aws.parameter_matches(Side::Standby, &name, &addr).await
            } else {
                aws.secret_matches(Side::Standby, &name, &addr).await
            };
            let found = match found {
                Ok(x) => x,
                Err(e) => fatal(e).map(|()| StoreMatch::Absent)?,
            };
            let store = match (&found, kind.as_str()) {
                (StoreMatch::Whole, "parameter") => Some(EndpointStore::Parameter(name.clone())),
                (StoreMatch::Whole, _) => Some(EndpointStore::Secret(name.clone())),
                (StoreMatch::JsonKey(k), "secret") => {
                    Some(EndpointStore::SecretKey(name.clone(), k.clone()))
                }
                _ => None,
            };
            if let Some(store) = store {
                if db.endpoint.is_none() {
                    db.notes.push(found_in);
                    db.notes.push(Note::Aws(format!(
                        "{kind} {name} in {sr} holds the primary's address{}",
                        match &store {
                            EndpointStore::SecretKey(_, k) => format!(" (JSON key {k:?})"),
                            _ => String::new(),
                        }
                    )));
                    db.endpoint = Some(store);
                } else {
                    db.notes.push(Note::Check(format!(
                        "{kind} {name} in {sr} also holds the primary's address: only one is \
                         written on failover"
                    )));
                }
            }
        }
    } else if !db.store_candidates.is_empty() {
        db.notes.push(Note::Check(
            "the primary's address is unknown: no endpoint parameter or secret chosen".into(),
        ));
    }
    d.missing.extend(missing);
    Ok(())
}

async fn ecs(d: &mut Draft, aws: &dyn Reader) -> Result<(), BackendError> {
    let (pr, sr) = (d.primary_region.clone(), d.standby_region.clone());
    let Some(e) = d.ecs.as_mut() else {
        return Ok(());
    };
    let names: Vec<String> = e.services.iter().map(|s| s.name.clone()).collect();
    for (side, cluster, region) in [
        (Side::Primary, e.primary_cluster.clone(), &pr),
        (Side::Standby, e.standby_cluster.clone(), &sr),
    ] {
        let counts = match aws.service_counts(side, &cluster, &names).await {
            Ok(x) => x,
            Err(err) => fatal(err).map(|()| Vec::new())?,
        };
        for s in e.services.iter_mut() {
            match counts.iter().find(|(n, _)| *n == s.name) {
                Some((_, c)) => {
                    s.notes
                        .push(Note::Aws(format!("desired {c} in {cluster}, {region}")));
                    match side {
                        Side::Primary => s.production = Some(*c),
                        Side::Standby => s.standby = Some(*c),
                    }
                }
                None => d.missing.push(Missing {
                    what: format!("ECS service {} in cluster {cluster} ({region})", s.name),
                    looked: format!("ecs:DescribeServices on {cluster} in {region}"),
                }),
            }
        }
    }
    for s in e.services.iter_mut() {
        if s.production == Some(0) {
            s.notes.push(Note::Check(format!(
                "{} runs 0 tasks in {pr} now: production = 0 scales it to nothing on failover",
                s.name
            )));
        }
    }
    Ok(())
}

async fn asgs(d: &mut Draft, aws: &dyn Reader) -> Result<(), BackendError> {
    let (pr, sr) = (d.primary_region.clone(), d.standby_region.clone());
    for (side, region) in [(Side::Primary, &pr), (Side::Standby, &sr)] {
        let names: Vec<String> = d
            .asgs
            .iter()
            .map(|g| match side {
                Side::Primary => g.primary_name.clone(),
                Side::Standby => g.standby_name.clone(),
            })
            .collect();
        if names.is_empty() {
            continue;
        }
        let found = match aws.asg_capacities(side, &names).await {
            Ok(x) => x,
            Err(e) => fatal(e).map(|()| Vec::new())?,
        };
        for (g, name) in d.asgs.iter_mut().zip(&names) {
            match found.iter().find(|(n, _)| n == name) {
                Some((_, c)) => {
                    g.notes.push(Note::Aws(format!(
                        "{name}: min {} max {} desired {} in {region}",
                        c.min, c.max, c.desired
                    )));
                    match side {
                        Side::Primary => g.production = Some(*c),
                        Side::Standby => g.standby = Some(*c),
                    }
                }
                None => d.missing.push(Missing {
                    what: format!("Auto Scaling group {name} in {region}"),
                    looked: format!("autoscaling:DescribeAutoScalingGroups in {region}"),
                }),
            }
        }
    }
    Ok(())
}

async fn target_groups(d: &mut Draft, aws: &dyn Reader) -> Result<(), BackendError> {
    let (pr, sr) = (d.primary_region.clone(), d.standby_region.clone());
    for (side, region) in [(Side::Primary, &pr), (Side::Standby, &sr)] {
        let arns: Vec<String> = d
            .target_groups
            .iter()
            .map(|t| match side {
                Side::Primary => t.primary_arn.clone(),
                Side::Standby => t.standby_arn.clone(),
            })
            .collect();
        if arns.is_empty() {
            continue;
        }
        let found = match aws.target_groups(side, &arns).await {
            Ok(x) => x,
            Err(e) => fatal(e).map(|()| Vec::new())?,
        };
        for (t, arn) in d.target_groups.iter_mut().zip(&arns) {
            if found.contains(arn) {
                t.notes
                    .push(Note::Aws(format!("{} exists in {region}", t.name)));
            } else {
                d.missing.push(Missing {
                    what: format!("target group {arn}"),
                    looked: format!("elasticloadbalancing:DescribeTargetGroups in {region}"),
                });
            }
        }
    }
    Ok(())
}

fn same_host(a: &str, b: &str) -> bool {
    let norm = |s: &str| {
        s.trim_end_matches('.')
            .trim_start_matches("dualstack.")
            .to_ascii_lowercase()
    };
    norm(a) == norm(b)
}

async fn dns(d: &mut Draft, aws: &dyn Reader) -> Result<(), BackendError> {
    let Some(x) = d.dns.as_mut() else {
        return Ok(());
    };
    let records = match aws.records(&x.zone_id, &x.record).await {
        Ok(r) => r,
        Err(e) => {
            fatal(e)?;
            d.missing.push(Missing {
                what: format!("hosted zone {}", x.zone_id),
                looked: "route53:ListResourceRecordSets".into(),
            });
            return Ok(());
        }
    };
    let of_kind: Vec<&RecordInfo> = records.iter().filter(|r| r.kind == x.kind).collect();
    match &x.targets {
        DnsTargets::FailoverRouting {
            primary_set,
            standby_set,
            ..
        } => {
            for (set, role) in [(primary_set, "PRIMARY"), (standby_set, "SECONDARY")] {
                match of_kind
                    .iter()
                    .find(|r| r.set_identifier.as_deref() == Some(set.as_str()))
                {
                    Some(r) if r.failover.as_deref() == Some(role) => x.notes.push(Note::Aws(
                        format!("{} {} set {set} is {role}", x.record, x.kind),
                    )),
                    Some(r) => x.notes.push(Note::Check(format!(
                        "set {set} is {} in Route 53, {role} in the state",
                        r.failover.as_deref().unwrap_or("not failover routing")
                    ))),
                    None => d.missing.push(Missing {
                        what: format!("{} {} set {set} in zone {}", x.record, x.kind, x.zone_id),
                        looked: "route53:ListResourceRecordSets".into(),
                    }),
                }
            }
        }
        DnsTargets::Aliases {
            primary, standby, ..
        } => match of_kind.first().and_then(|r| r.alias.clone()) {
            Some((name, _)) if same_host(&name, &primary.dns_name) => x.notes.push(Note::Aws(
                format!("{} points at the primary's load balancer", x.record),
            )),
            Some((name, _)) if same_host(&name, &standby.dns_name) => {
                x.notes.push(Note::Check(format!(
                    "{} points at the STANDBY's load balancer now: is the estate failed over?",
                    x.record
                )))
            }
            Some((name, _)) => x.notes.push(Note::Check(format!(
                "{} points at {name} in Route 53, not at the state's primary load balancer",
                x.record
            ))),
            None => d.missing.push(Missing {
                what: format!("alias record {} {} in zone {}", x.record, x.kind, x.zone_id),
                looked: "route53:ListResourceRecordSets".into(),
            }),
        },
        DnsTargets::Values { primary, standby } => {
            match of_kind.first().and_then(|r| r.values.first().cloned()) {
                Some(v) if same_host(&v, primary) => x.notes.push(Note::Aws(format!(
                    "{} points at the primary's load balancer",
                    x.record
                ))),
                Some(v) if same_host(&v, standby) => x.notes.push(Note::Check(format!(
                    "{} points at the STANDBY's load balancer now: is the estate failed over?",
                    x.record
                ))),
                Some(v) => x.notes.push(Note::Check(format!(
                    "{} points at {v} in Route 53, not at the state's primary load balancer",
                    x.record
                ))),
                None => d.missing.push(Missing {
                    what: format!("record {} {} in zone {}", x.record, x.kind, x.zone_id),
                    looked: "route53:ListResourceRecordSets".into(),
                }),
            }
        }
    }
    Ok(())
}

async fn checks_and_alarms(d: &mut Draft, aws: &dyn Reader) -> Result<(), BackendError> {
    for h in d.health_checks.iter_mut() {
        let exists = match aws.health_check_exists(&h.id).await {
            Ok(x) => x,
            Err(e) => fatal(e).map(|()| false)?,
        };
        if exists {
            h.notes
                .push(Note::Aws(format!("health check {} exists", h.id)));
        } else {
            d.missing.push(Missing {
                what: format!("health check {}", h.id),
                looked: "route53:GetHealthCheck".into(),
            });
        }
    }
    let (pr, sr) = (d.primary_region.clone(), d.standby_region.clone());
    for (side, region) in [(Side::Primary, &pr), (Side::Standby, &sr)] {
        let names: Vec<String> = d
            .alarms
            .iter()
            .filter(|a| a.side == side)
            .map(|a| a.name.clone())
            .collect();
        if names.is_empty() {
            continue;
        }
        let found = match aws.alarms(side, &names).await {
            Ok(x) => x,
            Err(e) => fatal(e).map(|()| Vec::new())?,
        };
        for a in d.alarms.iter_mut().filter(|a| a.side == side) {
            if found.contains(&a.name) {
                a.notes.push(Note::Aws(format!("alarm exists in {region}")));
            } else {
                a.notes.push(Note::Check(format!(
                    "alarm {} not found in {region} (cloudwatch:DescribeAlarms)",
                    a.name
                )));
            }
        }
    }
    Ok(())
}

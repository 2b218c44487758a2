//! Route 53 reads of one or several estates that share Route 53 credentials (the standby's
//! profile and endpoint), each thing read once per cycle whatever the number of estates that
//! name it:
//!
//! - each health check's status (`GetHealthCheckStatus`) once per check id, whether the
//!   estate lists it under `[[health_checks]]`, names it as `primary_health_check`, or it is
//!   the SECONDARY record's own; the configuration (`GetHealthCheck`: `Inverted`, interval,
//!   threshold) of a failover pair's checks once per id;
//! - the records: a zone that holds the records of two or more estates is listed whole, one
//!   page of [`ZONE_PAGE`] record sets, when it fits in it; a zone larger than that (learnt
//!   once, kept in [`SharedReads`]) and a zone with one estate's record are read from the
//!   record's name on (`StartRecordName`, [`RECORD_PAGE`] sets).
//!
//! Then each estate gets what its own read would have returned (see `assemble`).

mod assemble;

use std::collections::{BTreeMap, BTreeSet, HashMap};

use aws_sdk_route53::types::RrType;
use futures::future::join_all;

use super::clients::GlobalClients;
use super::errors::sdk_error;
use super::shared::SharedReads;
use crate::backend::BackendError;
use crate::config::{Dns, HealthCheck};
use crate::model::{GlobalReading, Parts};

pub use assemble::CheckConfig;

/// How many record sets to list from the record's name on (failover pairs share a name).
const RECORD_PAGE: i32 = 8;
/// The most record sets one `ListResourceRecordSets` page holds.
const ZONE_PAGE: i32 = 300;

/// What one estate wants of Route 53.
#[derive(Clone, Copy)]
pub struct Wanted<'a> {
    pub dns: Option<&'a Dns>,
    pub checks: &'a [HealthCheck],
    pub parts: Parts,
}

/// A record set, as the console needs it.
#[derive(Debug, Clone)]
pub struct Set {
    pub name: String,
    pub record_type: String,
    pub set_identifier: Option<String>,
    pub failover: Option<String>,
    pub target: Option<String>,
    pub alias: bool,
    pub health_check: Option<String>,
}

/// A record: its zone, its name (lower case, no final dot) and its type.
type RecordKey = (String, String, String);

pub fn norm(name: &str) -> String {
    name.trim_end_matches('.').to_ascii_lowercase()
}

fn key_of(dns: &Dns) -> RecordKey {
    (
        dns.zone_id.clone(),
        norm(&dns.record),
        dns.record_type.clone(),
    )
}

type Statuses = HashMap<String, Result<(u32, u32), BackendError>>;
type Configs = HashMap<String, Result<CheckConfig, BackendError>>;
type Records = HashMap<RecordKey, Result<Vec<Set>, BackendError>>;

/// Every estate's Route 53 reading, in the order of `wanted`.
pub async fn read(
    g: &GlobalClients,
    shared: &SharedReads,
    wanted: &[Wanted<'_>],
) -> Vec<Result<GlobalReading, BackendError>> {
    fn dns_of<'a>(w: &Wanted<'a>) -> Option<&'a Dns> {
        w.dns.filter(|_| w.parts.contains(Parts::DNS))
    }
    let mut statuses_wanted: BTreeSet<String> = BTreeSet::new();
    let mut configs_wanted: BTreeSet<String> = BTreeSet::new();
    let mut records: BTreeSet<RecordKey> = BTreeSet::new();
    for w in wanted {
        if w.parts.contains(Parts::HEALTH_CHECKS) {
            statuses_wanted.extend(w.checks.iter().map(|c| c.id.clone()));
        }
        if let Some(d) = dns_of(w) {
            records.insert(key_of(d));
            if d.is_failover_routing() {
                let id = d.primary_health_check.clone().unwrap_or_default();
                statuses_wanted.insert(id.clone());
                configs_wanted.insert(id);
            }
        }
    }
    let (records, mut statuses, mut configs) = futures::join!(
        read_records(g, shared, &records),
        read_statuses(g, &statuses_wanted),
        read_configs(g, &configs_wanted),
    );
    // The SECONDARY records' own checks are known once the records are read.
    let mut more: BTreeSet<String> = BTreeSet::new();
    for d in wanted.iter().filter_map(dns_of) {
        if !d.is_failover_routing() {
            continue;
        }
        if let Some(Ok(sets)) = records.get(&key_of(d))
            && let Some(id) = assemble::standby_check_id(d, sets)
        {
            more.insert(id);
        }
    }
    let new_statuses: BTreeSet<String> = more
        .iter()
        .filter(|id| !statuses.contains_key(*id))
        .cloned()
        .collect();
    let new_configs: BTreeSet<String> = more
        .iter()
        .filter(|id| !configs.contains_key(*id))
        .cloned()
        .collect();
    let (s, c) = futures::join!(
        read_statuses(g, &new_statuses),
        read_configs(g, &new_configs)
    );
    statuses.extend(s);
    configs.extend(c);
    wanted
        .iter()
        .map(|w| {
            let record = dns_of(w).map(|d| (d, records.get(&key_of(d))));
            assemble::reading(g, w, record, &statuses, &configs)
        })
        .collect()
}

async fn read_statuses(g: &GlobalClients, ids: &BTreeSet<String>) -> Statuses {
    let reads = ids.iter().map(|id| async move {
        let out = g
            .route53
            .get_health_check_status()
            .health_check_id(id)
            .send()
            .await
            .map_err(|e| sdk_error(g.ctx(), "route53:GetHealthCheckStatus", id, e))
            .map(|out| checkers(&out));
        (id.clone(), out)
    });
    join_all(reads).await.into_iter().collect()
}

async fn read_configs(g: &GlobalClients, ids: &BTreeSet<String>) -> Configs {
    let reads = ids.iter().map(|id| async move {
        let out = g
            .route53
            .get_health_check()
            .health_check_id(id)
            .send()
            .await
            .map_err(|e| sdk_error(g.ctx(), "route53:GetHealthCheck", id, e))
            .map(|out| {
                let c = out.health_check().and_then(|h| h.health_check_config());
                // Route 53's defaults when the configuration leaves them out.
                CheckConfig {
                    inverted: c.and_then(|c| c.inverted()).unwrap_or(false),
                    request_interval: c.and_then(|c| c.request_interval()).unwrap_or(30) as u32,
                    failure_threshold: c.and_then(|c| c.failure_threshold()).unwrap_or(3) as u32,
                }
            });
        (id.clone(), out)
    });
    join_all(reads).await.into_iter().collect()
}

/// How many of a check's checkers report success, of how many report at all.
fn checkers(
    out: &aws_sdk_route53::operation::get_health_check_status::GetHealthCheckStatusOutput,
) -> (u32, u32) {
    let observations = out.health_check_observations();
    let ok = observations
        .iter()
        .filter(|o| {
            o.status_report()
                .and_then(|s| s.status())
                .is_some_and(|s| s.starts_with("Success"))
        })
        .count() as u32;
    (ok, observations.len() as u32)
}

/// Every record of `keys`, a zone at a time (see the module's comment).
async fn read_records(
    g: &GlobalClients,
    shared: &SharedReads,
    keys: &BTreeSet<RecordKey>,
) -> Records {
    let mut zones: BTreeMap<&str, Vec<&RecordKey>> = BTreeMap::new();
    for k in keys {
        zones.entry(k.0.as_str()).or_default().push(k);
    }
    let reads = zones.into_iter().map(|(zone, keys)| async move {
        if keys.len() > 1 && !shared.zone_is_big(zone) {
            match list(g, zone, None, ZONE_PAGE).await {
                Ok((sets, false)) => return of_zone(&keys, Ok(sets)),
                Ok((_, true)) => shared.zone_big(zone),
                Err(e) => return of_zone(&keys, Err(e)),
            }
        }
        let one = keys.iter().map(|k| async move {
            let sets = list(g, zone, Some((&k.1, &k.2)), RECORD_PAGE).await;
            ((*k).clone(), sets.map(|(s, _)| only(k, s)))
        });
        join_all(one).await
    });
    join_all(reads).await.into_iter().flatten().collect()
}

/// Each record's sets from one listing of its zone.
fn of_zone(
    keys: &[&RecordKey],
    listed: Result<Vec<Set>, BackendError>,
) -> Vec<(RecordKey, Result<Vec<Set>, BackendError>)> {
    keys.iter()
        .map(|k| {
            let sets = listed
                .as_ref()
                .map(|s| only(k, s.clone()))
                .map_err(Clone::clone);
            ((*k).clone(), sets)
        })
        .collect()
}

fn only(k: &RecordKey, sets: Vec<Set>) -> Vec<Set> {
    sets.into_iter()
        .filter(|s| norm(&s.name) == k.1 && s.record_type == k.2)
        .collect()
}

/// One page of `zone`'s record sets, from `from` (name, type) on; and whether there are more.
async fn list(
    g: &GlobalClients,
    zone: &str,
    from: Option<(&str, &str)>,
    items: i32,
) -> Result<(Vec<Set>, bool), BackendError> {
    let op = "route53:ListResourceRecordSets";
    let resource = match from {
        Some((name, t)) => format!("{name} {t} in zone {zone}"),
        None => format!("zone {zone}"),
    };
    let mut call = g
        .route53
        .list_resource_record_sets()
        .hosted_zone_id(zone)
        .max_items(items);
    if let Some((name, t)) = from {
        call = call
            .start_record_name(name)
            .start_record_type(RrType::from(t));
    }
    let out = call
        .send()
        .await
        .map_err(|e| sdk_error(g.ctx(), op, &resource, e))?;
    let sets = out
        .resource_record_sets()
        .iter()
        .map(|s| Set {
            name: s.name().to_string(),
            record_type: s.r#type().as_str().to_string(),
            set_identifier: s.set_identifier().map(str::to_string),
            failover: s.failover().map(|f| f.as_str().to_string()),
            target: s
                .resource_records()
                .first()
                .map(|r| r.value().to_string())
                .or_else(|| s.alias_target().map(|a| a.dns_name().to_string())),
            alias: s.alias_target().is_some(),
            health_check: s.health_check_id().map(str::to_string),
        })
        .collect();
    Ok((sets, out.is_truncated()))
}

//! The read-only calls `drconsole init` makes to confirm what the infrastructure code says.
//! Batched where AWS allows: ten ECS services per `DescribeServices`, fifty groups per
//! `DescribeAutoScalingGroups`, twenty target groups per `DescribeTargetGroups`, a hundred
//! alarms per `DescribeAlarms`. A secret's or parameter's value is compared here and dropped:
//! only whether it matched leaves this module.

mod cache;
mod find;
mod store;

use store::matches;

use async_trait::async_trait;

use super::clients::{
    CallCounter, FinderClients, GlobalClients, RegionClients, finder_clients, global_clients,
    region_clients,
};
use super::errors::sdk_error;
use crate::backend::BackendError;
use crate::config::{Capacity, Estate, RegionConfig};
use crate::init::confirm::{ClusterInfo, DbInstanceInfo, Reader, RecordInfo, StoreMatch};
use crate::model::{ErrorKind, Side};

/// The clients `init` reads through, one set per region and Route 53's.
pub struct Discovery {
    primary: RegionClients,
    standby: RegionClients,
    global: GlobalClients,
    finders: [FinderClients; 2],
    counter: CallCounter,
    /// What was read once is not read again in the same `init` (a database found by tag is
    /// confirmed from the same answer).
    cache: cache::Cache,
}

impl Discovery {
    /// Clients for the two regions (each with its profile, the endpoint if any).
    pub async fn connect(
        primary: &RegionConfig,
        standby: &RegionConfig,
    ) -> Result<Discovery, String> {
        let estate = regions_only(primary, standby)?;
        let counter = CallCounter::default();
        let ((p, _), (s, _), (g, _), fp, fs) = futures::join!(
            region_clients(&estate, Side::Primary, &counter),
            region_clients(&estate, Side::Standby, &counter),
            global_clients(&estate, &counter),
            finder_clients(&estate, Side::Primary, &counter),
            finder_clients(&estate, Side::Standby, &counter)
        );
        Ok(Discovery {
            primary: p,
            standby: s,
            global: g,
            finders: [fp, fs],
            counter,
            cache: cache::Cache::default(),
        })
    }

    /// Every HTTP attempt so far, by operation (`ECS.DescribeServices`).
    pub fn calls(&self) -> std::collections::BTreeMap<String, u64> {
        self.counter.snapshot()
    }

    fn finder(&self, side: Side) -> &FinderClients {
        match side {
            Side::Primary => &self.finders[0],
            Side::Standby => &self.finders[1],
        }
    }

    fn of(&self, side: Side) -> &RegionClients {
        match side {
            Side::Primary => &self.primary,
            Side::Standby => &self.standby,
        }
    }
}

/// An estate of the two regions only: what the client builders take.
fn regions_only(primary: &RegionConfig, standby: &RegionConfig) -> Result<Estate, String> {
    let q = |s: &str| toml::Value::String(s.to_string()).to_string();
    let mut text = String::from("name = \"init\"\n");
    for (key, r) in [("primary", primary), ("standby", standby)] {
        text.push_str(&format!("[{key}]\nregion = {}\n", q(r.region.as_str())));
        if let Some(p) = &r.profile {
            text.push_str(&format!("profile = {}\n", q(p)));
        }
        if let Some(u) = &r.endpoint_url {
            text.push_str(&format!("endpoint_url = {}\n", q(u)));
        }
    }
    Estate::parse(&text, "init").map_err(|e| e.to_string())
}

fn not_found(e: &BackendError) -> bool {
    e.kind == ErrorKind::NotFound
}

const ECS_BATCH: usize = 10;
const ASG_BATCH: usize = 50;
const TG_BATCH: usize = 20;
const ALARM_BATCH: usize = 100;

fn clamp(v: Option<i32>) -> u32 {
    v.and_then(|v| u32::try_from(v).ok()).unwrap_or(0)
}

/// A record name as compared and written: no final dot, lower case.
pub(super) fn norm_name(s: &str) -> String {
    s.trim_end_matches('.').to_ascii_lowercase()
}

pub(super) fn record_info(s: &aws_sdk_route53::types::ResourceRecordSet) -> RecordInfo {
    RecordInfo {
        name: norm_name(s.name()),
        kind: s.r#type().as_str().to_string(),
        set_identifier: s.set_identifier().map(str::to_string),
        failover: s.failover().map(|f| f.as_str().to_string()),
        values: s
            .resource_records()
            .iter()
            .map(|r| r.value().to_string())
            .collect(),
        alias: s
            .alias_target()
            .map(|a| (a.dns_name().to_string(), a.hosted_zone_id().to_string())),
        evaluate_target_health: s.alias_target().is_some_and(|a| a.evaluate_target_health()),
        ttl: s.ttl(),
        health_check: s.health_check_id().map(str::to_string),
    }
}

#[async_trait]
impl Reader for Discovery {
    async fn db_instance(
        &self,
        side: Side,
        id: &str,
    ) -> Result<Option<DbInstanceInfo>, BackendError> {
        if let Some(known) = self.cache.db(side, id) {
            return Ok(known);
        }
        let c = self.of(side);
        let out = c
            .rds
            .describe_db_instances()
            .db_instance_identifier(id)
            .send()
            .await
            .map_err(|e| sdk_error(c.ctx(), "rds:DescribeDBInstances", id, e));
        let out = match out {
            Err(e) if not_found(&e) => {
                self.cache.put_db(side, id, None);
                return Ok(None);
            }
            other => other?,
        };
        let found = out.db_instances().first().map(|db| DbInstanceInfo {
            id: db.db_instance_identifier().unwrap_or(id).to_string(),
            arn: db.db_instance_arn().unwrap_or_default().to_string(),
            address: db.endpoint().and_then(|e| e.address()).map(str::to_string),
            source: db
                .read_replica_source_db_instance_identifier()
                .filter(|s| !s.is_empty())
                .map(str::to_string),
            replicas: db
                .read_replica_db_instance_identifiers()
                .iter()
                .map(|s| s.to_string())
                .collect(),
            class: db.db_instance_class().map(str::to_string),
        });
        self.cache.put_db(side, id, found.clone());
        Ok(found)
    }

    async fn db_cluster(&self, side: Side, id: &str) -> Result<Option<ClusterInfo>, BackendError> {
        let c = self.of(side);
        let out = c
            .rds
            .describe_db_clusters()
            .db_cluster_identifier(id)
            .send()
            .await
            .map_err(|e| sdk_error(c.ctx(), "rds:DescribeDBClusters", id, e));
        let out = match out {
            Err(e) if not_found(&e) => return Ok(None),
            other => other?,
        };
        Ok(out.db_clusters().first().map(|db| ClusterInfo {
            id: db.db_cluster_identifier().unwrap_or(id).to_string(),
            endpoint: db.endpoint().map(str::to_string),
        }))
    }

    async fn service_counts(
        &self,
        side: Side,
        cluster: &str,
        names: &[String],
    ) -> Result<Vec<(String, u32)>, BackendError> {
        let c = self.of(side);
        let calls = names.chunks(ECS_BATCH).map(|batch| {
            let req = c
                .ecs
                .describe_services()
                .cluster(cluster)
                .set_services(Some(batch.to_vec()));
            async move {
                req.send().await.map_err(|e| {
                    sdk_error(
                        c.ctx(),
                        "ecs:DescribeServices",
                        &format!("cluster {cluster}"),
                        e,
                    )
                })
            }
        });
        let mut found = Vec::new();
        for out in futures::future::join_all(calls).await {
            let out = match out {
                Err(e) if not_found(&e) => continue,
                other => other?,
            };
            for s in out.services() {
                // A deleted service is still described, as INACTIVE: it is not there.
                if s.status() == Some("INACTIVE") {
                    continue;
                }
                if let Some(n) = s.service_name() {
                    found.push((n.to_string(), clamp(Some(s.desired_count()))));
                }
            }
        }
        Ok(found)
    }

    async fn asg_capacities(
        &self,
        side: Side,
        names: &[String],
    ) -> Result<Vec<(String, Capacity)>, BackendError> {
        if let Some(known) = self.cache.asgs(side, names) {
            return Ok(known);
        }
        let c = self.of(side);
        let calls = names.chunks(ASG_BATCH).map(|batch| {
            let req = c
                .autoscaling
                .describe_auto_scaling_groups()
                .set_auto_scaling_group_names(Some(batch.to_vec()))
                .max_records(ASG_BATCH as i32);
            let resource = batch.join(", ");
            async move {
                req.send().await.map_err(|e| {
                    sdk_error(
                        c.ctx(),
                        "autoscaling:DescribeAutoScalingGroups",
                        &resource,
                        e,
                    )
                })
            }
        });
        let mut found = Vec::new();
        for out in futures::future::join_all(calls).await {
            for g in out?.auto_scaling_groups() {
                if let Some(n) = g.auto_scaling_group_name() {
                    found.push((
                        n.to_string(),
                        Capacity {
                            min: clamp(g.min_size()),
                            max: clamp(g.max_size()),
                            desired: clamp(g.desired_capacity()),
                        },
                    ));
                }
            }
        }
        Ok(found)
    }

    async fn target_groups(
        &self,
        side: Side,
        arns: &[String],
    ) -> Result<Vec<String>, BackendError> {
        let c = self.of(side);
        let mut found = Vec::new();
        for batch in arns.chunks(TG_BATCH) {
            let out = c
                .elb
                .describe_target_groups()
                .set_target_group_arns(Some(batch.to_vec()))
                .send()
                .await
                .map_err(|e| {
                    sdk_error(
                        c.ctx(),
                        "elasticloadbalancing:DescribeTargetGroups",
                        &batch.join(", "),
                        e,
                    )
                });
            match out {
                Ok(out) => found.extend(
                    out.target_groups()
                        .iter()
                        .filter_map(|t| t.target_group_arn().map(str::to_string)),
                ),
                // One unknown ARN fails the whole batch: ask for each alone.
                Err(e) if not_found(&e) && batch.len() > 1 => {
                    for arn in batch {
                        let one = c
                            .elb
                            .describe_target_groups()
                            .target_group_arns(arn)
                            .send()
                            .await
                            .map_err(|e| {
                                sdk_error(
                                    c.ctx(),
                                    "elasticloadbalancing:DescribeTargetGroups",
                                    arn,
                                    e,
                                )
                            });
                        match one {
                            Ok(_) => found.push(arn.clone()),
                            Err(e) if not_found(&e) => {}
                            Err(e) => return Err(e),
                        }
                    }
                }
                Err(e) if not_found(&e) => {}
                Err(e) => return Err(e),
            }
        }
        Ok(found)
    }

    async fn records(&self, zone_id: &str, name: &str) -> Result<Vec<RecordInfo>, BackendError> {
        if let Some(all) = self.cache.zone(zone_id) {
            let wanted = norm_name(name);
            return Ok(all.into_iter().filter(|r| r.name == wanted).collect());
        }
        let g = &self.global;
        let out = g
            .route53
            .list_resource_record_sets()
            .hosted_zone_id(zone_id)
            .start_record_name(name)
            .max_items(100)
            .send()
            .await
            .map_err(|e| {
                sdk_error(
                    g.ctx(),
                    "route53:ListResourceRecordSets",
                    &format!("{name} in zone {zone_id}"),
                    e,
                )
            })?;
        let wanted = norm_name(name);
        Ok(out
            .resource_record_sets()
            .iter()
            .filter(|s| norm_name(s.name()) == wanted)
            .map(record_info)
            .collect())
    }

    async fn health_check_exists(&self, id: &str) -> Result<bool, BackendError> {
        if let Some(known) = self.cache.check(id) {
            return Ok(known);
        }
        let g = &self.global;
        match g
            .route53
            .get_health_check()
            .health_check_id(id)
            .send()
            .await
            .map_err(|e| sdk_error(g.ctx(), "route53:GetHealthCheck", id, e))
        {
            Ok(_) => Ok(true),
            Err(e) if not_found(&e) => Ok(false),
            Err(e) => Err(e),
        }
    }

    async fn alarms(&self, side: Side, names: &[String]) -> Result<Vec<String>, BackendError> {
        let c = self.of(side);
        let mut found = Vec::new();
        for batch in names.chunks(ALARM_BATCH) {
            let out = c
                .cloudwatch
                .describe_alarms()
                .set_alarm_names(Some(batch.to_vec()))
                .max_records(ALARM_BATCH as i32)
                .send()
                .await
                .map_err(|e| {
                    sdk_error(c.ctx(), "cloudwatch:DescribeAlarms", &batch.join(", "), e)
                })?;
            found.extend(
                out.metric_alarms()
                    .iter()
                    .filter_map(|a| a.alarm_name().map(str::to_string)),
            );
        }
        Ok(found)
    }

    async fn parameter_matches(
        &self,
        side: Side,
        name: &str,
        address: &str,
    ) -> Result<StoreMatch, BackendError> {
        let c = self.of(side);
        let out = c
            .ssm
            .get_parameter()
            .name(name)
            .with_decryption(true)
            .send()
            .await
            .map_err(|e| sdk_error(c.ctx(), "ssm:GetParameter", name, e));
        match out {
            Ok(o) => Ok(o
                .parameter()
                .and_then(|p| p.value())
                .map_or(StoreMatch::Other, |v| matches(v, address))),
            Err(e) if not_found(&e) => Ok(StoreMatch::Absent),
            Err(e) => Err(e),
        }
    }

    async fn secret_matches(
        &self,
        side: Side,
        name: &str,
        address: &str,
    ) -> Result<StoreMatch, BackendError> {
        let c = self.of(side);
        let out = c
            .secrets
            .get_secret_value()
            .secret_id(name)
            .send()
            .await
            .map_err(|e| sdk_error(c.ctx(), "secretsmanager:GetSecretValue", name, e));
        match out {
            Ok(o) => Ok(o
                .secret_string()
                .map_or(StoreMatch::Other, |v| matches(v, address))),
            Err(e) if not_found(&e) => Ok(StoreMatch::Absent),
            Err(e) => Err(e),
        }
    }

    async fn backup_vault_exists(&self, side: Side, name: &str) -> Result<bool, BackendError> {
        let c = self.of(side);
        match c
            .backup
            .describe_backup_vault()
            .backup_vault_name(name)
            .send()
            .await
            .map_err(|e| sdk_error(c.ctx(), "backup:DescribeBackupVault", name, e))
        {
            Ok(_) => Ok(true),
            Err(e) if not_found(&e) => Ok(false),
            Err(e) => Err(e),
        }
    }
}

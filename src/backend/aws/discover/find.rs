//! The calls that find an estate by tag or in a stack (read-only), every page of each:
//! `tag:GetResources` (100 per page, only the types `init` uses), Auto Scaling's tag filter,
//! `cloudformation:ListStackResources`, twenty load balancers per `DescribeLoadBalancers`,
//! ten services per `DescribeServices`, every hosted zone and record of Route 53.

use async_trait::async_trait;
use aws_sdk_autoscaling::types::{AutoScalingGroup, Filter};
use aws_sdk_resourcegroupstagging::types::TagFilter;
use aws_smithy_types::error::metadata::ProvideErrorMetadata;

use super::super::errors::sdk_error;
use super::{Discovery, not_found, record_info};
use crate::backend::BackendError;
use crate::config::Capacity;
use crate::init::confirm::RecordInfo;
use crate::init::find::*;
use crate::model::Side;

const LB_BATCH: usize = 20;
const ECS_BATCH: usize = 10;
const ASG_BATCH: usize = 50;

fn cap(v: Option<i32>) -> u32 {
    v.and_then(|v| u32::try_from(v).ok()).unwrap_or(0)
}

impl Discovery {
    /// A group as found; its capacity kept for the confirmation that follows.
    fn group(&self, side: Side, g: &AutoScalingGroup) -> Option<AsgInfo> {
        let name = g.auto_scaling_group_name()?.to_string();
        self.cache.put_asg(
            side,
            &name,
            Capacity {
                min: cap(g.min_size()),
                max: cap(g.max_size()),
                desired: cap(g.desired_capacity()),
            },
        );
        Some(AsgInfo {
            arn: g.auto_scaling_group_arn().unwrap_or_default().to_string(),
            target_group_arns: g.target_group_arns().to_vec(),
            name,
        })
    }
}

#[async_trait]
impl Finder for Discovery {
    async fn tagged(
        &self,
        side: Side,
        tags: &[(String, String)],
        types: &[&str],
    ) -> Result<Vec<String>, BackendError> {
        let (c, ctx) = (&self.finder(side).tagging, self.of(side).ctx());
        let what: Vec<String> = tags.iter().map(|(k, v)| format!("{k}={v}")).collect();
        let mut token: Option<String> = None;
        let mut arns = Vec::new();
        loop {
            let mut req = c
                .get_resources()
                .resources_per_page(100)
                .set_resource_type_filters(Some(types.iter().map(|t| t.to_string()).collect()))
                .set_pagination_token(token.take());
            for (k, v) in tags {
                req = req.tag_filters(TagFilter::builder().key(k).values(v).build());
            }
            let out = req
                .send()
                .await
                .map_err(|e| sdk_error(ctx, "tag:GetResources", &what.join(", "), e))?;
            arns.extend(
                out.resource_tag_mapping_list()
                    .iter()
                    .filter_map(|m| m.resource_arn().map(str::to_string)),
            );
            match out.pagination_token().filter(|t| !t.is_empty()) {
                Some(t) => token = Some(t.to_string()),
                None => return Ok(arns),
            }
        }
    }

    async fn asgs_tagged(
        &self,
        side: Side,
        tags: &[(String, String)],
    ) -> Result<Vec<AsgInfo>, BackendError> {
        let c = self.of(side);
        let what: Vec<String> = tags.iter().map(|(k, v)| format!("tag {k}={v}")).collect();
        let mut token: Option<String> = None;
        let mut found = Vec::new();
        loop {
            let mut req = c
                .autoscaling
                .describe_auto_scaling_groups()
                .max_records(100)
                .set_next_token(token.take());
            for (k, v) in tags {
                req = req.filters(Filter::builder().name(format!("tag:{k}")).values(v).build());
            }
            let out = req.send().await.map_err(|e| {
                sdk_error(
                    c.ctx(),
                    "autoscaling:DescribeAutoScalingGroups",
                    &what.join(", "),
                    e,
                )
            })?;
            found.extend(
                out.auto_scaling_groups()
                    .iter()
                    .filter_map(|g| self.group(side, g)),
            );
            match out.next_token().filter(|t| !t.is_empty()) {
                Some(t) => token = Some(t.to_string()),
                None => return Ok(found),
            }
        }
    }

    async fn asgs_named(&self, side: Side, names: &[String]) -> Result<Vec<AsgInfo>, BackendError> {
        let c = self.of(side);
        let mut found = Vec::new();
        for batch in names.chunks(ASG_BATCH) {
            let out = c
                .autoscaling
                .describe_auto_scaling_groups()
                .set_auto_scaling_group_names(Some(batch.to_vec()))
                .max_records(ASG_BATCH as i32)
                .send()
                .await
                .map_err(|e| {
                    sdk_error(
                        c.ctx(),
                        "autoscaling:DescribeAutoScalingGroups",
                        &batch.join(", "),
                        e,
                    )
                })?;
            found.extend(
                out.auto_scaling_groups()
                    .iter()
                    .filter_map(|g| self.group(side, g)),
            );
        }
        Ok(found)
    }

    async fn stack_resources(&self, side: Side, stack: &str) -> Result<StackAnswer, BackendError> {
        let (c, ctx) = (&self.finder(side).cloudformation, self.of(side).ctx());
        let mut token: Option<String> = None;
        let mut found = Vec::new();
        loop {
            let out = c
                .list_stack_resources()
                .stack_name(stack)
                .set_next_token(token.take())
                .send()
                .await;
            let out = match out {
                // https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_ListStackResources.html:
                // an unknown stack is a ValidationError "Stack with id NAME does not exist".
                Err(e)
                    if e.code() == Some("ValidationError")
                        && e.message().is_some_and(|m| m.contains("does not exist")) =>
                {
                    return Ok(StackAnswer::NoSuchStack);
                }
                other => other
                    .map_err(|e| sdk_error(ctx, "cloudformation:ListStackResources", stack, e))?,
            };
            found.extend(
                out.stack_resource_summaries()
                    .iter()
                    .map(|r| StackResource {
                        logical_id: r.logical_resource_id().unwrap_or_default().to_string(),
                        physical_id: r.physical_resource_id().unwrap_or_default().to_string(),
                        kind: r.resource_type().unwrap_or_default().to_string(),
                    }),
            );
            match out.next_token().filter(|t| !t.is_empty()) {
                Some(t) => token = Some(t.to_string()),
                None => return Ok(StackAnswer::Resources(found)),
            }
        }
    }

    async fn load_balancers(
        &self,
        side: Side,
        arns: &[String],
    ) -> Result<Vec<LbInfo>, BackendError> {
        let c = self.of(side);
        let mut found = Vec::new();
        let mut queue: Vec<Vec<String>> = arns.chunks(LB_BATCH).map(<[String]>::to_vec).collect();
        while let Some(batch) = queue.pop() {
            let out = c
                .elb
                .describe_load_balancers()
                .set_load_balancer_arns(Some(batch.clone()))
                .send()
                .await
                .map_err(|e| {
                    let op = "elasticloadbalancing:DescribeLoadBalancers";
                    sdk_error(c.ctx(), op, &batch.join(", "), e)
                });
            match out {
                Ok(out) => found.extend(out.load_balancers().iter().map(|l| LbInfo {
                    arn: l.load_balancer_arn().unwrap_or_default().to_string(),
                    name: l.load_balancer_name().unwrap_or_default().to_string(),
                    dns_name: l.dns_name().unwrap_or_default().to_string(),
                    zone_id: l.canonical_hosted_zone_id().unwrap_or_default().to_string(),
                })),
                // One unknown ARN (deleted since it was tagged) fails the batch: ask each alone.
                Err(e) if not_found(&e) && batch.len() > 1 => {
                    queue.extend(batch.into_iter().map(|a| vec![a]));
                }
                Err(e) if not_found(&e) => {}
                Err(e) => return Err(e),
            }
        }
        Ok(found)
    }

    async fn services_in(
        &self,
        side: Side,
        cluster: &str,
        arns: &[String],
    ) -> Result<Vec<String>, BackendError> {
        let c = self.of(side);
        let mut found = Vec::new();
        for batch in arns.chunks(ECS_BATCH) {
            let out = c
                .ecs
                .describe_services()
                .cluster(cluster)
                .set_services(Some(batch.to_vec()))
                .send()
                .await
                .map_err(|e| {
                    sdk_error(
                        c.ctx(),
                        "ecs:DescribeServices",
                        &format!("cluster {cluster}"),
                        e,
                    )
                });
            let out = match out {
                Err(e) if not_found(&e) => continue,
                other => other?,
            };
            found.extend(
                out.services()
                    .iter()
                    .filter(|s| s.status() != Some("INACTIVE"))
                    .filter_map(|s| s.service_arn().map(str::to_string)),
            );
        }
        Ok(found)
    }

    async fn global_clusters(&self, side: Side) -> Result<Vec<GlobalInfo>, BackendError> {
        let c = self.of(side);
        let mut marker: Option<String> = None;
        let mut found = Vec::new();
        loop {
            let out = c
                .rds
                .describe_global_clusters()
                .set_marker(marker.take())
                .send()
                .await
                .map_err(|e| sdk_error(c.ctx(), "rds:DescribeGlobalClusters", "", e))?;
            found.extend(out.global_clusters().iter().map(|g| {
                GlobalInfo {
                    id: g
                        .global_cluster_identifier()
                        .unwrap_or_default()
                        .to_string(),
                    members: g
                        .global_cluster_members()
                        .iter()
                        .filter_map(|m| m.db_cluster_arn().map(str::to_string))
                        .collect(),
                }
            }));
            match out.marker().filter(|t| !t.is_empty()) {
                Some(t) => marker = Some(t.to_string()),
                None => return Ok(found),
            }
        }
    }

    async fn hosted_zones(&self) -> Result<Vec<String>, BackendError> {
        let g = &self.global;
        let mut marker: Option<String> = None;
        let mut found = Vec::new();
        loop {
            let out = g
                .route53
                .list_hosted_zones()
                .set_marker(marker.take())
                .send()
                .await
                .map_err(|e| sdk_error(g.ctx(), "route53:ListHostedZones", "", e))?;
            found.extend(
                out.hosted_zones()
                    .iter()
                    .map(|z| z.id().trim_start_matches("/hostedzone/").to_string()),
            );
            match out.next_marker().filter(|_| out.is_truncated()) {
                Some(m) => marker = Some(m.to_string()),
                None => return Ok(found),
            }
        }
    }

    async fn zone_records(&self, zone_id: &str) -> Result<Vec<RecordInfo>, BackendError> {
        let g = &self.global;
        let mut next: (Option<String>, Option<String>, Option<String>) = (None, None, None);
        let mut found = Vec::new();
        loop {
            let out = g
                .route53
                .list_resource_record_sets()
                .hosted_zone_id(zone_id)
                .set_start_record_name(next.0.take())
                .set_start_record_type(next.1.take().map(|t| t.as_str().into()))
                .set_start_record_identifier(next.2.take())
                .send()
                .await
                .map_err(|e| {
                    sdk_error(
                        g.ctx(),
                        "route53:ListResourceRecordSets",
                        &format!("zone {zone_id}"),
                        e,
                    )
                })?;
            found.extend(out.resource_record_sets().iter().map(record_info));
            if !out.is_truncated() {
                self.cache.put_zone(zone_id, found.clone());
                return Ok(found);
            }
            next = (
                out.next_record_name().map(str::to_string),
                out.next_record_type().map(|t| t.as_str().to_string()),
                out.next_record_identifier().map(str::to_string),
            );
        }
    }

    async fn health_check(&self, id: &str) -> Result<Option<HealthCheckInfo>, BackendError> {
        let g = &self.global;
        let out = g
            .route53
            .get_health_check()
            .health_check_id(id)
            .send()
            .await
            .map_err(|e| sdk_error(g.ctx(), "route53:GetHealthCheck", id, e));
        match out {
            Ok(o) => {
                self.cache.put_check(id, true);
                let cfg = o.health_check().and_then(|h| h.health_check_config());
                Ok(Some(HealthCheckInfo {
                    id: id.to_string(),
                    target: cfg.and_then(|c| {
                        c.fully_qualified_domain_name()
                            .or(c.ip_address())
                            .map(str::to_string)
                    }),
                }))
            }
            Err(e) if not_found(&e) => {
                self.cache.put_check(id, false);
                Ok(None)
            }
            Err(e) => Err(e),
        }
    }
}

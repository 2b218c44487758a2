//! The calls that find an estate by tag or in a stack (read-only), every page of each:
//! `tag:GetResources` (100 per page, only the types `init` uses), Auto Scaling's tag filter,
//! `cloudformation:ListStackResources`, twenty load balancers per `DescribeLoadBalancers`,
//! ten services per `DescribeServices`, every hosted zone and record of Route 53.

mod describe;
mod route53;
mod stack;
mod tags;

use async_trait::async_trait;
use aws_sdk_autoscaling::types::AutoScalingGroup;

use super::{Discovery, clamp};
use crate::backend::BackendError;
use crate::config::Capacity;
use crate::init::confirm::RecordInfo;
use crate::init::find::*;
use crate::model::Side;

impl Discovery {
    /// A group as found; its capacity kept for the confirmation that follows.
    fn group(&self, side: Side, g: &AutoScalingGroup) -> Option<AsgInfo> {
        let name = g.auto_scaling_group_name()?.to_string();
        self.cache.put_asg(
            side,
            &name,
            Capacity {
                min: clamp(g.min_size()),
                max: clamp(g.max_size()),
                desired: clamp(g.desired_capacity()),
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
        tags::tagged(self, side, tags, types).await
    }

    async fn asgs_tagged(
        &self,
        side: Side,
        tags: &[(String, String)],
    ) -> Result<Vec<AsgInfo>, BackendError> {
        tags::asgs_tagged(self, side, tags).await
    }

    async fn asgs_named(&self, side: Side, names: &[String]) -> Result<Vec<AsgInfo>, BackendError> {
        tags::asgs_named(self, side, names).await
    }

    async fn stack_resources(&self, side: Side, stack: &str) -> Result<StackAnswer, BackendError> {
        stack::stack_resources(self, side, stack).await
    }

    async fn load_balancers(
        &self,
        side: Side,
        arns: &[String],
    ) -> Result<Vec<LbInfo>, BackendError> {
        describe::load_balancers(self, side, arns).await
    }

    async fn services_in(
        &self,
        side: Side,
        cluster: &str,
        arns: &[String],
    ) -> Result<Vec<String>, BackendError> {
        describe::services_in(self, side, cluster, arns).await
    }

    async fn global_clusters(&self, side: Side) -> Result<Vec<GlobalInfo>, BackendError> {
        describe::global_clusters(self, side).await
    }

    async fn hosted_zones(&self) -> Result<Vec<String>, BackendError> {
        route53::hosted_zones(self).await
    }

    async fn zone_records(&self, zone_id: &str) -> Result<Vec<RecordInfo>, BackendError> {
        route53::zone_records(self, zone_id).await
    }

    async fn health_check(&self, id: &str) -> Result<Option<HealthCheckInfo>, BackendError> {
        route53::health_check(self, id).await
    }
}

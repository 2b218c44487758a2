//! The read-only calls that find an estate in AWS itself, by tag or in a CloudFormation stack;
//! the AWS backend implements them (src/backend/aws/discover/find.rs). What they answer is
//! plain data: no AWS type crosses this trait.

use async_trait::async_trait;

use super::confirm::{Reader, RecordInfo};
use crate::backend::BackendError;
use crate::model::Side;

/// The Resource Groups Tagging API resource types `init --tag` asks for. Auto Scaling groups
/// are read by their own tag filter and Route 53 by what its records point at.
pub const TAGGED_TYPES: &[&str] = &[
    "rds:db",
    "rds:cluster",
    "ecs:cluster",
    "ecs:service",
    "elasticloadbalancing:loadbalancer",
    "elasticloadbalancing:targetgroup",
    "cloudwatch:alarm",
    "ssm:parameter",
    "secretsmanager:secret",
    "backup:backup-vault",
    "lambda:function",
];

/// An Auto Scaling group as found: what pairing needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AsgInfo {
    pub name: String,
    pub arn: String,
    pub target_group_arns: Vec<String>,
}

/// A load balancer: what a record's alias or value is compared with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LbInfo {
    pub arn: String,
    pub name: String,
    pub dns_name: String,
    /// The load balancer's canonical hosted zone (what an alias names).
    pub zone_id: String,
}

/// One line of `ListStackResources`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StackResource {
    pub logical_id: String,
    pub physical_id: String,
    /// `AWS::ECS::Service`.
    pub kind: String,
}

/// An Aurora global database and the ARNs of its member clusters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GlobalInfo {
    pub id: String,
    pub members: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HealthCheckInfo {
    pub id: String,
    /// The domain name or address it checks, when it checks one.
    pub target: Option<String>,
}

/// Why a source found nothing to read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StackAnswer {
    Resources(Vec<StackResource>),
    /// `ListStackResources` says the stack does not exist in the region.
    NoSuchStack,
}

#[async_trait]
pub trait Finder: Reader {
    /// The ARNs of the resources of `types` carrying every one of `tags` (every page).
    async fn tagged(
        &self,
        side: Side,
        tags: &[(String, String)],
        types: &[&str],
    ) -> Result<Vec<String>, BackendError>;
    /// The Auto Scaling groups carrying every one of `tags` (every page).
    async fn asgs_tagged(
        &self,
        side: Side,
        tags: &[(String, String)],
    ) -> Result<Vec<AsgInfo>, BackendError>;
    /// The named groups that exist.
    async fn asgs_named(&self, side: Side, names: &[String]) -> Result<Vec<AsgInfo>, BackendError>;
    /// The resources of a stack (every page).
    async fn stack_resources(&self, side: Side, stack: &str) -> Result<StackAnswer, BackendError>;
    /// The load balancers among `arns` that exist.
    async fn load_balancers(
        &self,
        side: Side,
        arns: &[String],
    ) -> Result<Vec<LbInfo>, BackendError>;
    /// Which of the service ARNs (short form, without the cluster) are in `cluster`.
    async fn services_in(
        &self,
        side: Side,
        cluster: &str,
        arns: &[String],
    ) -> Result<Vec<String>, BackendError>;
    /// The global databases that have a member in the side's region.
    async fn global_clusters(&self, side: Side) -> Result<Vec<GlobalInfo>, BackendError>;
    /// Every hosted zone's id (every page).
    async fn hosted_zones(&self) -> Result<Vec<String>, BackendError>;
    /// Every record of a zone (every page).
    async fn zone_records(&self, zone_id: &str) -> Result<Vec<RecordInfo>, BackendError>;
    /// `None`: no such check.
    async fn health_check(&self, id: &str) -> Result<Option<HealthCheckInfo>, BackendError>;
}

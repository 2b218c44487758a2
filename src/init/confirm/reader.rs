//! What `init` asks AWS, and the answers: the read-only calls of [`Reader`] and what each
//! returns.

use async_trait::async_trait;

use crate::backend::BackendError;
use crate::config::Capacity;
use crate::model::Side;

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

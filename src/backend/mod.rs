//! The one interface the dashboard and the runbook engine use for every read and every action.
//! Two implementations: the built-in simulator and AWS. No AWS SDK type crosses this line.

pub mod action;
pub mod aws;
pub mod endpoint_value;
pub mod error;
pub mod fleet;
pub mod sim;

use async_trait::async_trait;

pub use action::{Action, ActionOutcome, EndpointStore, restore_token};
pub use endpoint_value::{EndpointKey, StoredEndpoint};
pub use error::{BackendError, ErrorKind};

use std::collections::BTreeMap;

use crate::model::{
    DataLedger, GlobalReading, Identity, Parts, Permission, QuotaKind, QuotaReading, RegionReading,
    Side, TaskSize,
};

/// What a backend is. Decisions (the shared run lock, notifications) read the variant; the
/// screen and the audit log show [`BackendMode::label`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BackendMode {
    /// The built-in simulated estate: no call leaves this process.
    Simulation,
    /// AWS, through the SDK. `label`: regions, profiles and endpoints, for display only.
    Aws { label: String },
}

impl BackendMode {
    /// Whether every call stays in this process (no AWS, no coordination table).
    pub fn is_simulation(&self) -> bool {
        matches!(self, BackendMode::Simulation)
    }

    /// What the header shows: `SIMULATION`, or the AWS regions and profiles.
    pub fn label(&self) -> String {
        match self {
            BackendMode::Simulation => "SIMULATION".into(),
            BackendMode::Aws { label } => label.clone(),
        }
    }
}

impl std::fmt::Display for BackendMode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.label())
    }
}

#[async_trait]
pub trait Backend: Send + Sync {
    /// What this backend is (the simulator or AWS), and its label for the header.
    fn mode(&self) -> BackendMode;

    /// Everything the dashboard shows for one region, in as few calls as AWS allows.
    async fn read_region(&self, side: Side) -> Result<RegionReading, BackendError>;

    /// Who the side's credentials are: account, principal and the account's alias. Read
    /// once, and again after a read of the side failed on its credentials (they were renewed,
    /// or changed), so that a caller may ask on every poll. A backend that cannot tell says
    /// so with an error, and a pinned account is then never taken as verified.
    async fn identity(&self, side: Side) -> Result<Identity, BackendError> {
        Err(BackendError::new(
            ErrorKind::Other,
            &side.to_string(),
            "sts:GetCallerIdentity",
            "",
            "this backend does not read the caller's identity",
        ))
    }

    /// Route 53 health checks and the DNS record.
    async fn read_global(&self) -> Result<GlobalReading, BackendError>;

    /// Only `parts` of one region (the others are left [`crate::model::SectionError::not_read`]): what a
    /// runbook step reads. A backend that cannot read less reads everything.
    async fn read_parts(&self, side: Side, parts: Parts) -> Result<RegionReading, BackendError> {
        let _ = parts;
        self.read_region(side).await
    }

    /// Only `parts` of Route 53 ([`Parts::DNS`], [`Parts::HEALTH_CHECKS`]).
    async fn read_global_parts(&self, parts: Parts) -> Result<GlobalReading, BackendError> {
        let _ = parts;
        self.read_global().await
    }

    /// Performs one change. Says what it changed so that the caller can log it.
    async fn act(&self, action: &Action) -> Result<ActionOutcome, BackendError>;

    /// Whether a Route 53 change has reached every name server (`INSYNC`).
    async fn dns_change_in_sync(&self, change_id: &str) -> Result<bool, BackendError>;

    /// Writes acknowledged and lost so far, where the backend can count them (the simulator).
    fn data_ledger(&self) -> Option<DataLedger> {
        None
    }

    /// Whether the principal `side`'s credentials resolve to may make each call of `actions`
    /// on the resources they name (IAM policy simulation: `iam:SimulatePrincipalPolicy`).
    /// Only reads. A backend, or a caller, that cannot simulate says so with an error: the
    /// permissions are then "not evaluated", never "passed".
    async fn simulate_actions(
        &self,
        side: Side,
        actions: &[Action],
    ) -> Result<Vec<Permission>, BackendError> {
        let _ = actions;
        Err(BackendError::new(
            ErrorKind::Other,
            &side.to_string(),
            "iam:SimulatePrincipalPolicy",
            "",
            "this backend does not simulate IAM policies",
        ))
    }

    /// The sizes of `task_definitions` in `side` (`ecs:DescribeTaskDefinition`, one per
    /// definition): what a service at production counts against the Fargate vCPU quota.
    /// Only reads.
    async fn task_sizes(
        &self,
        side: Side,
        task_definitions: &[String],
    ) -> Result<Vec<TaskSize>, BackendError> {
        let _ = task_definitions;
        Err(BackendError::new(
            ErrorKind::Other,
            &side.to_string(),
            "ecs:DescribeTaskDefinition",
            "",
            "this backend does not read task definitions",
        ))
    }

    /// The applied Service Quotas values of `kinds` in `side`. Only reads.
    async fn quotas(
        &self,
        side: Side,
        kinds: &[QuotaKind],
    ) -> Result<Vec<QuotaReading>, BackendError> {
        let _ = kinds;
        Err(BackendError::new(
            ErrorKind::Other,
            &side.to_string(),
            "servicequotas:GetServiceQuota",
            "",
            "this backend does not read service quotas",
        ))
    }

    /// AWS calls made so far by operation (`RDS.DescribeDBInstances`), where the backend
    /// counts them.
    fn calls_by_operation(&self) -> Option<BTreeMap<String, u64>> {
        None
    }

    /// Reads back a stored database endpoint (SSM parameter or secret) in one region: where
    /// it sits in the value and what is there (`None`: the parameter or secret does not exist).
    async fn read_endpoint(
        &self,
        side: Side,
        store: &EndpointStore,
    ) -> Result<Option<StoredEndpoint>, BackendError>;
}

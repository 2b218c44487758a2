//! The one interface the dashboard and the runbook engine use for every read and every action.
//! Two implementations: the built-in simulator and AWS. No AWS SDK type crosses this line.

pub mod action;
pub mod aws;
pub mod error;
pub mod fleet;
pub mod sim;

use async_trait::async_trait;

pub use action::{Action, ActionOutcome, EndpointStore, restore_token};
pub use error::{BackendError, ErrorKind};

use crate::model::{DataLedger, GlobalReading, Identity, Parts, RegionReading, Side};

#[async_trait]
pub trait Backend: Send + Sync {
    /// What the header shows: `SIMULATION`, or the AWS profile and account.
    fn mode(&self) -> String;

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

    /// Reads back a stored database endpoint (SSM parameter or secret) in one region.
    async fn read_endpoint(
        &self,
        side: Side,
        store: &EndpointStore,
    ) -> Result<Option<String>, BackendError>;
}

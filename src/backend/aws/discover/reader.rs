//! The read-only calls of `init`'s confirmation, each answered by the module that makes it.

use async_trait::async_trait;

use super::{Discovery, capacity, database, exists, route53};
use crate::backend::BackendError;
use crate::config::Capacity;
use crate::init::confirm::{ClusterInfo, DbInstanceInfo, Reader, RecordInfo, StoreMatch};
use crate::model::Side;

#[async_trait]
impl Reader for Discovery {
    async fn db_instance(
        &self,
        side: Side,
        id: &str,
    ) -> Result<Option<DbInstanceInfo>, BackendError> {
        database::db_instance(self, side, id).await
    }

    async fn db_cluster(&self, side: Side, id: &str) -> Result<Option<ClusterInfo>, BackendError> {
        database::db_cluster(self, side, id).await
    }

    async fn service_counts(
        &self,
        side: Side,
        cluster: &str,
        names: &[String],
    ) -> Result<Vec<(String, u32)>, BackendError> {
        capacity::service_counts(self, side, cluster, names).await
    }

    async fn asg_capacities(
        &self,
        side: Side,
        names: &[String],
    ) -> Result<Vec<(String, Capacity)>, BackendError> {
        capacity::asg_capacities(self, side, names).await
    }

    async fn target_groups(
        &self,
        side: Side,
        arns: &[String],
    ) -> Result<Vec<String>, BackendError> {
        exists::target_groups(self, side, arns).await
    }

    async fn records(&self, zone_id: &str, name: &str) -> Result<Vec<RecordInfo>, BackendError> {
        route53::records(self, zone_id, name).await
    }

    async fn health_check_exists(&self, id: &str) -> Result<bool, BackendError> {
        route53::health_check_exists(self, id).await
    }

    async fn alarms(&self, side: Side, names: &[String]) -> Result<Vec<String>, BackendError> {
        exists::alarms(self, side, names).await
    }

    async fn parameter_matches(
        &self,
        side: Side,
        name: &str,
        address: &str,
    ) -> Result<StoreMatch, BackendError> {
        database::parameter_matches(self, side, name, address).await
    }

    async fn secret_matches(
        &self,
        side: Side,
        name: &str,
        address: &str,
    ) -> Result<StoreMatch, BackendError> {
        database::secret_matches(self, side, name, address).await
    }

    async fn backup_vault_exists(&self, side: Side, name: &str) -> Result<bool, BackendError> {
        database::backup_vault_exists(self, side, name).await
    }
}

//! AWS as a table: a [`Reader`] that answers from what a test put in it.

use std::collections::BTreeMap;

use async_trait::async_trait;

use super::super::confirm::*;
use crate::backend::BackendError;
use crate::config::Capacity;
use crate::model::{ErrorKind, Side};

/// AWS as a table; every call counted. `fail` makes every call fail with that kind.
#[derive(Default)]
pub(super) struct Table {
    pub(super) instances: BTreeMap<(Side, String), DbInstanceInfo>,
    pub(super) services: BTreeMap<Side, Vec<(String, u32)>>,
    pub(super) asgs: BTreeMap<Side, Vec<(String, Capacity)>>,
    pub(super) secrets: BTreeMap<String, String>,
    pub(super) records: Vec<RecordInfo>,
    pub(super) checks: Vec<String>,
    pub(super) fail: Option<ErrorKind>,
}

impl Table {
    fn err(&self) -> Result<(), BackendError> {
        match self.fail {
            Some(k) => Err(BackendError::new(
                k,
                "us-east-1 (primary)",
                "op",
                "x",
                "refused",
            )),
            None => Ok(()),
        }
    }
}

#[async_trait]
impl Reader for Table {
    async fn db_instance(
        &self,
        side: Side,
        id: &str,
    ) -> Result<Option<DbInstanceInfo>, BackendError> {
        self.err()?;
        Ok(self.instances.get(&(side, id.to_string())).cloned())
    }
    async fn db_cluster(&self, _: Side, _: &str) -> Result<Option<ClusterInfo>, BackendError> {
        self.err()?;
        Ok(None)
    }
    async fn service_counts(
        &self,
        side: Side,
        _: &str,
        _: &[String],
    ) -> Result<Vec<(String, u32)>, BackendError> {
        self.err()?;
        Ok(self.services.get(&side).cloned().unwrap_or_default())
    }
    async fn asg_capacities(
        &self,
        side: Side,
        _: &[String],
    ) -> Result<Vec<(String, Capacity)>, BackendError> {
        self.err()?;
        Ok(self.asgs.get(&side).cloned().unwrap_or_default())
    }
    async fn target_groups(&self, _: Side, arns: &[String]) -> Result<Vec<String>, BackendError> {
        self.err()?;
        Ok(arns.to_vec())
    }
    async fn records(&self, _: &str, _: &str) -> Result<Vec<RecordInfo>, BackendError> {
        self.err()?;
        Ok(self.records.clone())
    }
    async fn health_check_exists(&self, id: &str) -> Result<bool, BackendError> {
        self.err()?;
        Ok(self.checks.iter().any(|c| c == id))
    }
    async fn alarms(&self, _: Side, names: &[String]) -> Result<Vec<String>, BackendError> {
        self.err()?;
        Ok(names.to_vec())
    }
    async fn parameter_matches(
        &self,
        _: Side,
        _: &str,
        _: &str,
    ) -> Result<StoreMatch, BackendError> {
        self.err()?;
        Ok(StoreMatch::Absent)
    }
    async fn secret_matches(
        &self,
        _: Side,
        name: &str,
        address: &str,
    ) -> Result<StoreMatch, BackendError> {
        self.err()?;
        Ok(match self.secrets.get(name) {
            Some(v) if v == address => StoreMatch::Whole,
            Some(v) if v.contains(address) => StoreMatch::JsonKey("host".into()),
            Some(_) => StoreMatch::Other,
            None => StoreMatch::Absent,
        })
    }
    async fn backup_vault_exists(&self, _: Side, _: &str) -> Result<bool, BackendError> {
        self.err()?;
        Ok(true)
    }
}

//! A backend decorator for tests: passes everything to the wrapped backend and records
//! every `act`, so a test can prove that no change was made without confirmation.
#![allow(dead_code)]

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use drconsole::backend::{Action, ActionOutcome, Backend, BackendError, EndpointStore};
use drconsole::model::{GlobalReading, Parts, RegionReading, Side};

/// Wraps a backend and records every `act`.
pub struct Counting {
    inner: Arc<dyn Backend>,
    acts: AtomicUsize,
    log: Mutex<Vec<Action>>,
}

impl Counting {
    pub fn new(inner: Arc<dyn Backend>) -> Arc<Counting> {
        Arc::new(Counting {
            inner,
            acts: AtomicUsize::new(0),
            log: Mutex::new(Vec::new()),
        })
    }
    pub fn count(&self) -> usize {
        self.acts.load(Ordering::SeqCst)
    }
    pub fn actions(&self) -> Vec<Action> {
        self.log.lock().unwrap().clone()
    }
}

#[async_trait]
impl Backend for Counting {
    fn mode(&self) -> drconsole::backend::BackendMode {
        self.inner.mode()
    }
    fn data_ledger(&self) -> Option<drconsole::model::DataLedger> {
        self.inner.data_ledger()
    }
    async fn read_region(&self, side: Side) -> Result<RegionReading, BackendError> {
        self.inner.read_region(side).await
    }
    async fn read_global(&self) -> Result<GlobalReading, BackendError> {
        self.inner.read_global().await
    }
    async fn identity(&self, side: Side) -> Result<drconsole::model::Identity, BackendError> {
        self.inner.identity(side).await
    }
    async fn act(&self, action: &Action) -> Result<ActionOutcome, BackendError> {
        self.acts.fetch_add(1, Ordering::SeqCst);
        self.log.lock().unwrap().push(action.clone());
        self.inner.act(action).await
    }
    async fn dns_change_in_sync(&self, change_id: &str) -> Result<bool, BackendError> {
        self.inner.dns_change_in_sync(change_id).await
    }
    async fn read_endpoint(
        &self,
        side: Side,
        store: &EndpointStore,
    ) -> Result<Option<drconsole::backend::StoredEndpoint>, BackendError> {
        self.inner.read_endpoint(side, store).await
    }
    async fn read_parts(&self, side: Side, parts: Parts) -> Result<RegionReading, BackendError> {
        self.inner.read_parts(side, parts).await
    }
    async fn read_global_parts(&self, parts: Parts) -> Result<GlobalReading, BackendError> {
        self.inner.read_global_parts(parts).await
    }
}

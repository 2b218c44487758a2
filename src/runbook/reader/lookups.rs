//! Reads made straight through the backend, outside the shared cache: where the application
//! reads its database endpoint from (or a dry run's prediction of it), and whether a Route 53
//! change is in sync.

use super::Reader;
use crate::backend::EndpointStore;
use crate::model::Side;
use crate::runbook::error::StepError;

impl Reader {
    pub async fn endpoint(
        &self,
        side: Side,
        store: &EndpointStore,
    ) -> Result<Option<crate::backend::StoredEndpoint>, StepError> {
        if let Some(v) = self.readings.predicted_endpoint(side, store) {
            self.readings.note_prediction_used();
            // What an earlier step would write: an endpoint, no secret.
            return Ok(Some(crate::backend::StoredEndpoint {
                key: None,
                endpoint: Ok(Some(crate::model::SecretString::from(v))),
                showable: true,
            }));
        }
        let b = self.backend.clone();
        self.call(Some(side), "read endpoint", || {
            let b = b.clone();
            let store = store.clone();
            async move { b.read_endpoint(side, &store).await }
        })
        .await
        .map_err(|e| StepError::call(Some(side), e))
    }

    pub async fn dns_in_sync(&self, change_id: &str) -> Result<bool, StepError> {
        let b = self.backend.clone();
        self.call(None, "route53:GetChange", || {
            let b = b.clone();
            let id = change_id.to_string();
            async move { b.dns_change_in_sync(&id).await }
        })
        .await
        .map_err(|e| StepError::call(None, e))
    }
}

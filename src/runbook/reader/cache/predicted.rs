//! A dry run's predictions, as the cache keeps them: the parts whose reading is what earlier
//! steps would leave, and the endpoints they would write.

use super::{Readings, index};
use crate::model::{Parts, Side};

#[derive(Default)]
pub(super) struct Predicted {
    /// Per region (primary, standby, Route 53).
    parts: [Parts; 3],
    endpoints: Vec<(Side, crate::backend::EndpointStore, String)>,
}

impl Readings {
    /// `parts` of `side` (Route 53 when `None`) now hold a prediction.
    pub fn predicted(&self, side: Option<Side>, parts: Parts) {
        if let Ok(mut p) = self.predicted.lock() {
            p.parts[side.map_or(2, index)] |= parts;
        }
    }

    pub fn predicted_parts(&self, side: Option<Side>) -> Parts {
        self.predicted
            .lock()
            .map(|p| p.parts[side.map_or(2, index)])
            .unwrap_or_default()
    }

    pub fn predict_endpoint(&self, side: Side, store: &crate::backend::EndpointStore, v: &str) {
        if let Ok(mut p) = self.predicted.lock() {
            p.endpoints
                .retain(|(s, st, _)| !(*s == side && st == store));
            p.endpoints.push((side, store.clone(), v.to_string()));
        }
    }

    pub fn predicted_endpoint(
        &self,
        side: Side,
        store: &crate::backend::EndpointStore,
    ) -> Option<String> {
        let p = self.predicted.lock().ok()?;
        p.endpoints
            .iter()
            .find(|(s, st, _)| *s == side && st == store)
            .map(|(_, _, v)| v.clone())
    }

    pub fn note_prediction_used(&self) {
        self.used_prediction
            .store(true, std::sync::atomic::Ordering::SeqCst);
    }

    /// Whether a read answered with a prediction since the last time this was asked.
    pub fn take_prediction_used(&self) -> bool {
        self.used_prediction
            .swap(false, std::sync::atomic::Ordering::SeqCst)
    }
}

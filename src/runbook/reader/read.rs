//! Parts of a region or of Route 53 read through the run's shared cache: one read per tick
//! serves every step that asks, a failure is shared for the tick, and a dry run's prediction
//! answers for the parts it covers.

use super::{Reader, cache};
use crate::backend::{BackendError, ErrorKind};
use crate::model::{GlobalReading, Parts, RegionReading, Side};
use crate::runbook::error::StepError;

/// The first part of a reading that AWS answered throttled.
fn throttled_section(r: &RegionReading) -> Option<&crate::model::SectionError> {
    fn t<T>(s: &crate::model::Section<T>) -> Option<&crate::model::SectionError> {
        s.as_ref().err().filter(|e| e.kind == ErrorKind::Throttled)
    }
    r.database
        .as_ref()
        .and_then(t)
        .or_else(|| t(&r.services))
        .or_else(|| t(&r.asgs))
        .or_else(|| t(&r.target_groups))
        .or_else(|| t(&r.alarms))
        .or_else(|| r.replicated.as_ref().and_then(t))
}

impl Reader {
    /// Every part of a region, read now (or in this tick).
    pub async fn region(&self, side: Side) -> Result<RegionReading, StepError> {
        self.read(side, Parts::REGION).await
    }

    /// `parts` of a region as they are now: read unless another step read them in this tick
    /// (and nothing changed there since). Only those parts are in the answer. A region the
    /// run does not touch is not called: its newest known reading answers.
    pub async fn read(&self, side: Side, parts: Parts) -> Result<RegionReading, StepError> {
        if !self.touches(side) {
            return self.known_only(side, parts);
        }
        let b = self.backend.clone();
        let slot = &self.readings.sides[cache::index(side)];
        let label = self.region_label(side);
        let read = self
            .through_cache(
                Some(side),
                slot,
                parts.normalized(),
                "describe",
                |missing| {
                    let b = b.clone();
                    let label = label.clone();
                    async move {
                        let r = b.read_parts(side, missing).await?;
                        // A part AWS throttled is the read throttled: backed off and read
                        // again while it lasts, never taken as the state.
                        match throttled_section(&r) {
                            Some(e) => Err(BackendError::new(
                                ErrorKind::Throttled,
                                &label,
                                "describe",
                                "",
                                e.message.clone(),
                            )),
                            None => Ok(r),
                        }
                    }
                },
            )
            .await?;
        Ok(read.unwrap_or_else(|| RegionReading::unread(false)))
    }

    /// `parts` of one scope (a region, or Route 53 when `None`) through the run's shared
    /// cache: what is missing or stale in this tick is fetched with `fetch` and stored; a
    /// failure is shared for the tick; a predicted part is answered by its prediction.
    async fn through_cache<R, F, Fut>(
        &self,
        scope: Option<Side>,
        slot: &tokio::sync::Mutex<cache::Slot<R>>,
        parts: Parts,
        what: &str,
        fetch: F,
    ) -> Result<Option<R>, StepError>
    where
        R: cache::Partial,
        F: Fn(Parts) -> Fut,
        Fut: std::future::Future<Output = Result<R, BackendError>>,
    {
        let mut slot = slot.lock().await;
        if let Some(e) = slot.failed_since(self.tick_start()) {
            return Err(StepError::call(scope, e.clone()));
        }
        // The lag is read with its database: a stale lag re-reads both. A predicted part is
        // not read again: the prediction is the state asked about.
        let predicted = self.readings.predicted_parts(scope);
        if parts.intersects(predicted) {
            self.readings.note_prediction_used();
        }
        let missing = slot
            .missing(parts.minus(predicted), |p, t| self.fresh(scope, p, t))
            .normalized()
            .minus(predicted);
        if !missing.is_empty() {
            let began = self.readings.stamp();
            match self.call(scope, what, || fetch(missing)).await {
                Ok(r) => slot.store(r, missing, began),
                Err(e) => {
                    slot.fail(e.clone());
                    return Err(StepError::call(scope, e));
                }
            }
        }
        Ok(slot.view(parts))
    }

    /// All of Route 53, read now (or in this tick).
    pub async fn global(&self) -> Result<GlobalReading, StepError> {
        self.global_parts(Parts::GLOBAL).await
    }

    /// `parts` of Route 53 as they are now, shared within a tick like [`Reader::read`].
    pub async fn global_parts(&self, parts: Parts) -> Result<GlobalReading, StepError> {
        let b = self.backend.clone();
        let slot = &self.readings.global;
        self.through_cache(None, slot, parts, "route53:read", |missing| {
            let b = b.clone();
            async move { b.read_global_parts(missing).await }
        })
        .await?
        .ok_or_else(|| StepError::missing("Route 53 not read"))
    }

    /// Forgets what was read (not a dry run's predictions): an operator's retry reads AWS
    /// again, whatever changed meanwhile outside the run.
    pub async fn forget(&self) {
        let now = self.readings.stamp();
        for slot in &self.readings.sides {
            slot.lock().await.forget(now);
        }
        self.readings.global.lock().await.forget(now);
    }
}

//! Renewing the lease on the version this holder wrote, resolving a lost answer or a failed
//! condition by reading the item back, and releasing it.

use std::time::Duration;

use chrono::Utc;

use super::item::millis;
use super::{RenewError, Renewed, Table, err_text, n, s};
use crate::runbook::lock::Holder;

impl Table {
    /// Renews `mine`'s lease and writes its progress, on the condition that the lease is still
    /// the version it holds. On success `mine` carries the new version and expiry.
    ///
    /// A write that fails its condition, or whose answer is lost, is resolved by reading the
    /// item (consistently): still this run's, at the version it wrote → renewed; someone
    /// else's (or gone) → lost. After a failed condition the read is tried again until
    /// `until` (the lease as this holder knows it, nearly over); an answer lost with the read
    /// failing too is only "unreachable" (nothing known applied), and the next renewal
    /// resolves it.
    pub async fn renew(
        &self,
        mine: &mut Holder,
        lease: Duration,
        until: tokio::time::Instant,
    ) -> Result<Renewed, RenewError> {
        let next = mine.lease_version + 1;
        let expires = Utc::now() + lease;
        let res = self
            .client
            .update_item()
            .table_name(&self.table)
            .key("estate", s(&self.estate))
            .update_expression("SET lease_version = :next, expires_at = :exp, progress = :p")
            .condition_expression("lease_version = :mine AND run_id = :run")
            .expression_attribute_values(":next", n(next))
            .expression_attribute_values(":exp", n(millis(expires)))
            .expression_attribute_values(
                ":p",
                s(&serde_json::to_string(&mine.progress).unwrap_or_default()),
            )
            .expression_attribute_values(":mine", n(mine.lease_version))
            .expression_attribute_values(":run", s(&mine.run_id))
            .send()
            .await;
        let condition_failed = match res {
            Ok(_) => {
                mine.lease_version = next;
                mine.expires_at = Some(expires);
                return Ok(Renewed::Now);
            }
            Err(e)
                if e.as_service_error()
                    .is_some_and(|se| se.is_conditional_check_failed_exception()) =>
            {
                None
            }
            Err(e) => Some(format!("{}: {}", self.label, err_text(&e))),
        };
        let seen = match condition_failed {
            // The answer was lost: one read tells whether it was applied.
            Some(why) => match self.read().await {
                Ok(h) => h,
                Err(_) => return Err(RenewError::Unreachable(why)),
            },
            None => self.read_until(until).await?,
        };
        match seen {
            Some(h) if Self::ours(&h, mine) && h.lease_version == next => {
                mine.lease_version = next;
                mine.expires_at = h.expires_at;
                Ok(if h.expires_at.map(millis) == Some(millis(expires)) {
                    Renewed::Resolved
                } else {
                    Renewed::Earlier
                })
            }
            // Not applied, still ours: the table failed before writing.
            Some(h) if Self::ours(&h, mine) && h.lease_version == mine.lease_version => Err(
                RenewError::Unreachable(format!("{}: the renewal was not applied", self.label)),
            ),
            other => Err(RenewError::Lost(other.map(Box::new))),
        }
    }

    /// The item, read again (every second) until it answers or `until` comes.
    async fn read_until(&self, until: tokio::time::Instant) -> Result<Option<Holder>, RenewError> {
        loop {
            match self.read().await {
                Ok(h) => return Ok(h),
                Err(e) if tokio::time::Instant::now() + Duration::from_secs(1) >= until => {
                    return Err(RenewError::Unresolved(e));
                }
                Err(_) => tokio::time::sleep(Duration::from_secs(1)).await,
            }
        }
    }

    /// Deletes the item if the lease is still `version`.
    pub async fn release(&self, version: u64) -> Result<(), String> {
        self.client
            .delete_item()
            .table_name(&self.table)
            .key("estate", s(&self.estate))
            .condition_expression("lease_version = :mine")
            .expression_attribute_values(":mine", n(version))
            .send()
            .await
            .map(|_| ())
            .map_err(|e| format!("{}: {}", self.label, err_text(&e)))
    }
}

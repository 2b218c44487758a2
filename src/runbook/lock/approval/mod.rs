//! Approval requests in the coordination table, beside the run lock's item: one item per run
//! and step, keyed `ESTATE#approval#RUN#STEP` (the table's partition key `estate`).
//!
//! - request: `PutItem` (a new `request_id` each time the step asks);
//! - approve: `UpdateItem` on `request_id = :rid AND plan_sha256 = :h AND approval_status =
//!   pending AND expires_at > :now` (the approver's clock), after the approver was checked
//!   not to be the operator who asked;
//! - close (timed out, withdrawn): `UpdateItem` on `request_id = :rid AND approval_status =
//!   pending`, then read back: of a late approval and the timeout, one write wins.
//!
//! The item's key, its encoding read back and its consistent read are here; the calls that
//! write it, as the approval [`Store`](crate::runbook::approval::store::Store), in [`store`].

mod store;

use std::collections::HashMap;

use aws_sdk_dynamodb::types::AttributeValue;
use chrono::{DateTime, Utc};

use super::dynamo::{Table, err_text, s};
use crate::runbook::approval::{Request, Status};

const PENDING: &str = "pending";

impl Table {
    fn approval_key(&self, run_id: &str, step: &str) -> AttributeValue {
        s(&format!("{}#approval#{run_id}#{step}", self.estate))
    }

    fn request_of(item: &HashMap<String, AttributeValue>) -> Option<Request> {
        let gs = |k: &str| item.get(k).and_then(|v| v.as_s().ok()).cloned();
        let mut r: Request = serde_json::from_str(&gs("request")?).ok()?;
        let status = gs("approval_status").unwrap_or_default();
        r.status = match status.as_str() {
            PENDING => Status::Pending,
            "approved" => Status::Approved {
                by: serde_json::from_str(&gs("approved_by")?).ok()?,
                at: gs("approved_at")
                    .and_then(|t| DateTime::parse_from_rfc3339(&t).ok())
                    .map(|t| t.with_timezone(&Utc))?,
            },
            "expired" => Status::Expired,
            _ => Status::Withdrawn {
                reason: gs("closed_reason").unwrap_or_default(),
            },
        };
        Some(r)
    }

    async fn get_request(&self, run_id: &str, step: &str) -> Result<Option<Request>, String> {
        let out = self
            .reads
            .get_item()
            .table_name(&self.table)
            .key("estate", self.approval_key(run_id, step))
            .consistent_read(true)
            .send()
            .await
            .map_err(|e| format!("{}: {}", self.label, err_text(&e)))?;
        Ok(out.item().and_then(Self::request_of))
    }
}

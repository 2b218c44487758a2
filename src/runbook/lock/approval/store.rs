//! The approval store in the coordination table: a request put, approved on its conditions,
//! and closed, each conditional write read back when its answer is lost or its condition
//! fails.

use std::collections::HashMap;

use async_trait::async_trait;
use chrono::Utc;

use super::PENDING;
use crate::runbook::approval::store::{Store, explain};
use crate::runbook::approval::{Operator, Refused, Request, Status};
use crate::runbook::lock::dynamo::{Table, err_text, n, s};

#[async_trait]
impl Store for Table {
    fn label(&self) -> String {
        self.label.clone()
    }

    async fn put(&self, r: &Request) -> Result<(), String> {
        let mut pending = r.clone();
        pending.status = Status::Pending;
        let mut m = HashMap::new();
        m.insert("estate".into(), self.approval_key(&r.run_id, &r.step));
        m.insert("kind".into(), s("approval"));
        m.insert("run_id".into(), s(&r.run_id));
        m.insert("step".into(), s(&r.step));
        m.insert("request_id".into(), s(&r.request_id));
        m.insert("plan_sha256".into(), s(&r.plan_sha256));
        m.insert("approval_status".into(), s(PENDING));
        m.insert("expires_at".into(), n(r.expires_at.timestamp_millis()));
        m.insert(
            "request".into(),
            s(&serde_json::to_string(&pending).map_err(|e| e.to_string())?),
        );
        self.client
            .put_item()
            .table_name(&self.table)
            .set_item(Some(m))
            .send()
            .await
            .map(|_| ())
            .map_err(|e| format!("{}: {}", self.label, err_text(&e)))
    }

    async fn get(&self, run_id: &str, step: &str) -> Result<Option<Request>, String> {
        self.get_request(run_id, step).await
    }

    async fn approve(
        &self,
        run_id: &str,
        step: &str,
        request_id: &str,
        plan_sha256: &str,
        by: &Operator,
    ) -> Result<Request, Refused> {
        let found = self
            .get_request(run_id, step)
            .await
            .map_err(Refused::Unreachable)?;
        let Some(r) = &found else {
            return Err(Refused::NoRequest);
        };
        crate::runbook::approval::check(r, request_id, plan_sha256, by, Utc::now())?;
        let at = Utc::now();
        let by_json = serde_json::to_string(by).map_err(|e| Refused::Unreachable(e.to_string()))?;
        let res = self
            .client
            .update_item()
            .table_name(&self.table)
            .key("estate", self.approval_key(run_id, step))
            .update_expression(
                "SET approval_status = :approved, approved_by = :by, approved_at = :at",
            )
            .condition_expression(
                "request_id = :rid AND plan_sha256 = :h AND approval_status = :pending \
                 AND expires_at > :now",
            )
            .expression_attribute_values(":approved", s("approved"))
            .expression_attribute_values(":by", s(&by_json))
            .expression_attribute_values(":at", s(&at.to_rfc3339()))
            .expression_attribute_values(":rid", s(request_id))
            .expression_attribute_values(":h", s(plan_sha256))
            .expression_attribute_values(":pending", s(PENDING))
            .expression_attribute_values(":now", n(at.timestamp_millis()))
            .send()
            .await;
        let lost_answer = match res {
            Ok(_) => {
                let mut done = r.clone();
                done.status = Status::Approved { by: by.clone(), at };
                return Ok(done);
            }
            Err(e)
                if e.as_service_error()
                    .is_some_and(|se| se.is_conditional_check_failed_exception()) =>
            {
                None
            }
            Err(e) => Some(format!("{}: {}", self.label, err_text(&e))),
        };
        // Read back: what was written, or why it was not (an answer lost is resolved so too).
        let now = self.get_request(run_id, step).await;
        match (now, lost_answer) {
            (Ok(Some(r)), _) if matches!(&r.status, Status::Approved { by: b, .. } if b == by) => {
                Ok(r)
            }
            (Ok(found), _) => Err(explain(found.as_ref(), request_id, plan_sha256, by)),
            (Err(e), Some(why)) => Err(Refused::Unreachable(format!("{why}; {e}"))),
            (Err(e), None) => Err(Refused::Unreachable(e)),
        }
    }

    async fn close(
        &self,
        run_id: &str,
        step: &str,
        request_id: &str,
        status: Status,
    ) -> Result<Option<Request>, String> {
        let (word, reason) = match &status {
            Status::Expired => ("expired", String::new()),
            Status::Withdrawn { reason } => ("withdrawn", reason.clone()),
            _ => return Err("only a pending request is closed".into()),
        };
        let res = self
            .client
            .update_item()
            .table_name(&self.table)
            .key("estate", self.approval_key(run_id, step))
            .update_expression("SET approval_status = :s, closed_reason = :r")
            .condition_expression("request_id = :rid AND approval_status = :pending")
            .expression_attribute_values(":s", s(word))
            .expression_attribute_values(":r", s(&reason))
            .expression_attribute_values(":rid", s(request_id))
            .expression_attribute_values(":pending", s(PENDING))
            .send()
            .await;
        if let Err(e) = &res
            && !e
                .as_service_error()
                .is_some_and(|se| se.is_conditional_check_failed_exception())
        {
            // Perhaps applied, its answer lost: the item says.
            return self
                .get_request(run_id, step)
                .await
                .map_err(|r| format!("{}: {}; {r}", self.label, err_text(e)));
        }
        self.get_request(run_id, step).await
    }
}

//! The item of the run lock: a [`Holder`] written as attributes and read back, and the
//! attribute values and error text every call on the table shares.

use std::collections::HashMap;

use aws_sdk_dynamodb::types::AttributeValue;
use chrono::{DateTime, TimeZone, Utc};

use super::Table;
use crate::runbook::lock::{Holder, Progress};

pub(in crate::runbook::lock) fn s(v: &str) -> AttributeValue {
    AttributeValue::S(v.to_string())
}
pub(in crate::runbook::lock) fn n(v: impl ToString) -> AttributeValue {
    AttributeValue::N(v.to_string())
}

pub(super) fn millis(t: DateTime<Utc>) -> i64 {
    t.timestamp_millis()
}

pub(in crate::runbook::lock) fn err_text<E>(e: &aws_sdk_dynamodb::error::SdkError<E>) -> String
where
    E: std::error::Error + aws_sdk_dynamodb::error::ProvideErrorMetadata + Send + Sync + 'static,
{
    match e.as_service_error() {
        Some(se) => format!(
            "{}: {}",
            se.code().unwrap_or("error"),
            se.message().unwrap_or("")
        ),
        None => format!(
            "{}",
            aws_smithy_types::error::display::DisplayErrorContext(e)
        ),
    }
}

impl Table {
    /// Whether `h` is `mine`, written by this very run (holder and run).
    pub(super) fn ours(h: &Holder, mine: &Holder) -> bool {
        h.run_id == mine.run_id && h.host == mine.host && h.pid == mine.pid && h.user == mine.user
    }

    pub(super) fn item(&self, h: &Holder) -> HashMap<String, AttributeValue> {
        let mut m = HashMap::new();
        m.insert("estate".into(), s(&self.estate));
        m.insert("user".into(), s(&h.user));
        m.insert("host".into(), s(&h.host));
        m.insert("pid".into(), n(h.pid));
        m.insert("runbook".into(), s(&h.runbook));
        m.insert("run_id".into(), s(&h.run_id));
        m.insert("since".into(), s(&h.since.to_rfc3339()));
        m.insert("lease_version".into(), n(h.lease_version));
        if let Some(e) = h.expires_at {
            m.insert("expires_at".into(), n(millis(e)));
        }
        m.insert(
            "progress".into(),
            s(&serde_json::to_string(&h.progress).unwrap_or_default()),
        );
        m
    }

    /// Reads an item back; `None` for one that is not a holder this program wrote.
    pub fn holder_of(item: &HashMap<String, AttributeValue>) -> Option<Holder> {
        let gs = |k: &str| item.get(k).and_then(|v| v.as_s().ok()).cloned();
        let gn = |k: &str| {
            item.get(k)
                .and_then(|v| v.as_n().ok())
                .and_then(|v| v.parse::<i64>().ok())
        };
        Some(Holder {
            user: gs("user")?,
            host: gs("host")?,
            pid: gn("pid")? as u32,
            runbook: gs("runbook").unwrap_or_default(),
            run_id: gs("run_id").unwrap_or_default(),
            since: gs("since")
                .and_then(|t| DateTime::parse_from_rfc3339(&t).ok())
                .map(|t| t.with_timezone(&Utc))
                .unwrap_or_else(Utc::now),
            lease_version: gn("lease_version").unwrap_or(0) as u64,
            expires_at: gn("expires_at").and_then(|ms| Utc.timestamp_millis_opt(ms).single()),
            progress: gs("progress")
                .and_then(|p| serde_json::from_str::<Progress>(&p).ok())
                .unwrap_or_default(),
        })
    }

    /// The current holder, read consistently.
    pub async fn read(&self) -> Result<Option<Holder>, String> {
        let out = self
            .reads
            .get_item()
            .table_name(&self.table)
            .key("estate", s(&self.estate))
            .consistent_read(true)
            .send()
            .await
            .map_err(|e| format!("{}: {}", self.label, err_text(&e)))?;
        Ok(out.item().and_then(Self::holder_of))
    }
}

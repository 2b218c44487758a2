//! The run lock shared through DynamoDB: one item per estate in the `[coordination]` table
//! (partition key `estate`), reached in the table's own region (default: the standby), never
//! the primary's. The item is the [`Holder`]: who, since when, the lease (`lease_version`,
//! `expires_at` in epoch milliseconds) and the run's progress (JSON).
//!
//! - claim: `PutItem` if `attribute_not_exists(estate)`; when that fails, the item is read
//!   and, only if its lease expired and the operator typed its holder, or its holder is a
//!   dead process of this machine (a crashed run being resumed), written again on the
//!   condition `lease_version = :seen` (so that of two takers, one wins);
//! - renew: `UpdateItem` of the expiry and progress on `lease_version = :mine`, bumping it;
//! - release: `DeleteItem` on `lease_version = :mine`.

use std::collections::HashMap;
use std::time::Duration;

use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::types::AttributeValue;
use chrono::{DateTime, TimeZone, Utc};

use super::{Holder, Progress};
use crate::config::coordination::Coordination;
use crate::config::{Estate, RegionConfig};

/// One estate's item in the coordination table.
#[derive(Debug, Clone)]
pub struct Table {
    client: Client,
    pub table: String,
    pub estate: String,
    /// Where the table is read: `drconsole-runs in us-west-2`.
    pub label: String,
}

/// How a claim ended.
#[derive(Debug)]
pub enum Claimed {
    /// The item was free: ours now.
    Fresh(Holder),
    /// An expired lease, taken over as the operator typed.
    TakenOver { now: Holder, from: Box<Holder> },
    /// Our own crashed process's lease (this machine, its process gone), claimed again.
    Reclaimed { now: Holder, from: Box<Holder> },
}

/// Why a claim did not succeed.
#[derive(Debug)]
pub enum ClaimError {
    Held { holder: Box<Holder>, expired: bool },
    Unreachable(String),
}

/// Why a renewal did not succeed.
#[derive(Debug)]
pub enum RenewError {
    /// The lease is no longer ours: another holder (if the item could be read) has it.
    Lost(Option<Box<Holder>>),
    Unreachable(String),
}

fn s(v: &str) -> AttributeValue {
    AttributeValue::S(v.to_string())
}
fn n(v: impl ToString) -> AttributeValue {
    AttributeValue::N(v.to_string())
}

fn millis(t: DateTime<Utc>) -> i64 {
    t.timestamp_millis()
}

fn err_text<E>(e: &aws_sdk_dynamodb::error::SdkError<E>) -> String
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
    /// The table's client: its region (default the standby's), its profile (default the
    /// standby's), and the standby's `endpoint_url` when it has one (an emulator or a VPC
    /// endpoint reaches DynamoDB the way it reaches the standby).
    pub async fn connect(estate: &Estate, c: &Coordination) -> Table {
        let region = c
            .region
            .clone()
            .unwrap_or_else(|| estate.standby.region.clone());
        let cfg = RegionConfig {
            region: region.clone(),
            profile: c.profile.clone().or_else(|| estate.standby.profile.clone()),
            endpoint_url: estate.standby.endpoint_url.clone(),
            account_id: None,
        };
        let sdk = crate::backend::aws::load_sdk_config(&cfg, estate.call_timeout.0).await;
        let mut b = aws_sdk_dynamodb::config::Builder::from(&sdk);
        if let Some(url) = &cfg.endpoint_url {
            b = b.endpoint_url(url);
        }
        Table {
            client: Client::from_conf(b.build()),
            table: c.table.clone(),
            estate: estate.name.clone(),
            label: format!("{} in {}", c.table, region),
        }
    }

    fn item(&self, h: &Holder) -> HashMap<String, AttributeValue> {
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
            .client
            .get_item()
            .table_name(&self.table)
            .key("estate", s(&self.estate))
            .consistent_read(true)
            .send()
            .await
            .map_err(|e| format!("{}: {}", self.label, err_text(&e)))?;
        Ok(out.item().and_then(Self::holder_of))
    }

    /// Claims the estate for `me` (its lease starting now). `take_over`: the `user@host`
    /// the operator typed to take an expired lease.
    pub async fn claim(
        &self,
        me: &Holder,
        take_over: Option<&str>,
        lease: Duration,
    ) -> Result<Claimed, ClaimError> {
        let unreachable = |e: String| ClaimError::Unreachable(format!("{}: {e}", self.label));
        for _ in 0..3 {
            let mut mine = me.clone();
            mine.lease_version = 1;
            mine.expires_at = Some(Utc::now() + lease);
            let put = self
                .client
                .put_item()
                .table_name(&self.table)
                .set_item(Some(self.item(&mine)))
                .condition_expression("attribute_not_exists(estate)")
                .send()
                .await;
            match put {
                Ok(_) => return Ok(Claimed::Fresh(mine)),
                Err(e)
                    if e.as_service_error()
                        .is_some_and(|se| se.is_conditional_check_failed_exception()) => {}
                Err(e) => return Err(unreachable(err_text(&e))),
            }
            let Some(current) = self.read().await.map_err(ClaimError::Unreachable)? else {
                continue; // released in between: try again
            };
            // Our own write, whose answer was lost and retried.
            if current.run_id == me.run_id && current.host == me.host && current.pid == me.pid {
                return Ok(Claimed::Fresh(current));
            }
            let expired = current.expired(Utc::now());
            let typed = take_over.is_some_and(|t| t == current.who());
            let dead_here = current.is_dead_here();
            if !(dead_here || (expired && typed)) {
                return Err(ClaimError::Held {
                    holder: Box::new(current),
                    expired,
                });
            }
            mine.lease_version = current.lease_version + 1;
            mine.expires_at = Some(Utc::now() + lease);
            let put = self
                .client
                .put_item()
                .table_name(&self.table)
                .set_item(Some(self.item(&mine)))
                .condition_expression("lease_version = :seen")
                .expression_attribute_values(":seen", n(current.lease_version))
                .send()
                .await;
            match put {
                Ok(_) if dead_here => {
                    return Ok(Claimed::Reclaimed {
                        now: mine,
                        from: Box::new(current),
                    });
                }
                Ok(_) => {
                    return Ok(Claimed::TakenOver {
                        now: mine,
                        from: Box::new(current),
                    });
                }
                Err(e)
                    if e.as_service_error()
                        .is_some_and(|se| se.is_conditional_check_failed_exception()) =>
                {
                    continue; // someone else wrote first: look again
                }
                Err(e) => return Err(unreachable(err_text(&e))),
            }
        }
        match self.read().await {
            Ok(Some(h)) => {
                let expired = h.expired(Utc::now());
                Err(ClaimError::Held {
                    holder: Box::new(h),
                    expired,
                })
            }
            Ok(None) => Err(unreachable("the item keeps changing".into())),
            Err(e) => Err(ClaimError::Unreachable(e)),
        }
    }

    /// Renews `mine`'s lease and writes its progress, on the condition that the lease is still
    /// the version it holds. On success `mine` carries the new version and expiry.
    pub async fn renew(&self, mine: &mut Holder, lease: Duration) -> Result<(), RenewError> {
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
        match res {
            Ok(_) => {
                mine.lease_version = next;
                mine.expires_at = Some(expires);
                Ok(())
            }
            Err(e)
                if e.as_service_error()
                    .is_some_and(|se| se.is_conditional_check_failed_exception()) =>
            {
                Err(RenewError::Lost(
                    self.read().await.ok().flatten().map(Box::new),
                ))
            }
            Err(e) => Err(RenewError::Unreachable(format!(
                "{}: {}",
                self.label,
                err_text(&e)
            ))),
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

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
    /// Conditional writes: one attempt each (see [`Table::connect`]).
    pub(super) client: Client,
    /// Consistent reads of the item, retried as reads are.
    pub(super) reads: Client,
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

/// How a renewal succeeded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Renewed {
    /// This write was applied, and answered.
    Now,
    /// This write was applied, its answer lost: the item, read back, shows it.
    Resolved,
    /// An earlier write of this holder, whose answer was lost, had been applied: the item
    /// holds its version and expiry, which `mine` now carries.
    Earlier,
}

/// Why a renewal did not succeed.
#[derive(Debug)]
pub enum RenewError {
    /// The lease is no longer ours: another holder (if the item could be read) has it.
    Lost(Option<Box<Holder>>),
    /// The table did not answer (nothing known to be applied): try again.
    Unreachable(String),
    /// The write failed its condition and the item could not be read before `until`: whether
    /// the lease is still ours is unknown.
    Unresolved(String),
}

pub(super) fn s(v: &str) -> AttributeValue {
    AttributeValue::S(v.to_string())
}
pub(super) fn n(v: impl ToString) -> AttributeValue {
    AttributeValue::N(v.to_string())
}

fn millis(t: DateTime<Utc>) -> i64 {
    t.timestamp_millis()
}

pub(super) fn err_text<E>(e: &aws_sdk_dynamodb::error::SdkError<E>) -> String
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
    /// The table's clients: its region (default the standby's), its profile (default the
    /// standby's), and the standby's `endpoint_url` when it has one (an emulator or a VPC
    /// endpoint reaches DynamoDB the way it reaches the standby). Each call is bounded by the
    /// estate's call timeout and a sixth of the lease, so that several renewals fit in one
    /// lease; writes are sent once ([`conditional_write_retries`]).
    ///
    /// [`conditional_write_retries`]: crate::backend::aws::conditional_write_retries
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
        let lease = c.lease.map_or(super::LEASE, |l| l.0);
        let timeout = estate
            .call_timeout
            .0
            .min(lease / 6)
            .max(Duration::from_secs(1));
        let sdk = crate::backend::aws::load_sdk_config(&cfg, timeout).await;
        let build = |sdk: &aws_config::SdkConfig| {
            let mut b = aws_sdk_dynamodb::config::Builder::from(sdk);
            if let Some(url) = &cfg.endpoint_url {
                b = b.endpoint_url(url);
            }
            Client::from_conf(b.build())
        };
        let writes_cfg = sdk
            .to_builder()
            .retry_config(crate::backend::aws::conditional_write_retries())
            .build();
        Table {
            reads: build(&sdk),
            client: build(&writes_cfg),
            table: c.table.clone(),
            estate: estate.name.clone(),
            label: format!("{} in {}", c.table, region),
        }
    }

    /// Whether `h` is `mine`, written by this very run (holder and run).
    fn ours(h: &Holder, mine: &Holder) -> bool {
        h.run_id == mine.run_id && h.host == mine.host && h.pid == mine.pid && h.user == mine.user
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
            // A write that failed without an answer (timeout, connection lost, a server error)
            // may have been applied: the item says, as it does after a failed condition.
            let lost_answer = match put {
                Ok(_) => return Ok(Claimed::Fresh(mine)),
                Err(e)
                    if e.as_service_error()
                        .is_some_and(|se| se.is_conditional_check_failed_exception()) =>
                {
                    None
                }
                Err(e) => Some(err_text(&e)),
            };
            let current = match (self.read().await, &lost_answer) {
                (Ok(c), _) => c,
                (Err(_), Some(why)) => return Err(unreachable(why.clone())),
                (Err(e), None) => return Err(ClaimError::Unreachable(e)),
            };
            let Some(current) = current else {
                if let Some(why) = lost_answer {
                    return Err(unreachable(why)); // not applied, and the table is failing
                }
                continue; // released in between: try again
            };
            // Our own write, whose answer was lost.
            if Self::ours(&current, me) {
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
                    continue; // someone else wrote first (or our answer was lost): look again
                }
                Err(e) => match self.read().await {
                    // Applied, its answer lost: ours.
                    Ok(Some(h)) if Self::ours(&h, me) && h.lease_version == mine.lease_version => {
                        return Ok(if dead_here {
                            Claimed::Reclaimed {
                                now: h,
                                from: Box::new(current),
                            }
                        } else {
                            Claimed::TakenOver {
                                now: h,
                                from: Box::new(current),
                            }
                        });
                    }
                    Ok(_) => continue,
                    Err(_) => return Err(unreachable(err_text(&e))),
                },
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

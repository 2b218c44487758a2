//! `write_endpoint` — write a database's endpoint where the application reads it.
//!
//! - inputs: `side` (where to write, default `standby`), `database` (whose endpoint, default = `side`)
//! - calls: `ssm:PutParameter` (same type, same KMS key) / `secretsmanager:PutSecretValue`
//!   (a JSON secret: only `endpoint_secret_key` changes), only where the endpoint differs
//! - waits for: every store reads the endpoint back (a JSON secret: that key)
//! - default timeout: 1 minute
//! - fails when: the database has no endpoint yet, a store cannot be read, or a secret cannot
//!   take the endpoint without damage (JSON without the key; not a JSON object while
//!   `endpoint_secret_key` is set): refused at preflight, before anything changes
//!
//! A value read from a secret or a SecureString is never shown: plans and logs show the key
//! and the endpoint (a host name is no secret), and `‹redacted›` for the rest.

use std::time::Duration;

use async_trait::async_trait;
use serde::{Deserialize, Serialize};

use super::read::{db_of, stores};
use super::{Kind, StepCx, StepKind};
use crate::backend::{Action, EndpointStore, StoredEndpoint};
use crate::config::Estate;
use crate::model::{Parts, Side};
use crate::runbook::error::StepError;
use crate::runbook::plan::{StepPlan, Verdict};

fn standby() -> Side {
    Side::Standby
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WriteEndpoint {
    #[serde(default = "standby")]
    pub side: Side,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub database: Option<Side>,
}

impl Kind for WriteEndpoint {
    const NAME: &'static str = "write_endpoint";
}

impl WriteEndpoint {
    fn from(&self) -> Side {
        self.database.unwrap_or(self.side)
    }
}

#[async_trait]
impl StepKind for WriteEndpoint {
    fn title(&self) -> String {
        format!(
            "write the {} database endpoint in {}",
            self.from(),
            self.side
        )
    }

    fn validate(&self, estate: &Estate) -> Result<(), String> {
        match &estate.database {
            Some(d) if d.endpoint_parameter.is_some() || d.endpoint_secret.is_some() => Ok(()),
            _ => Err("expected [database] endpoint_parameter or endpoint_secret".into()),
        }
    }

    fn default_timeout(&self) -> Duration {
        Duration::from_secs(60)
    }

    fn sides(&self, _estate: &Estate) -> Vec<Side> {
        let mut s = vec![self.side];
        if self.from() != self.side {
            s.push(self.from());
        }
        s
    }

    async fn preflight(&self, cx: &StepCx<'_>) -> Result<StepPlan, StepError> {
        let from = self.from();
        let reading = cx.reader.read(from, Parts::DATABASE).await?;
        let db = db_of(&reading, from)?;
        let value = db.endpoint.clone().ok_or_else(|| {
            StepError::missing(format!("{from} database {} has no endpoint yet", db.id))
        })?;
        let mut plan = StepPlan::default();
        let mut cur = Vec::new();
        let mut target = Vec::new();
        for store in stores(cx.estate()) {
            let now = cx.reader.endpoint(self.side, &store).await?;
            if let Some(Err(why)) = now.as_ref().map(|n| &n.endpoint) {
                return Err(StepError::refused(format!(
                    "{} in {}: {why}; nothing was changed",
                    store_name(&store),
                    self.side
                )));
            }
            cur.push(shown(&store, now.as_ref(), &value));
            target.push(match now.as_ref().and_then(|n| n.key.as_ref()) {
                Some(k) => format!("{} {k}={value}", store_name(&store)),
                None => format!("{} {value}", store_name(&store)),
            });
            if !now.as_ref().is_some_and(|n| n.holds(&value)) {
                plan.actions.push(Action::WriteEndpoint {
                    side: self.side,
                    store,
                    value: value.clone(),
                });
            }
        }
        plan.current = cur.join(", ");
        plan.target = target.join(", ");
        Ok(plan)
    }

    async fn verify(&self, cx: &StepCx<'_>) -> Result<Verdict, StepError> {
        let from = self.from();
        let reading = cx.reader.read(from, Parts::DATABASE).await?;
        let db = db_of(&reading, from)?;
        let value = db.endpoint.clone().unwrap_or_default();
        let mut back = Vec::new();
        for store in stores(cx.estate()) {
            let now = cx.reader.endpoint(self.side, &store).await?;
            let text = shown(&store, now.as_ref(), &value);
            if !now.as_ref().is_some_and(|n| n.holds(&value)) {
                return Ok(Verdict::Pending(format!("read back {text}")));
            }
            back.push(text);
        }
        Ok(Verdict::Done(format!("read back {}", back.join(", "))))
    }
}

pub(super) fn store_name(store: &EndpointStore) -> String {
    match store {
        EndpointStore::SsmParameter(n) => format!("parameter {n}"),
        EndpointStore::Secret(n) => format!("secret {n}"),
    }
}

/// `secret orders/db host=old.example.com`, or `‹redacted›` where the stored value may hold
/// anything (a whole secret, a SecureString) and is not the endpoint.
fn shown(store: &EndpointStore, now: Option<&StoredEndpoint>, endpoint: &str) -> String {
    let what = now.map_or_else(|| "unset".to_string(), |n| n.shown(endpoint));
    format!("{} {what}", store_name(store))
}

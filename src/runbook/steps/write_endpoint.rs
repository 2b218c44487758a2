//! `write_endpoint` — write a database's endpoint where the application reads it.
//!
//! - inputs: `side` (where to write, default `standby`), `database` (whose endpoint, default = `side`)
//! - calls: `ssm:PutParameter` / `secretsmanager:PutSecretValue`, only where the value differs
//! - waits for: every store reads the value back
//! - default timeout: 1 minute
//! - fails when: the database has no endpoint yet, or a store cannot be read

use std::time::Duration;

use async_trait::async_trait;
use serde::{Deserialize, Serialize};

use super::read::{db_of, stores};
use super::{Kind, StepCx, StepKind};
use crate::backend::Action;
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
        for store in stores(cx.estate()) {
            let now = cx.reader.endpoint(self.side, &store).await?;
            cur.push(now.clone().unwrap_or_else(|| "(unset)".into()));
            if now.as_deref() != Some(value.as_str()) {
                plan.actions.push(Action::WriteEndpoint {
                    side: self.side,
                    store,
                    value: value.clone(),
                });
            }
        }
        plan.current = cur.join(", ");
        plan.target = value;
        Ok(plan)
    }

    async fn verify(&self, cx: &StepCx<'_>) -> Result<Verdict, StepError> {
        let from = self.from();
        let reading = cx.reader.read(from, Parts::DATABASE).await?;
        let db = db_of(&reading, from)?;
        let value = db.endpoint.clone().unwrap_or_default();
        for store in stores(cx.estate()) {
            let now = cx.reader.endpoint(self.side, &store).await?;
            if now.as_deref() != Some(value.as_str()) {
                return Ok(Verdict::Pending(format!(
                    "read back {}",
                    now.unwrap_or_else(|| "(unset)".into())
                )));
            }
        }
        Ok(Verdict::Done(format!("read back {value}")))
    }
}

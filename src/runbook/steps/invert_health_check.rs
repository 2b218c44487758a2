//! `invert_health_check` — move a failover-routing pair (`[dns] mode = "failover-routing"`) by
//! inverting the PRIMARY record's health check: inverted, Route 53 sees the primary as
//! unhealthy and answers with the SECONDARY; un-inverted, it answers with the PRIMARY again
//! once the primary's endpoint passes its check.
//!
//! - inputs: `inverted` (`true` fails over to the standby, `false` fails back)
//! - calls: `route53:UpdateHealthCheck` (`Inverted`) on `dns.primary_health_check`
//! - waits for: `GetHealthCheck` showing `Inverted` as asked and the check's status making
//!   Route 53 answer with the side asked for
//! - default timeout: 6 minutes (the check flips after interval × failure threshold, up to
//!   30 s × 10; clients then follow the TTL)
//! - fails when: the pair or the check cannot be read, or Route 53 holds the pair differently
//!   from the estate file (a missing record, another check on the PRIMARY)

use std::time::Duration;

use async_trait::async_trait;
use serde::{Deserialize, Serialize};

use super::{Kind, Milestone, StepCx, StepKind};
use crate::backend::Action;
use crate::config::{Dns, Estate};
use crate::model::{DnsReading, FailoverReading, Parts, Side};
use crate::runbook::error::StepError;
use crate::runbook::plan::{StepPlan, Verdict};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InvertHealthCheck {
    pub inverted: bool,
}

impl Kind for InvertHealthCheck {
    const NAME: &'static str = "invert_health_check";
}

impl InvertHealthCheck {
    /// The side Route 53 answers with once the check is as asked.
    fn to(&self) -> Side {
        if self.inverted {
            Side::Standby
        } else {
            Side::Primary
        }
    }
}

fn pair(estate: &Estate) -> Result<(&Dns, &str), StepError> {
    let dns = estate
        .dns
        .as_ref()
        .filter(|d| d.is_failover_routing())
        .ok_or_else(|| StepError::missing("no [dns] with mode = \"failover-routing\""))?;
    let check = dns
        .primary_health_check
        .as_deref()
        .ok_or_else(|| StepError::missing("no dns.primary_health_check"))?;
    Ok((dns, check))
}

fn failover(d: &DnsReading) -> Result<&FailoverReading, StepError> {
    let f = d
        .failover
        .as_ref()
        .ok_or_else(|| StepError::missing("the DNS reading holds no failover pair"))?;
    match &f.problem {
        Some(p) => Err(StepError::missing(format!("failover pair: {p}"))),
        None => Ok(f),
    }
}

fn answer(f: &FailoverReading) -> String {
    match f.answers {
        Some(Side::Primary) => format!(
            "PRIMARY {} (primary)",
            f.primary.target.as_deref().unwrap_or("?")
        ),
        Some(Side::Standby) => format!(
            "SECONDARY {} (standby)",
            f.standby.target.as_deref().unwrap_or("?")
        ),
        None => "unknown".into(),
    }
}

fn inverted(f: &FailoverReading) -> String {
    match f.check.as_ref().and_then(|c| c.inverted) {
        Some(i) => format!("Inverted={i}"),
        None => "Inverted unknown".into(),
    }
}

#[async_trait]
impl StepKind for InvertHealthCheck {
    fn title(&self) -> String {
        if self.inverted {
            "invert the primary health check (DNS to standby)".into()
        } else {
            "un-invert the primary health check (DNS back to primary)".into()
        }
    }

    fn validate(&self, estate: &Estate) -> Result<(), String> {
        match &estate.dns {
            Some(d) if d.is_failover_routing() => Ok(()),
            Some(_) => Err(
                "expected [dns] mode = \"failover-routing\" for invert_health_check, found \
                 mode = \"swap\" (a swapped record is moved by kind = \"move_dns\")"
                    .into(),
            ),
            None => Err("expected a [dns] section".into()),
        }
    }

    fn default_timeout(&self) -> Duration {
        Duration::from_secs(6 * 60)
    }

    fn sides(&self, _estate: &Estate) -> Vec<Side> {
        Vec::new()
    }

    fn milestone(&self, _estate: &Estate) -> Option<Milestone> {
        Some(Milestone::DnsMoved(self.to()))
    }

    async fn preflight(&self, cx: &StepCx<'_>) -> Result<StepPlan, StepError> {
        let (dns, check) = pair(cx.estate())?;
        let g = cx.reader.global_parts(Parts::DNS).await?;
        let reading = match &g.dns {
            Some(Ok(d)) => d,
            Some(Err(e)) => return Err(StepError::missing(format!("DNS record: {e}"))),
            None => return Err(StepError::missing("DNS record not read")),
        };
        let f = failover(reading)?;
        let c = f
            .check
            .as_ref()
            .ok_or_else(|| StepError::missing(format!("health check {check} not read")))?;
        if let Some(e) = &c.error {
            return Err(StepError::missing(format!("health check {check}: {e}")));
        }
        let to = self.to();
        let role = if self.inverted {
            "SECONDARY"
        } else {
            "PRIMARY"
        };
        let mut plan = StepPlan {
            current: format!(
                "check {check} {}, Route 53 answers {}",
                inverted(f),
                answer(f)
            ),
            target: format!(
                "check {check} Inverted={}, Route 53 answers {role} ({to})",
                self.inverted
            ),
            ..StepPlan::default()
        };
        if c.inverted != Some(self.inverted) {
            plan.actions.push(Action::InvertHealthCheck {
                health_check: check.to_string(),
                inverted: self.inverted,
            });
            let ttl = if f.primary.alias || f.standby.alias {
                "the alias target's TTL (60 s for a load balancer)".to_string()
            } else {
                format!("the record's TTL ({} s)", dns.ttl)
            };
            plan.warnings
                .push(match (c.request_interval, c.failure_threshold) {
                    (Some(i), Some(n)) => format!(
                        "clients follow within {ttl} after Route 53 sees the check flip: \
                     interval {i} s × failure threshold {n} = {} s",
                        u64::from(i) * u64::from(n)
                    ),
                    _ => format!("clients follow within {ttl} after Route 53 sees the check flip"),
                });
        }
        if !self.inverted && c.observed_healthy == Some(false) {
            plan.warnings.push(format!(
                "the primary's endpoint fails check {check} now: Route 53 keeps answering with \
                 the SECONDARY until it passes"
            ));
        }
        Ok(plan)
    }

    async fn verify(&self, cx: &StepCx<'_>) -> Result<Verdict, StepError> {
        let (_, check) = pair(cx.estate())?;
        let g = cx.reader.global_parts(Parts::DNS).await?;
        let reading = match &g.dns {
            Some(Ok(d)) => d,
            Some(Err(e)) => return Ok(Verdict::Pending(format!("DNS record: {e}"))),
            None => return Ok(Verdict::Pending("DNS record not read".into())),
        };
        let f = match failover(reading) {
            Ok(f) => f,
            Err(e) => return Ok(Verdict::Pending(e.to_string())),
        };
        let configured = f.check.as_ref().and_then(|c| c.inverted);
        if configured != Some(self.inverted) {
            return Ok(Verdict::Pending(format!(
                "check {check} {} (GetHealthCheck)",
                inverted(f)
            )));
        }
        let to = self.to();
        Ok(if f.answers == Some(to) {
            Verdict::Done(format!(
                "check {check} Inverted={}, Route 53 answers {}",
                self.inverted,
                answer(f)
            ))
        } else {
            Verdict::Pending(format!(
                "check {check} Inverted={}, Route 53 still answers {}",
                self.inverted,
                answer(f)
            ))
        })
    }
}

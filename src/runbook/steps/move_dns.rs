//! `move_dns` — point the estate's DNS record at a side (`mode = "swap"`).
//!
//! - inputs: `to`
//! - calls: `route53:ChangeResourceRecordSets` (UPSERT of the record with that side's value, or
//!   of the alias record with that side's `AliasTarget`)
//! - waits for: the change `INSYNC` and the record pointing at `to`
//! - default timeout: 3 minutes (Route 53 is INSYNC within 60 s; clients follow the TTL)
//! - fails when: the record cannot be read

use std::time::Duration;

use async_trait::async_trait;
use serde::{Deserialize, Serialize};

use super::{Kind, Milestone, StepCx, StepKind};
use crate::backend::Action;
use crate::config::{DnsTarget, Estate};
use crate::model::{Parts, Side};
use crate::runbook::error::StepError;
use crate::runbook::plan::{StepPlan, Verdict};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MoveDns {
    pub to: Side,
}

impl Kind for MoveDns {
    const NAME: &'static str = "move_dns";
}

#[async_trait]
impl StepKind for MoveDns {
    fn title(&self) -> String {
        format!("move DNS to {}", self.to)
    }

    fn validate(&self, estate: &Estate) -> Result<(), String> {
        match &estate.dns {
            Some(d) if d.is_failover_routing() => Err(
                "expected [dns] mode = \"swap\" for move_dns, found mode = \"failover-routing\" \
                 (a failover pair is moved by kind = \"invert_health_check\")"
                    .into(),
            ),
            Some(_) => Ok(()),
            None => Err("expected a [dns] section".into()),
        }
    }

    fn default_timeout(&self) -> Duration {
        Duration::from_secs(3 * 60)
    }

    fn sides(&self, _estate: &Estate) -> Vec<Side> {
        Vec::new()
    }

    fn milestone(&self, _estate: &Estate) -> Option<Milestone> {
        Some(Milestone::DnsMoved(self.to))
    }

    async fn preflight(&self, cx: &StepCx<'_>) -> Result<StepPlan, StepError> {
        let to = self.to;
        let dns = cx
            .estate()
            .dns
            .as_ref()
            .ok_or_else(|| StepError::missing("no [dns] in the estate"))?;
        let g = cx.reader.global_parts(Parts::DNS).await?;
        let reading = match &g.dns {
            Some(Ok(d)) => d,
            Some(Err(e)) => return Err(StepError::missing(format!("DNS record: {e}"))),
            None => return Err(StepError::missing("DNS record not read")),
        };
        let mut plan = StepPlan {
            current: format!(
                "{} -> {} ({})",
                dns.record,
                reading.value.clone().unwrap_or_else(|| "?".into()),
                reading
                    .points_at
                    .map(|s| s.to_string())
                    .unwrap_or_else(|| "unknown".into())
            ),
            target: format!("{} -> {} ({to})", dns.record, dns.value(to)),
            ..StepPlan::default()
        };
        if reading.points_at != Some(to) {
            let action = match dns.target(to) {
                Some(DnsTarget::Alias(a)) => Action::UpsertAlias {
                    zone_id: dns.zone_id.clone(),
                    record: dns.record.clone(),
                    record_type: dns.record_type.clone(),
                    dns_name: a.dns_name.clone(),
                    alias_zone_id: a.zone_id.clone(),
                    evaluate_target_health: dns.evaluate_target_health,
                },
                Some(DnsTarget::Value(v)) => Action::UpsertRecord {
                    zone_id: dns.zone_id.clone(),
                    record: dns.record.clone(),
                    record_type: dns.record_type.clone(),
                    ttl: dns.ttl,
                    value: v.to_string(),
                },
                None => return Err(StepError::missing(format!("no {to} target in [dns]"))),
            };
            plan.actions.push(action);
            plan.warnings.push(if dns.is_alias() {
                "clients follow within the alias target's TTL (60 s for a load balancer)".into()
            } else {
                format!("clients follow within the record's TTL ({} s)", dns.ttl)
            });
        }
        Ok(plan)
    }

    async fn verify(&self, cx: &StepCx<'_>) -> Result<Verdict, StepError> {
        let to = self.to;
        if let Some(id) = &cx.memo.change_id
            && !cx.reader.dns_in_sync(id).await?
        {
            return Ok(Verdict::Pending(format!("change {id} PENDING")));
        }
        let g = cx.reader.global_parts(Parts::DNS).await?;
        Ok(match &g.dns {
            Some(Ok(d)) if d.points_at == Some(to) => Verdict::Done(format!(
                "record points at {to}{}",
                if cx.memo.change_id.is_some() {
                    ", change INSYNC"
                } else {
                    ""
                }
            )),
            Some(Ok(d)) => Verdict::Pending(format!(
                "record points at {}",
                d.value.clone().unwrap_or_else(|| "?".into())
            )),
            Some(Err(e)) => Verdict::Pending(format!("DNS record: {e}")),
            None => Verdict::Pending("DNS record not read".into()),
        })
    }
}

//! The record in Route 53: each failover set has the role the state gives it, or the record
//! points at the primary's load balancer (pointing at the standby's is a check).

use super::super::draft::*;
use super::{Reader, RecordInfo, fatal};
use crate::backend::BackendError;
use crate::init::pair::same_host;

pub(super) async fn dns(d: &mut Draft, aws: &dyn Reader) -> Result<(), BackendError> {
    let Some(x) = d.dns.as_mut() else {
        return Ok(());
    };
    let records = match aws.records(&x.zone_id, &x.record).await {
        Ok(r) => r,
        Err(e) => {
            fatal(e)?;
            d.missing.push(Missing {
                what: format!("hosted zone {}", x.zone_id),
                looked: "route53:ListResourceRecordSets".into(),
            });
            return Ok(());
        }
    };
    let of_kind: Vec<&RecordInfo> = records.iter().filter(|r| r.kind == x.kind).collect();
    match &x.targets {
        DnsTargets::FailoverRouting {
            primary_set,
            standby_set,
            ..
        } => {
            for (set, role) in [(primary_set, "PRIMARY"), (standby_set, "SECONDARY")] {
                match of_kind
                    .iter()
                    .find(|r| r.set_identifier.as_deref() == Some(set.as_str()))
                {
                    Some(r) if r.failover.as_deref() == Some(role) => x.notes.push(Note::Aws(
                        format!("{} {} set {set} is {role}", x.record, x.kind),
                    )),
                    Some(r) => x.notes.push(Note::Check(format!(
                        "set {set} is {} in Route 53, {role} in the state",
                        r.failover.as_deref().unwrap_or("not failover routing")
                    ))),
                    None => d.missing.push(Missing {
                        what: format!("{} {} set {set} in zone {}", x.record, x.kind, x.zone_id),
                        looked: "route53:ListResourceRecordSets".into(),
                    }),
                }
            }
        }
        DnsTargets::Aliases {
            primary, standby, ..
        } => match of_kind.first().and_then(|r| r.alias.clone()) {
            Some((name, _)) if same_host(&name, &primary.dns_name) => x.notes.push(Note::Aws(
                format!("{} points at the primary's load balancer", x.record),
            )),
            Some((name, _)) if same_host(&name, &standby.dns_name) => {
                x.notes.push(Note::Check(format!(
                    "{} points at the STANDBY's load balancer now: is the estate failed over?",
                    x.record
                )))
            }
            Some((name, _)) => x.notes.push(Note::Check(format!(
                "{} points at {name} in Route 53, not at the state's primary load balancer",
                x.record
            ))),
            None => d.missing.push(Missing {
                what: format!("alias record {} {} in zone {}", x.record, x.kind, x.zone_id),
                looked: "route53:ListResourceRecordSets".into(),
            }),
        },
        DnsTargets::Values { primary, standby } => {
            match of_kind.first().and_then(|r| r.values.first().cloned()) {
                Some(v) if same_host(&v, primary) => x.notes.push(Note::Aws(format!(
                    "{} points at the primary's load balancer",
                    x.record
                ))),
                Some(v) if same_host(&v, standby) => x.notes.push(Note::Check(format!(
                    "{} points at the STANDBY's load balancer now: is the estate failed over?",
                    x.record
                ))),
                Some(v) => x.notes.push(Note::Check(format!(
                    "{} points at {v} in Route 53, not at the state's primary load balancer",
                    x.record
                ))),
                None => d.missing.push(Missing {
                    what: format!("record {} {} in zone {}", x.record, x.kind, x.zone_id),
                    looked: "route53:ListResourceRecordSets".into(),
                }),
            }
        }
    }
    Ok(())
}

//! Route 53's predictions: an upserted record (or alias) points where its value does; an
//! inverted health check moves the answer of a failover pair.

use crate::backend::Action;
use crate::config::Estate;
use crate::model::{DnsReading, GlobalReading, Side};

/// Applies a Route 53 `action` to Route 53's reading, when it changes it.
pub fn global(estate: &Estate, action: &Action, g: &mut GlobalReading) {
    let Some(dns) = estate.dns.as_ref() else {
        return;
    };
    match action {
        Action::UpsertRecord { record, value, .. } => {
            let points_at = dns.side_of(value);
            g.dns = Some(Ok(DnsReading::swap(
                record,
                Some(value.clone()),
                points_at,
                false,
            )));
        }
        Action::UpsertAlias {
            record, dns_name, ..
        } => {
            let points_at = dns.side_of(dns_name);
            g.dns = Some(Ok(DnsReading::swap(
                record,
                Some(dns_name.clone()),
                points_at,
                true,
            )));
        }
        Action::InvertHealthCheck { inverted, .. } => {
            // Once Route 53 sees the inverted status, it answers with the SECONDARY; un-inverted,
            // with the PRIMARY (when its endpoint is healthy).
            if let Some(Ok(d)) = &mut g.dns {
                let side = if *inverted {
                    Side::Standby
                } else {
                    Side::Primary
                };
                d.points_at = Some(side);
                if let Some(f) = &mut d.failover {
                    f.answers = Some(side);
                    if let Some(c) = &mut f.check {
                        c.inverted = Some(*inverted);
                        c.healthy = Some(!*inverted);
                    }
                    d.value = match side {
                        Side::Primary => f.primary.target.clone(),
                        Side::Standby => f.standby.target.clone(),
                    };
                }
            }
        }
        _ => {}
    }
}

//! The `[dns]` table: the record, and what it points at in each region (values, aliases, or
//! the two sets of a failover-routing pair).

use std::fmt::Write as _;

use super::super::draft::*;
use super::{notes, q};

/// The record's table.
pub(super) fn section(o: &mut String, x: &DnsDraft) {
    o.push_str("\n[dns]\n");
    notes(o, &x.notes);
    if matches!(x.targets, DnsTargets::FailoverRouting { .. }) {
        o.push_str("mode = \"failover-routing\"\n");
    }
    let _ = writeln!(o, "zone_id = {}", q(&x.zone_id));
    let _ = writeln!(o, "record = {}", q(&x.record));
    let _ = writeln!(o, "type = {}", q(&x.kind));
    if let Some(t) = x.ttl {
        let _ = writeln!(o, "ttl = {t}");
    }
    match &x.targets {
        DnsTargets::Values { primary, standby } => {
            let _ = writeln!(o, "primary_value = {}", q(primary));
            let _ = writeln!(o, "standby_value = {}", q(standby));
        }
        DnsTargets::Aliases {
            primary,
            standby,
            evaluate_target_health,
        } => {
            for (k, a) in [("primary_alias", primary), ("standby_alias", standby)] {
                let _ = writeln!(
                    o,
                    "{k} = {{ dns_name = {}, zone_id = {} }}",
                    q(&a.dns_name),
                    q(&a.zone_id)
                );
            }
            let _ = writeln!(o, "evaluate_target_health = {evaluate_target_health}");
        }
        DnsTargets::FailoverRouting {
            primary_set,
            standby_set,
            primary_health_check,
        } => {
            let _ = writeln!(o, "primary_set_identifier = {}", q(primary_set));
            let _ = writeln!(o, "standby_set_identifier = {}", q(standby_set));
            if let Some(h) = primary_health_check {
                let _ = writeln!(o, "primary_health_check = {}", q(h));
            }
        }
    }
}

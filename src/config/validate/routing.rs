//! Checks of DNS and what watches it: the record, its TTL, its mode and each mode's keys
//! (values or aliases for a swap, the pair's identifiers and health check for failover
//! routing), health checks and alarms.

use super::{Estate, Failure, MAX_TTL, Side, fail, non_empty, side_key, unique};
use crate::config::{Dns, DnsMode};

pub(super) fn dns(e: &Estate) -> Result<(), Failure> {
    let Some(dns) = &e.dns else {
        return Ok(());
    };
    non_empty("dns.zone_id", &dns.zone_id, "hosted zone id")?;
    non_empty("dns.record", &dns.record, "record name")?;
    non_empty("dns.type", &dns.record_type, "record type")?;
    if !(0..=MAX_TTL).contains(&dns.ttl) {
        return fail(
            "dns.ttl",
            format!(
                "expected a TTL in seconds from 0 to {MAX_TTL} (what Route 53 accepts), found {}",
                dns.ttl
            ),
        );
    }
    match dns.mode {
        DnsMode::Swap => swap(dns),
        DnsMode::FailoverRouting => failover_routing(dns),
    }
}

/// Swap: one record, each side's value or alias, the two told apart by the record's content.
fn swap(dns: &Dns) -> Result<(), Failure> {
    let failover_keys = [
        (
            "primary_set_identifier",
            dns.primary_set_identifier.is_some(),
        ),
        (
            "standby_set_identifier",
            dns.standby_set_identifier.is_some(),
        ),
        ("primary_health_check", dns.primary_health_check.is_some()),
    ];
    if let Some((key, _)) = failover_keys.iter().find(|(_, given)| *given) {
        return fail(
            format!("dns.{key}"),
            format!(
                "expected {key} only with mode = \"failover-routing\", found it with mode = \"swap\""
            ),
        );
    }
    let rtype = dns.record_type.as_str();
    let address = matches!(rtype, "A" | "AAAA");
    if dns.is_alias() {
        if !address {
            let key = if dns.primary_alias.is_some() {
                "dns.primary_alias"
            } else {
                "dns.standby_alias"
            };
            return fail(
                key,
                format!(
                    "expected type = \"A\" or \"AAAA\" for an alias record, found type = {rtype:?} \
                     (Route 53 aliases to a load balancer are A or AAAA records)"
                ),
            );
        }
        for side in Side::BOTH {
            let k = side_key(side);
            let value = match side {
                Side::Primary => &dns.primary_value,
                Side::Standby => &dns.standby_value,
            };
            if value.is_some() {
                return fail(
                    format!("dns.{k}_value"),
                    format!(
                        "expected either aliases or values, found {k}_value beside an alias \
                         (an alias record has no value: write {k}_alias only)"
                    ),
                );
            }
            let alias = match side {
                Side::Primary => &dns.primary_alias,
                Side::Standby => &dns.standby_alias,
            };
            let Some(a) = alias else {
                let other = side_key(side.other());
                return fail(
                    format!("dns.{k}_alias"),
                    format!(
                        "expected {k}_alias = {{ dns_name, zone_id }} beside {other}_alias, found none"
                    ),
                );
            };
            non_empty(
                format!("dns.{k}_alias.dns_name"),
                &a.dns_name,
                "alias DNS name",
            )?;
            non_empty(
                format!("dns.{k}_alias.zone_id"),
                &a.zone_id,
                "alias hosted zone id",
            )?;
        }
    } else {
        for side in Side::BOTH {
            let k = side_key(side);
            let value = match side {
                Side::Primary => &dns.primary_value,
                Side::Standby => &dns.standby_value,
            };
            let Some(v) = value else {
                let hint = if address {
                    format!(
                        "{k}_alias = {{ dns_name, zone_id }} (an {rtype} record pointing at a load balancer is an alias)"
                    )
                } else {
                    format!("{k}_value")
                };
                return fail(
                    format!("dns.{k}_value"),
                    format!("expected {hint}, found none"),
                );
            };
            non_empty(format!("dns.{k}_value"), v, "record value")?;
            if address && !is_address(rtype, v) {
                return fail(
                    format!("dns.{k}_value"),
                    format!(
                        "expected an {} address for a type = {rtype:?} record, found the hostname {v:?} \
                         (Route 53 refuses a hostname in an {rtype} record: point it at a load balancer \
                         with {k}_alias = {{ dns_name, zone_id }}, or use type = \"CNAME\")",
                        if rtype == "A" { "IPv4" } else { "IPv6" }
                    ),
                );
            }
        }
    }
    if dns.side_of(dns.value(Side::Standby)) == Some(Side::Primary) {
        let key = if dns.is_alias() {
            "dns.standby_alias"
        } else {
            "dns.standby_value"
        };
        return fail(
            key,
            format!(
                "expected the standby's target to differ from the primary's, found {:?} for both \
                 (the record's target is how the console tells which region serves)",
                dns.value(Side::Standby)
            ),
        );
    }
    Ok(())
}

fn is_address(rtype: &str, value: &str) -> bool {
    match rtype {
        "A" => value.parse::<std::net::Ipv4Addr>().is_ok(),
        _ => value.parse::<std::net::Ipv6Addr>().is_ok(),
    }
}

/// Failover routing: the pair's identifiers and the primary's health check; the records'
/// targets are Route 53's, read on every poll.
fn failover_routing(dns: &Dns) -> Result<(), Failure> {
    let given = [
        ("primary_value", dns.primary_value.is_some()),
        ("standby_value", dns.standby_value.is_some()),
        ("primary_alias", dns.primary_alias.is_some()),
        ("standby_alias", dns.standby_alias.is_some()),
    ];
    if let Some((key, _)) = given.iter().find(|(_, g)| *g) {
        return fail(
            format!("dns.{key}"),
            format!(
                "expected no {key} with mode = \"failover-routing\", found one (each record's \
                 target is read from Route 53; failing over inverts primary_health_check and \
                 never rewrites a record)"
            ),
        );
    }
    let required = [
        (
            "primary_set_identifier",
            &dns.primary_set_identifier,
            "SetIdentifier of the PRIMARY record",
        ),
        (
            "standby_set_identifier",
            &dns.standby_set_identifier,
            "SetIdentifier of the SECONDARY record",
        ),
        (
            "primary_health_check",
            &dns.primary_health_check,
            "health check id of the PRIMARY record",
        ),
    ];
    for (key, value, what) in required {
        match value {
            None => {
                return fail(
                    format!("dns.{key}"),
                    format!(
                        "expected {key} (the {what}) with mode = \"failover-routing\", found none"
                    ),
                );
            }
            Some(v) => non_empty(format!("dns.{key}"), v, what)?,
        }
    }
    if dns.primary_set_identifier == dns.standby_set_identifier {
        return fail(
            "dns.standby_set_identifier",
            format!(
                "expected standby_set_identifier to differ from primary_set_identifier, found {:?} for both",
                dns.standby_set_identifier.as_deref().unwrap_or("")
            ),
        );
    }
    Ok(())
}

pub(super) fn health_checks(e: &Estate) -> Result<(), Failure> {
    for (i, hc) in e.health_checks.iter().enumerate() {
        non_empty(format!("health_checks[{i}].id"), &hc.id, "health check id")?;
    }
    unique(
        "health check id",
        e.health_checks
            .iter()
            .enumerate()
            .map(|(i, hc)| (format!("health_checks[{i}].id"), hc.id.as_str())),
    )
}

pub(super) fn alarms(e: &Estate) -> Result<(), Failure> {
    for (i, a) in e.alarms.iter().enumerate() {
        non_empty(format!("alarms[{i}].name"), &a.name, "alarm name")?;
    }
    // Alarm names are per region: the same name in the other region is another alarm.
    for side in Side::BOTH {
        unique(
            &format!("alarm name in the {} region", side_key(side)),
            e.alarms
                .iter()
                .enumerate()
                .filter(|(_, a)| a.region == side)
                .map(|(i, a)| (format!("alarms[{i}].name"), a.name.as_str())),
        )?;
    }
    Ok(())
}

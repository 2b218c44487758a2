//! Checks of DNS and what watches it: the record, its TTL and values, health checks and alarms.

use super::{Estate, Failure, MAX_TTL, Side, fail, non_empty, side_key, unique};

pub(super) fn dns(e: &Estate) -> Result<(), Failure> {
    let Some(dns) = &e.dns else {
        return Ok(());
    };
    non_empty("dns.zone_id", &dns.zone_id, "hosted zone id")?;
    non_empty("dns.record", &dns.record, "record name")?;
    non_empty("dns.type", &dns.record_type, "record type")?;
    non_empty("dns.primary_value", &dns.primary_value, "record value")?;
    non_empty("dns.standby_value", &dns.standby_value, "record value")?;
    if !(0..=MAX_TTL).contains(&dns.ttl) {
        return fail(
            "dns.ttl",
            format!(
                "expected a TTL in seconds from 0 to {MAX_TTL} (what Route 53 accepts), found {}",
                dns.ttl
            ),
        );
    }
    if dns.side_of(&dns.standby_value) == Some(Side::Primary) {
        return fail(
            "dns.standby_value",
            format!(
                "expected standby_value to differ from primary_value, found {:?} for both \
                 (the record's value is how the console tells which region serves)",
                dns.standby_value
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

//! The sections that say where traffic goes and whether it is healthy: DNS, Route 53 health
//! checks and CloudWatch alarms.

use serde::Deserialize;

use crate::model::Side;

/// How a failover moves traffic.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum DnsMode {
    /// One record whose value (or alias target) is rewritten to the other side's.
    #[default]
    Swap,
    /// A PRIMARY/SECONDARY pair of failover records under one name: Route 53 answers with the
    /// primary while its health check is healthy. Failing over inverts that check.
    FailoverRouting,
}

impl DnsMode {
    pub fn as_str(self) -> &'static str {
        match self {
            DnsMode::Swap => "swap",
            DnsMode::FailoverRouting => "failover-routing",
        }
    }
}

/// An alias record's target: a load balancer (or other AWS resource) and its hosted zone.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AliasTarget {
    pub dns_name: String,
    pub zone_id: String,
}

/// What a swap writes into the record for one side.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DnsTarget<'a> {
    /// A plain record's value (a CNAME's hostname).
    Value(&'a str),
    /// An alias record's target.
    Alias(&'a AliasTarget),
}

impl<'a> DnsTarget<'a> {
    /// The value or the alias's DNS name, as shown.
    pub fn text(&self) -> &'a str {
        match *self {
            DnsTarget::Value(v) => v,
            DnsTarget::Alias(a) => &a.dns_name,
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Dns {
    #[serde(default)]
    pub mode: DnsMode,
    pub zone_id: String,
    pub record: String,
    #[serde(rename = "type", default = "default_record_type")]
    pub record_type: String,
    #[serde(default = "default_ttl")]
    pub ttl: i64,
    /// Plain records (swap): each side's value.
    #[serde(default)]
    pub primary_value: Option<String>,
    #[serde(default)]
    pub standby_value: Option<String>,
    /// Alias records (swap, `A`/`AAAA`): each side's target.
    #[serde(default)]
    pub primary_alias: Option<AliasTarget>,
    #[serde(default)]
    pub standby_alias: Option<AliasTarget>,
    #[serde(default = "default_true")]
    pub evaluate_target_health: bool,
    /// Failover routing: the `SetIdentifier` of each record of the pair.
    #[serde(default)]
    pub primary_set_identifier: Option<String>,
    #[serde(default)]
    pub standby_set_identifier: Option<String>,
    /// Failover routing: the health check of the PRIMARY record, inverted to fail over.
    #[serde(default)]
    pub primary_health_check: Option<String>,
}

fn default_record_type() -> String {
    "CNAME".into()
}
fn default_ttl() -> i64 {
    60
}
fn default_true() -> bool {
    true
}

/// A record value or an alias DNS name as compared: case, the trailing dot and the
/// `dualstack.` prefix Route 53 adds to load balancer aliases make no difference.
pub fn normalize_name(name: &str) -> String {
    let lower = name.trim().trim_end_matches('.').to_ascii_lowercase();
    match lower.strip_prefix("dualstack.") {
        Some(rest) => rest.to_string(),
        None => lower,
    }
}

impl Dns {
    pub fn is_failover_routing(&self) -> bool {
        self.mode == DnsMode::FailoverRouting
    }

    /// Whether the record is an alias (swap mode with `primary_alias`/`standby_alias`).
    pub fn is_alias(&self) -> bool {
        self.primary_alias.is_some() || self.standby_alias.is_some()
    }

    /// What a swap writes for `side`: its alias when the record is one, else its value.
    pub fn target(&self, side: Side) -> Option<DnsTarget<'_>> {
        let (alias, value) = match side {
            Side::Primary => (&self.primary_alias, &self.primary_value),
            Side::Standby => (&self.standby_alias, &self.standby_value),
        };
        match (alias, value) {
            (Some(a), _) => Some(DnsTarget::Alias(a)),
            (None, Some(v)) => Some(DnsTarget::Value(v)),
            (None, None) => None,
        }
    }

    /// The value or alias DNS name of `side`, as shown (empty when the file gives none).
    pub fn value(&self, side: Side) -> &str {
        self.target(side).map(|t| t.text()).unwrap_or("")
    }

    /// The `SetIdentifier` of `side`'s record (failover routing).
    pub fn set_identifier(&self, side: Side) -> Option<&str> {
        match side {
            Side::Primary => self.primary_set_identifier.as_deref(),
            Side::Standby => self.standby_set_identifier.as_deref(),
        }
    }

    /// Which region a record value (or alias DNS name) points at, if it is one of the two
    /// known ones.
    pub fn side_of(&self, value: &str) -> Option<Side> {
        let v = normalize_name(value);
        Side::BOTH.into_iter().find(|side| {
            self.target(*side)
                .is_some_and(|t| !t.text().trim().is_empty() && normalize_name(t.text()) == v)
        })
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HealthCheck {
    pub id: String,
    pub label: String,
    pub region: Side,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Alarm {
    pub name: String,
    pub region: Side,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn alias(name: &str) -> AliasTarget {
        AliasTarget {
            dns_name: name.into(),
            zone_id: "Z35SXDOTRQ7X7K".into(),
        }
    }

    #[test]
    fn an_alias_is_matched_without_case_trailing_dot_or_dualstack() {
        let dns = Dns {
            mode: DnsMode::Swap,
            zone_id: "Z1".into(),
            record: "www.example.com".into(),
            record_type: "A".into(),
            ttl: 60,
            primary_value: None,
            standby_value: None,
            primary_alias: Some(alias("orders-use1-123.us-east-1.elb.amazonaws.com")),
            standby_alias: Some(alias("orders-usw2-456.us-west-2.elb.amazonaws.com")),
            evaluate_target_health: true,
            primary_set_identifier: None,
            standby_set_identifier: None,
            primary_health_check: None,
        };
        assert_eq!(
            dns.side_of("dualstack.Orders-USW2-456.us-west-2.elb.amazonaws.com."),
            Some(Side::Standby)
        );
        assert_eq!(
            dns.side_of("orders-use1-123.us-east-1.elb.amazonaws.com"),
            Some(Side::Primary)
        );
        assert_eq!(dns.side_of("other.elb.amazonaws.com"), None);
        assert_eq!(
            dns.value(Side::Standby),
            "orders-usw2-456.us-west-2.elb.amazonaws.com"
        );
    }
}

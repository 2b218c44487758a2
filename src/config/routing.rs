//! The sections that say where traffic goes and whether it is healthy: DNS, Route 53 health
//! checks and CloudWatch alarms.

use serde::Deserialize;

use crate::model::Side;

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Dns {
    pub zone_id: String,
    pub record: String,
    #[serde(rename = "type", default = "default_record_type")]
    pub record_type: String,
    #[serde(default = "default_ttl")]
    pub ttl: i64,
    pub primary_value: String,
    pub standby_value: String,
}

fn default_record_type() -> String {
    "CNAME".into()
}
fn default_ttl() -> i64 {
    60
}

impl Dns {
    pub fn value(&self, side: Side) -> &str {
        match side {
            Side::Primary => &self.primary_value,
            Side::Standby => &self.standby_value,
        }
    }
    /// Which region a record value points at, if it is one of the two known values.
    pub fn side_of(&self, value: &str) -> Option<Side> {
        let norm = |v: &str| v.trim_end_matches('.').to_ascii_lowercase();
        let v = norm(value);
        if v == norm(&self.primary_value) {
            Some(Side::Primary)
        } else if v == norm(&self.standby_value) {
            Some(Side::Standby)
        } else {
            None
        }
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

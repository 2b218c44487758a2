//! Estates for the DNS modes: the built-in simulated estate with its `[dns]` replaced by an
//! alias record or a failover-routing pair.
#![allow(dead_code)]

use drconsole::backend::sim::BUILT_IN_ESTATE;
use drconsole::config::Estate;

pub const CHECK: &str = "4f1c2b3a-9d8e-4c7b-a6f5-0e1d2c3b4a59";
pub const PRIMARY_LB: &str = "orders-use1-1234567890.us-east-1.elb.amazonaws.com";
pub const STANDBY_LB: &str = "orders-usw2-0987654321.us-west-2.elb.amazonaws.com";

pub const ALIAS: &str = r#"[dns]
zone_id = "Z0123456789ABCDEFGHIJ"
record = "shop.example.com"
type = "A"
primary_alias = { dns_name = "orders-use1-1234567890.us-east-1.elb.amazonaws.com", zone_id = "Z35SXDOTRQ7X7K" }
standby_alias = { dns_name = "orders-usw2-0987654321.us-west-2.elb.amazonaws.com", zone_id = "Z1H1FL5HABSF5" }
"#;

pub const FAILOVER_ROUTING: &str = r#"[dns]
mode = "failover-routing"
zone_id = "Z0123456789ABCDEFGHIJ"
record = "shop.example.com"
type = "A"
primary_set_identifier = "primary"
standby_set_identifier = "secondary"
primary_health_check = "4f1c2b3a-9d8e-4c7b-a6f5-0e1d2c3b4a59"
"#;

/// The built-in estate with its `[dns]` section replaced.
pub fn estate_with(dns: &str) -> Estate {
    let start = BUILT_IN_ESTATE.find("[dns]").expect("[dns]");
    let end = start + BUILT_IN_ESTATE[start..].find("\n\n").expect("end of [dns]") + 2;
    let text = format!(
        "{}{dns}\n{}",
        &BUILT_IN_ESTATE[..start],
        &BUILT_IN_ESTATE[end..]
    );
    drconsole::runbook::parse_estate(&text, "dns-sim").expect("estate parses")
}

//! Readiness of the capacity standing by: each ASG able to take production's load, and each
//! ECS service defined.

use super::{Check, Item, item};
use crate::config::Estate;
use crate::model::{RegionReading, Side};

/// The ASG and ECS items of `passive`, the side standing by.
pub(super) fn items(
    estate: &Estate,
    passive: Side,
    standby: Option<&RegionReading>,
    not_read: &str,
) -> Vec<Item> {
    let asg_label = format!("{passive} ASG max ≥ production");
    let services_label = format!("{passive} services defined");
    let mut items = Vec::new();
    if !estate.asgs.is_empty() {
        items.push(match standby.map(|s| &s.asgs) {
            Some(Ok(asgs)) => {
                let short: Vec<String> = estate
                    .asgs
                    .iter()
                    .filter_map(|cfg| {
                        let name = cfg.name_in(passive);
                        match asgs.iter().find(|a| a.name == name) {
                            Some(a) if a.found && a.max >= cfg.production.desired => None,
                            Some(a) if a.found => {
                                Some(format!("{name} max {} < {}", a.max, cfg.production.desired))
                            }
                            _ => Some(format!("{name} missing")),
                        }
                    })
                    .collect();
                if short.is_empty() {
                    item(&asg_label, Check::Pass, &format!("{} group(s)", asgs.len()))
                } else {
                    item(&asg_label, Check::Fail, &short.join(", "))
                }
            }
            Some(Err(e)) => item(&asg_label, Check::Unknown, &e.message),
            None => item(&asg_label, Check::Unknown, not_read),
        });
    }
    if !estate.services().is_empty() {
        items.push(match standby.map(|s| &s.services) {
            Some(Ok(services)) => {
                let bad: Vec<&str> = services
                    .iter()
                    .filter(|s| !s.exists() || s.task_definition.is_none())
                    .map(|s| s.name.as_str())
                    .collect();
                if bad.is_empty() {
                    item(
                        &services_label,
                        Check::Pass,
                        &format!("{} service(s)", services.len()),
                    )
                } else {
                    item(
                        &services_label,
                        Check::Fail,
                        &format!("missing: {}", bad.join(", ")),
                    )
                }
            }
            Some(Err(e)) => item(&services_label, Check::Fail, &e.message),
            None => item(&services_label, Check::Unknown, not_read),
        });
    }
    items
}

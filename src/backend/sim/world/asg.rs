//! EC2 Auto Scaling groups and their instances, and the load balancer target groups that
//! register them.

use serde::{Deserialize, Serialize};

use std::collections::BTreeMap;

use super::super::timings as t;
use super::World;
use crate::model::{AsgReading, Side, TargetGroupReading};

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SimInstance {
    pub id: String,
    pub in_service_at: f64,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SimAsg {
    pub min: u32,
    pub max: u32,
    pub desired: u32,
    pub instances: Vec<SimInstance>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct SimTargetGroup {
    /// Instance id -> when it was registered.
    pub registered: BTreeMap<String, f64>,
}

impl World {
    /// Every group at its production or standby capacity, its instances long in service.
    pub(super) fn seed_asgs(&mut self, side: Side) {
        for asg in self.estate.asgs.clone() {
            let cap = match side {
                Side::Primary => asg.production,
                Side::Standby => asg.standby,
            };
            let instances = (0..cap.desired)
                .map(|_| SimInstance {
                    id: format!("i-0{}", self.rng.hex(16)),
                    in_service_at: -3600.0,
                })
                .collect();
            self.region_mut(side).asgs.insert(
                asg.name_in(side).to_string(),
                SimAsg {
                    min: cap.min,
                    max: cap.max,
                    desired: cap.desired,
                    instances,
                },
            );
        }
    }

    /// Every target group, with its group's instances registered long ago.
    pub(super) fn seed_target_groups(&mut self, side: Side) {
        for tg in self.estate.target_groups.clone() {
            let mut group = SimTargetGroup::default();
            if let Some(asg) = tg
                .asg
                .as_ref()
                .and_then(|n| self.estate.asgs.iter().find(|a| a.label() == n))
                && let Some(a) = self.region(side).asgs.get(asg.name_in(side))
            {
                for i in &a.instances {
                    group.registered.insert(i.id.clone(), -3600.0);
                }
            }
            self.region_mut(side)
                .target_groups
                .insert(tg.arn(side).to_string(), group);
        }
    }

    /// Instances that leave their group leave its target groups too.
    pub(super) fn prune_target_groups(&mut self) {
        for side in Side::BOTH {
            let region = self.region_mut(side);
            let live: Vec<String> = region
                .asgs
                .values()
                .flat_map(|a| a.instances.iter().map(|i| i.id.clone()))
                .collect();
            for tg in region.target_groups.values_mut() {
                tg.registered.retain(|id, _| live.contains(id));
            }
        }
    }

    /// (healthy, unhealthy, other) registered targets.
    pub fn target_group_counts(&self, side: Side, arn: &str) -> (u32, u32, u32) {
        let region = self.region(side);
        let Some(tg) = region.target_groups.get(arn) else {
            return (0, 0, 0);
        };
        let mut counts = (0, 0, 0);
        for (id, registered_at) in &tg.registered {
            let instance = region
                .asgs
                .values()
                .flat_map(|a| a.instances.iter())
                .find(|i| &i.id == id);
            match instance {
                Some(i) if i.in_service_at <= self.now => {
                    if self.now - registered_at.max(i.in_service_at) >= t::TARGET_HEALTHY {
                        counts.0 += 1;
                    } else {
                        counts.2 += 1;
                    }
                }
                Some(_) => counts.2 += 1,
                None => counts.1 += 1,
            }
        }
        counts
    }

    pub(super) fn read_asgs(&self, side: Side) -> Vec<AsgReading> {
        let region = self.region(side);
        self.estate
            .asgs
            .iter()
            .map(|cfg| {
                let name = cfg.name_in(side);
                match region.asgs.get(name) {
                    None => AsgReading::missing(name),
                    Some(a) => {
                        let in_service: Vec<String> = a
                            .instances
                            .iter()
                            .filter(|i| i.in_service_at <= self.now)
                            .map(|i| i.id.clone())
                            .collect();
                        AsgReading {
                            name: name.to_string(),
                            found: true,
                            min: a.min,
                            max: a.max,
                            desired: a.desired,
                            in_service: in_service.len() as u32,
                            instances: in_service,
                            running: a.instances.len() as u32,
                        }
                    }
                }
            })
            .collect()
    }

    pub(super) fn read_target_groups(&self, side: Side) -> Vec<TargetGroupReading> {
        let region = self.region(side);
        self.estate
            .target_groups
            .iter()
            .map(|cfg| {
                let arn = cfg.arn(side);
                let (healthy, unhealthy, other) = self.target_group_counts(side, arn);
                TargetGroupReading {
                    name: cfg.name.clone(),
                    error: (!region.target_groups.contains_key(arn))
                        .then(|| format!("TargetGroupNotFound: {arn}")),
                    healthy,
                    unhealthy,
                    other,
                    registered: region
                        .target_groups
                        .get(arn)
                        .map(|g| g.registered.keys().cloned().collect())
                        .unwrap_or_default(),
                }
            })
            .collect()
    }
}

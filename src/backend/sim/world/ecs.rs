//! ECS: each region's services and their tasks, which start some time after they are asked for.

use serde::{Deserialize, Serialize};

use super::World;
use crate::model::{Deployment, ServiceReading, Side};

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SimService {
    pub desired: u32,
    /// When each task became (or becomes) RUNNING.
    pub tasks: Vec<f64>,
    pub deploying_until: f64,
    pub revision: u32,
}

/// The id the simulator gives a service's PRIMARY deployment: one per revision, as a forced
/// deployment makes a new one.
pub fn deployment_id(side: Side, service: &str, revision: u32) -> String {
    format!("ecs-svc/{side}-{service}-{revision}")
}

/// The service's tasks that are RUNNING at `now`.
pub fn running(s: &SimService, now: f64) -> u32 {
    s.tasks.iter().filter(|&&t| t <= now).count() as u32
}

impl World {
    /// Every configured service at its production or standby count, all tasks running.
    pub(super) fn seed_services(&mut self, side: Side) {
        let services: Vec<(String, u32)> = self
            .estate
            .services()
            .iter()
            .map(|svc| {
                let desired = match side {
                    Side::Primary => svc.production,
                    Side::Standby => svc.standby,
                };
                (svc.name.clone(), desired)
            })
            .collect();
        for (name, desired) in services {
            let service = SimService {
                desired,
                tasks: vec![-1.0; desired as usize],
                deploying_until: 0.0,
                revision: 12,
            };
            self.region_mut(side).services.insert(name, service);
        }
    }

    pub(super) fn read_services(&self, side: Side) -> Vec<ServiceReading> {
        let region = self.region(side);
        self.estate
            .services()
            .iter()
            .map(|cfg| match region.services.get(&cfg.name) {
                None => ServiceReading::missing(&cfg.name),
                Some(s) => {
                    let run = running(s, self.now);
                    let pending = s.tasks.len() as u32 - run;
                    ServiceReading {
                        name: cfg.name.clone(),
                        status: "ACTIVE".into(),
                        desired: s.desired,
                        running: run,
                        pending,
                        deployment: if pending > 0 || s.deploying_until > self.now {
                            Deployment::InProgress
                        } else {
                            Deployment::Steady
                        },
                        task_definition: Some(format!("{}:{}", cfg.name, s.revision)),
                        primary_deployment: Some(deployment_id(side, &cfg.name, s.revision)),
                    }
                }
            })
            .collect()
    }
}

//! ECS's predictions: a scaled service runs what it is asked to, steady; a forced deployment
//! is a new one, steady.

use crate::backend::Action;
use crate::config::Estate;
use crate::model::{Deployment, RegionReading, Side};

/// Applies an ECS `action` to the services of `side`'s reading, when it changes them.
pub fn region(_estate: &Estate, action: &Action, side: Side, r: &mut RegionReading) {
    match action {
        Action::ScaleService {
            side: s,
            service,
            desired,
            ..
        } if *s == side => {
            if let Ok(services) = &mut r.services
                && let Some(svc) = services.iter_mut().find(|x| &x.name == service)
            {
                svc.desired = *desired;
                svc.running = *desired;
                svc.pending = 0;
                svc.deployment = Deployment::Steady;
            }
        }
        Action::ForceDeployment {
            side: s, service, ..
        } if *s == side => {
            if let Ok(services) = &mut r.services
                && let Some(svc) = services.iter_mut().find(|x| &x.name == service)
            {
                svc.primary_deployment = Some("(new deployment)".into());
                svc.running = svc.desired;
                svc.deployment = Deployment::Steady;
            }
        }
        _ => {}
    }
}

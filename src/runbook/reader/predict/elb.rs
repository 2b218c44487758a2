//! Elastic Load Balancing's predictions: targets registered with a group are in it, healthy.

use crate::backend::Action;
use crate::config::Estate;
use crate::model::{RegionReading, Side};

/// Applies an ELB `action` to the target groups of `side`'s reading, when it changes them.
pub fn region(estate: &Estate, action: &Action, side: Side, r: &mut RegionReading) {
    match action {
        Action::RegisterTargets {
            side: s,
            target_group_arn,
            targets,
            ..
        } if *s == side => {
            let name = estate
                .target_groups
                .iter()
                .find(|t| t.arn(side) == target_group_arn)
                .map(|t| t.name.clone());
            if let (Ok(groups), Some(name)) = (&mut r.target_groups, name)
                && let Some(g) = groups.iter_mut().find(|g| g.name == name)
            {
                for t in targets {
                    if !g.registered.contains(t) {
                        g.registered.push(t.clone());
                        g.healthy += 1;
                    }
                }
            }
        }
        _ => {}
    }
}

//! Auto Scaling's predictions: a group at its new capacity, its instances in service.

use crate::backend::Action;
use crate::config::Estate;
use crate::model::{RegionReading, Side};

/// Applies an Auto Scaling `action` to the groups of `side`'s reading, when it changes them.
pub fn region(_estate: &Estate, action: &Action, side: Side, r: &mut RegionReading) {
    match action {
        Action::SetAsgCapacity {
            side: s,
            asg,
            capacity,
        } if *s == side => {
            if let Ok(asgs) = &mut r.asgs
                && let Some(a) = asgs.iter_mut().find(|x| &x.name == asg)
            {
                a.min = capacity.min;
                a.max = capacity.max;
                a.desired = capacity.desired;
                a.in_service = capacity.desired;
                a.running = capacity.desired;
                let want = capacity.desired as usize;
                a.instances.truncate(want);
                let mut k = 0;
                while a.instances.len() < want {
                    k += 1;
                    a.instances.push(format!("(new {asg} instance {k})"));
                }
            }
        }
        _ => {}
    }
}

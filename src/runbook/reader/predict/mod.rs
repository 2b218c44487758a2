//! A dry run's predictions: the state a change would leave, written over what was read, so
//! that each later step is planned on the state the earlier ones would leave. Every answer
//! built on one is marked predicted; nothing predicted is ever called "already at target".
//!
//! Each AWS service's file (`rds`, `ecs`, `asg`, `elb`, `route53`) predicts the actions it
//! knows and leaves the others: adding an action is its arm in its service's file, nothing
//! here. An action no service knows leaves the reading as it was read.

mod asg;
mod ecs;
mod elb;
mod rds;
mod route53;
#[cfg(test)]
mod tests;

use super::{Reader, cache};
use crate::backend::Action;
use crate::config::Estate;
use crate::model::{GlobalReading, RegionReading, Side};

type RegionService = fn(&Estate, &Action, Side, &mut RegionReading);
type GlobalService = fn(&Estate, &Action, &mut GlobalReading);

/// Every service whose actions change a region's reading.
const REGION: [RegionService; 4] = [rds::region, ecs::region, asg::region, elb::region];

/// Every service whose actions change Route 53's reading.
const GLOBAL: [GlobalService; 1] = [route53::global];

/// Applies `action` to the reading of `side` (region parts), when it changes that region.
pub fn region(estate: &Estate, action: &Action, side: Side, r: &mut RegionReading) {
    for service in REGION {
        service(estate, action, side, r);
    }
}

/// Applies `action` to Route 53's reading, when it changes it.
pub fn global(estate: &Estate, action: &Action, g: &mut GlobalReading) {
    for service in GLOBAL {
        service(estate, action, g);
    }
}

impl Reader {
    /// A dry run's prediction: what `action` would leave is written over what was read, and
    /// later steps are planned on it.
    pub async fn predict(&self, action: &Action) {
        if let Action::WriteEndpoint { side, store, value } = action {
            self.readings.predict_endpoint(*side, store, value);
        }
        for (scope, parts) in action.affects() {
            match scope {
                Some(side) => {
                    let mut slot = self.readings.sides[cache::index(side)].lock().await;
                    if let Some(r) = slot.reading_mut() {
                        region(&self.estate, action, side, r);
                        self.readings.predicted(Some(side), parts);
                    }
                }
                None => {
                    let mut slot = self.readings.global.lock().await;
                    if let Some(g) = slot.reading_mut() {
                        global(&self.estate, action, g);
                        self.readings.predicted(None, parts);
                    }
                }
            }
        }
    }

    /// Whether a read since the last call answered with a dry run's prediction.
    pub fn used_prediction(&self) -> bool {
        self.readings.take_prediction_used()
    }
}

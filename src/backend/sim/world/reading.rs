//! A region's reading as the console's backend returns it: every section assembled, and the
//! CloudWatch alarms derived from the rest of the world.

use super::World;
use crate::backend::EndpointStore;
use crate::model::{AlarmReading, AlarmState, Lag, RegionReading, Side};

impl World {
    pub fn read_region(&self, side: Side) -> RegionReading {
        let alarms = self
            .estate
            .alarms
            .iter()
            .filter(|a| a.region == side)
            .map(|a| AlarmReading {
                name: a.name.clone(),
                state: self.alarm_state(side, &a.name),
            })
            .collect();
        RegionReading {
            database: self.read_database(side),
            services: Ok(self.read_services(side)),
            asgs: Ok(self.read_asgs(side)),
            target_groups: Ok(self.read_target_groups(side)),
            alarms: Ok(alarms),
            replicated: crate::backend::sim::replicated::reading(
                &self.estate,
                side,
                self.now,
                self.faults.replication_stopped,
            ),
        }
    }

    /// A lag alarm follows the replica lag against the RPO budget; any other alarm fires when
    /// the region the record points at is unhealthy.
    fn alarm_state(&self, side: Side, name: &str) -> AlarmState {
        if name.contains("lag") {
            return match self.lag(side) {
                Lag::Known(s) if s as f64 > self.estate.rpo_budget.0.as_secs_f64() => {
                    AlarmState::Alarm
                }
                Lag::Known(_) => AlarmState::Ok,
                Lag::Stopped => AlarmState::Alarm,
                Lag::NoData => AlarmState::InsufficientData,
            };
        }
        let serving = self.dns_side() == Some(side);
        if serving && !self.endpoint_healthy(side) {
            AlarmState::Alarm
        } else {
            AlarmState::Ok
        }
    }

    /// As the AWS backend reads it: a parameter whole, a secret by the estate's
    /// `endpoint_secret_key` rules.
    pub fn read_endpoint(
        &self,
        side: Side,
        store: &EndpointStore,
    ) -> Option<crate::backend::StoredEndpoint> {
        use crate::backend::endpoint_value::{EndpointKey, locate_in_secret};
        let region = self.region(side);
        match store {
            EndpointStore::SsmParameter(n) => region
                .parameters
                .get(n)
                .map(|v| crate::backend::StoredEndpoint::parameter(v.clone(), false)),
            EndpointStore::Secret(n) => region.secrets.get(n).map(|v| {
                locate_in_secret(
                    &crate::model::SecretString::from(v.as_str()),
                    &EndpointKey::of(&self.estate),
                )
            }),
        }
    }
}

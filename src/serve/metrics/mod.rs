//! The OpenMetrics exposition, encoded by `prometheus-client` at each scrape from what the
//! estates' tasks last stored. Every series carries `estate`. A value that is not known is
//! absent, never 0: replica lag while replication is stopped or has no data, a region never
//! read, a runbook not evaluated yet.

mod families;
mod family;
#[cfg(test)]
mod tests;

use std::sync::{Arc, Mutex};
use std::time::Instant;

use prometheus_client::encoding::DescriptorEncoder;
use prometheus_client::registry::Registry;

use super::state::EstateState;

#[derive(Debug)]
pub struct Estates {
    pub estates: Vec<Arc<Mutex<EstateState>>>,
    pub started: Instant,
}

impl std::fmt::Debug for EstateState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EstateState")
            .field("estate", &self.estate.name)
            .finish_non_exhaustive()
    }
}

impl prometheus_client::collector::Collector for Estates {
    fn encode(&self, mut encoder: DescriptorEncoder) -> Result<(), std::fmt::Error> {
        for f in self.families() {
            f.encode(&mut encoder)?;
        }
        Ok(())
    }
}

/// The registry a scrape encodes: the estates' collector.
pub fn registry(estates: Arc<Estates>) -> Registry {
    let mut r = Registry::default();
    r.register_collector(Box::new(estates));
    r
}

/// The exposition text (`application/openmetrics-text; version=1.0.0`).
pub fn render(registry: &Registry) -> Result<String, std::fmt::Error> {
    let mut out = String::new();
    prometheus_client::encoding::text::encode(&mut out, registry)?;
    Ok(out)
}

//! One metric family's samples, gathered at a scrape and then encoded: gauges (states and
//! counts read as integers), seconds and counters; a state told one-hot, and a scope's
//! reachability and throttling.

use prometheus_client::encoding::{DescriptorEncoder, EncodeMetric};
use prometheus_client::metrics::MetricType;
use prometheus_client::metrics::counter::ConstCounter;
use prometheus_client::metrics::gauge::ConstGauge;
use prometheus_client::registry::Unit;

pub(super) type Labels = Vec<(&'static str, String)>;

/// One metric family's samples, gathered before encoding.
pub(super) struct Family {
    name: &'static str,
    help: &'static str,
    unit: Option<Unit>,
    counter: bool,
    pub(super) samples: Vec<(Labels, f64)>,
}

impl Family {
    pub(super) fn gauge(name: &'static str, help: &'static str) -> Family {
        Family {
            name,
            help,
            unit: None,
            counter: false,
            samples: Vec::new(),
        }
    }
    pub(super) fn seconds(name: &'static str, help: &'static str) -> Family {
        Family {
            unit: Some(Unit::Seconds),
            ..Family::gauge(name, help)
        }
    }
    pub(super) fn counter(name: &'static str, help: &'static str) -> Family {
        Family {
            counter: true,
            ..Family::gauge(name, help)
        }
    }
    pub(super) fn push(&mut self, labels: Labels, value: f64) {
        self.samples.push((labels, value));
    }
    pub(super) fn encode(&self, encoder: &mut DescriptorEncoder) -> Result<(), std::fmt::Error> {
        let kind = if self.counter {
            MetricType::Counter
        } else {
            MetricType::Gauge
        };
        let mut metric =
            encoder.encode_descriptor(self.name, self.help, self.unit.as_ref(), kind)?;
        for (labels, value) in &self.samples {
            let sample = metric.encode_family(labels)?;
            if self.counter {
                ConstCounter::new(*value as u64).encode(sample)?;
            } else if value.fract() == 0.0 && value.abs() < 1e15 {
                // States and counts read as integers (`1`, not `1.0`).
                ConstGauge::new(*value as i64).encode(sample)?;
            } else {
                ConstGauge::new(*value).encode(sample)?;
            }
        }
        Ok(())
    }
}

pub(super) fn one_hot<T: PartialEq + Copy>(
    family: &mut Family,
    base: &Labels,
    key: &'static str,
    all: &[(T, &str)],
    value: T,
) {
    for (v, name) in all {
        let mut l = base.clone();
        l.push((key, name.to_string()));
        family.push(l, if *v == value { 1.0 } else { 0.0 });
    }
}

/// A scope's reachability and throttling: AWS answering with throttling errors is reachable
/// (busy, not unreachable), so a throttled scope does not page as a dark region.
pub(super) fn scope_reach<T>(
    feed: &crate::poll::Feed<T>,
    labels: &Labels,
    reachable: &mut Family,
    throttled: &mut Family,
) {
    if feed.data.is_none() && feed.error.is_none() {
        return;
    }
    let busy = feed.throttled_since.is_some();
    let answered = busy || feed.error.is_none();
    reachable.push(labels.clone(), if answered { 1.0 } else { 0.0 });
    throttled.push(labels.clone(), if busy { 1.0 } else { 0.0 });
}

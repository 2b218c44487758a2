//! CloudWatch: replica lag (all of a region's metric queries in one `GetMetricData`) and alarms
//! (one `DescribeAlarms` per 100 names).

use std::collections::HashMap;
use std::time::{Duration, SystemTime};

use aws_sdk_cloudwatch::primitives::DateTime;
use aws_sdk_cloudwatch::types::{
    AlarmType, Dimension, Metric, MetricDataQuery, MetricStat, ScanBy, StateValue,
};

use super::clients::RegionClients;
use super::errors::sdk_error;
use crate::backend::BackendError;
use crate::model::{AlarmReading, AlarmState};

/// How far back a datapoint still counts as current.
const WINDOW: Duration = Duration::from_secs(300);
const PERIOD_SECS: i32 = 60;
/// `DescribeAlarms` takes at most 100 names.
const ALARM_BATCH: usize = 100;

/// One metric to read: `AWS/RDS` `metric` where `dimension` = `value`, times `scale`.
#[derive(Debug, Clone)]
pub struct MetricQuery {
    pub metric: &'static str,
    pub dimension: &'static str,
    pub value: String,
    /// Multiplies the datapoint (0.001 turns Aurora's milliseconds into seconds).
    pub scale: f64,
}

impl MetricQuery {
    /// RDS `ReplicaLag` of an instance, in seconds.
    pub fn replica_lag(instance: &str) -> MetricQuery {
        MetricQuery {
            metric: "ReplicaLag",
            dimension: "DBInstanceIdentifier",
            value: instance.to_string(),
            scale: 1.0,
        }
    }
    /// Aurora `AuroraGlobalDBReplicationLag` of a secondary cluster (milliseconds → seconds).
    pub fn aurora_global_lag(cluster: &str) -> MetricQuery {
        MetricQuery {
            metric: "AuroraGlobalDBReplicationLag",
            dimension: "DBClusterIdentifier",
            value: cluster.to_string(),
            scale: 0.001,
        }
    }
}

/// The most recent datapoint of each query within the last five minutes, in one call.
/// A negative datapoint stays negative (it means "replication stopped").
pub async fn latest_values(
    c: &RegionClients,
    queries: &[MetricQuery],
) -> Result<Vec<Option<f64>>, BackendError> {
    if queries.is_empty() {
        return Ok(Vec::new());
    }
    let now = SystemTime::now();
    let start = now.checked_sub(WINDOW).unwrap_or(now);
    let resource = queries
        .iter()
        .map(|q| format!("{}({})", q.metric, q.value))
        .collect::<Vec<_>>()
        .join(", ");
    let mut req = c
        .cloudwatch
        .get_metric_data()
        .start_time(DateTime::from(start))
        .end_time(DateTime::from(now + Duration::from_secs(60)))
        .scan_by(ScanBy::TimestampDescending);
    for (i, q) in queries.iter().enumerate() {
        let metric = Metric::builder()
            .namespace("AWS/RDS")
            .metric_name(q.metric)
            .dimensions(
                Dimension::builder()
                    .name(q.dimension)
                    .value(&q.value)
                    .build(),
            )
            .build();
        req = req.metric_data_queries(
            MetricDataQuery::builder()
                .id(format!("q{i}"))
                .metric_stat(
                    MetricStat::builder()
                        .metric(metric)
                        .period(PERIOD_SECS)
                        .stat("Maximum")
                        .build(),
                )
                .return_data(true)
                .build(),
        );
    }
    let out = req
        .send()
        .await
        .map_err(|e| sdk_error(c.ctx(), "cloudwatch:GetMetricData", &resource, e))?;
    let mut latest: HashMap<&str, (DateTime, f64)> = HashMap::new();
    for r in out.metric_data_results() {
        let Some(id) = r.id() else { continue };
        for (t, v) in r.timestamps().iter().zip(r.values()) {
            let newer = latest
                .get(id)
                .is_none_or(|(seen, _)| t.secs() > seen.secs());
            if newer {
                latest.insert(id, (*t, *v));
            }
        }
    }
    Ok(queries
        .iter()
        .enumerate()
        .map(|(i, q)| {
            latest.get(format!("q{i}").as_str()).map(
                |(_, v)| {
                    if *v < 0.0 { *v } else { *v * q.scale }
                },
            )
        })
        .collect())
}

fn alarm_state(v: Option<&StateValue>) -> AlarmState {
    match v {
        Some(StateValue::Ok) => AlarmState::Ok,
        Some(StateValue::Alarm) => AlarmState::Alarm,
        _ => AlarmState::InsufficientData,
    }
}

/// `DescribeAlarms` by name (metric and composite alarms); an absent name is `Missing`.
pub async fn read_alarms(
    c: &RegionClients,
    names: &[&str],
) -> Result<Vec<AlarmReading>, BackendError> {
    let calls = names.chunks(ALARM_BATCH).map(|batch| {
        let mut req = c
            .cloudwatch
            .describe_alarms()
            .alarm_types(AlarmType::MetricAlarm)
            .alarm_types(AlarmType::CompositeAlarm)
            .max_records(ALARM_BATCH as i32);
        for n in batch {
            req = req.alarm_names(*n);
        }
        let resource = batch.join(", ");
        async move {
            req.send()
                .await
                .map_err(|e| sdk_error(c.ctx(), "cloudwatch:DescribeAlarms", &resource, e))
        }
    });
    let mut states: HashMap<String, AlarmState> = HashMap::new();
    for out in futures::future::join_all(calls).await {
        let out = out?;
        for a in out.metric_alarms() {
            if let Some(n) = a.alarm_name() {
                states.insert(n.to_string(), alarm_state(a.state_value()));
            }
        }
        for a in out.composite_alarms() {
            if let Some(n) = a.alarm_name() {
                states.insert(n.to_string(), alarm_state(a.state_value()));
            }
        }
    }
    Ok(names
        .iter()
        .map(|n| AlarmReading {
            name: n.to_string(),
            state: states.get(*n).copied().unwrap_or(AlarmState::Missing),
        })
        .collect())
}

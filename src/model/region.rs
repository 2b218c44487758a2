//! What one region reports in a poll: ECS services, Auto Scaling groups, target groups and
//! alarms, with its database.

use serde::{Deserialize, Serialize};

use super::{DbReading, ErrorKind, ReplicatedReading, Section, SectionError, section};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Deployment {
    Steady,
    InProgress,
    Failed,
}

/// As the screen and `status` write it: `steady`, `deploying`, `FAILED`.
impl std::fmt::Display for Deployment {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Deployment::Steady => "steady",
            Deployment::InProgress => "deploying",
            Deployment::Failed => "FAILED",
        })
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ServiceReading {
    pub name: String,
    /// ECS status (`ACTIVE`, `DRAINING`, `INACTIVE`), or `MISSING` when the service does not exist.
    pub status: String,
    pub desired: u32,
    pub running: u32,
    pub pending: u32,
    pub deployment: Deployment,
    pub task_definition: Option<String>,
    /// The id of the PRIMARY deployment: a forced deployment shows in AWS only as a new one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub primary_deployment: Option<String>,
}

impl ServiceReading {
    pub fn missing(name: &str) -> ServiceReading {
        ServiceReading {
            name: name.to_string(),
            status: "MISSING".into(),
            desired: 0,
            running: 0,
            pending: 0,
            deployment: Deployment::Steady,
            task_definition: None,
            primary_deployment: None,
        }
    }
    pub fn exists(&self) -> bool {
        self.status == "ACTIVE"
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AsgReading {
    pub name: String,
    pub found: bool,
    pub min: u32,
    pub max: u32,
    pub desired: u32,
    pub in_service: u32,
    /// Instance ids that are InService (what gets registered with target groups).
    #[serde(default)]
    pub instances: Vec<String>,
    /// Instances not yet terminated, in any lifecycle state (pending, InService, Standby,
    /// terminating): each may still run the application, and write.
    #[serde(default)]
    pub running: u32,
}

impl AsgReading {
    pub fn missing(name: &str) -> AsgReading {
        AsgReading {
            name: name.to_string(),
            found: false,
            min: 0,
            max: 0,
            desired: 0,
            in_service: 0,
            instances: Vec::new(),
            running: 0,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TargetGroupReading {
    pub name: String,
    /// The error for this group alone (e.g. it does not exist), shown on its row.
    pub error: Option<String>,
    pub healthy: u32,
    pub unhealthy: u32,
    /// initial, draining, unused, unavailable.
    pub other: u32,
    #[serde(default)]
    pub registered: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AlarmState {
    Ok,
    Alarm,
    InsufficientData,
    /// No alarm of that name exists.
    Missing,
}

/// As CloudWatch spells it (`OK`, `ALARM`, `INSUFFICIENT_DATA`); an alarm that does not
/// exist is `MISSING`, as a missing service or group is.
impl std::fmt::Display for AlarmState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            AlarmState::Ok => "OK",
            AlarmState::Alarm => "ALARM",
            AlarmState::InsufficientData => "INSUFFICIENT_DATA",
            AlarmState::Missing => "MISSING",
        })
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AlarmReading {
    pub name: String,
    pub state: AlarmState,
}

/// Everything one region reports in one poll cycle.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RegionReading {
    /// The database of the estate in this region (absent when no database is configured).
    #[serde(with = "section::optional", default)]
    pub database: Option<Section<DbReading>>,
    #[serde(with = "section")]
    pub services: Section<Vec<ServiceReading>>,
    #[serde(with = "section")]
    pub asgs: Section<Vec<AsgReading>>,
    #[serde(with = "section")]
    pub target_groups: Section<Vec<TargetGroupReading>>,
    #[serde(with = "section")]
    pub alarms: Section<Vec<AlarmReading>>,
    /// S3 buckets and ECR images (absent when the estate lists none, and in partial reads).
    #[serde(
        with = "section::optional",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub replicated: Option<Section<ReplicatedReading>>,
}

impl RegionReading {
    /// The first part of the reading AWS refused as throttled, if any.
    pub fn throttled_part(&self) -> Option<&SectionError> {
        fn throttled<T>(s: &Section<T>) -> Option<&SectionError> {
            s.as_ref().err().filter(|e| e.kind == ErrorKind::Throttled)
        }
        self.database
            .as_ref()
            .and_then(throttled)
            .or_else(|| throttled(&self.services))
            .or_else(|| throttled(&self.asgs))
            .or_else(|| throttled(&self.target_groups))
            .or_else(|| throttled(&self.alarms))
            .or_else(|| self.replicated.as_ref().and_then(throttled))
    }
}

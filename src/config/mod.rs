//! The estate file: one TOML file describing one application's DR estate.
//! Names follow the published interface contract; unknown keys are errors.

pub mod coordination;
mod duration;
mod error;
mod locate;
mod parse;
mod region;
mod replicated;
mod routing;
pub mod runbook;
mod sections;
mod validate;

use std::collections::BTreeMap;
use std::time::Duration;

use serde::Deserialize;

pub use duration::HumanDuration;
pub use error::ConfigError;
pub use locate::{locate, locate_all};
pub use parse::ExtraCheck;
pub use region::Region;
pub use replicated::{EcrRepository, S3Bucket};
pub use routing::{Alarm, AliasTarget, Dns, DnsMode, DnsTarget, HealthCheck, normalize_name};
pub use sections::{
    Asg, Capacity, Database, DatabaseKind, Ecs, EcsService, RegionConfig, TargetGroup,
};

use crate::model::{AccountCheck, IdentityRead, Side};

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Estate {
    pub name: String,
    #[serde(default = "defaults::poll_interval")]
    pub poll_interval: HumanDuration,
    #[serde(default = "defaults::lag_warning")]
    pub lag_warning: HumanDuration,
    #[serde(default = "defaults::rpo_budget")]
    pub rpo_budget: HumanDuration,
    /// Longest a single AWS call may take before its region is reported unreachable.
    #[serde(default = "defaults::call_timeout")]
    pub call_timeout: HumanDuration,
    /// How long a planned failback waits with writes stopped and the reverse replica at lag 0
    /// before it promotes that replica.
    #[serde(default = "defaults::failback_settle")]
    pub failback_settle: HumanDuration,
    /// How long a failover may take, start to serving: the run's clock turns amber past 75 %
    /// of it and red past it, and the drill report compares the achieved RTO with it.
    #[serde(default)]
    pub rto_objective: Option<HumanDuration>,
    /// How often the runbooks are evaluated (permissions simulated, dry run, drift), read-only;
    /// the first evaluation comes at start.
    #[serde(default = "defaults::evaluate_interval")]
    pub evaluate_interval: HumanDuration,
    pub primary: RegionConfig,
    pub standby: RegionConfig,
    pub database: Option<Database>,
    pub ecs: Option<Ecs>,
    #[serde(default)]
    pub asgs: Vec<Asg>,
    #[serde(default)]
    pub target_groups: Vec<TargetGroup>,
    pub dns: Option<Dns>,
    #[serde(default)]
    pub health_checks: Vec<HealthCheck>,
    #[serde(default)]
    pub alarms: Vec<Alarm>,
    /// Runbooks written in the file; defaults are generated for those not written.
    #[serde(default)]
    pub runbooks: BTreeMap<String, runbook::RunbookSpec>,
    /// The directory of the estate file it was loaded from (`None`: parsed from text, or the
    /// built-in estate): what a `command` step's relative `program` and `dir` start from.
    #[serde(skip)]
    pub base_dir: Option<std::path::PathBuf>,
    /// S3 buckets replicated to the standby (readiness only).
    #[serde(default)]
    pub s3_buckets: Vec<S3Bucket>,
    /// ECR repositories whose tagged images the standby must hold (readiness only).
    #[serde(default)]
    pub ecr_repositories: Vec<EcrRepository>,
    /// The run lock shared through DynamoDB (without it, the lock is local to the machine).
    pub coordination: Option<coordination::Coordination>,
    /// Where run events are sent.
    pub notify: Option<coordination::Notify>,
    /// `approval` written outside `[coordination]`: read only to be refused with a message
    /// that says where it belongs (a second operator's approval goes through that table).
    #[serde(default, rename = "approval")]
    pub misplaced_approval: Option<toml::Value>,
}

mod defaults {
    use super::HumanDuration;
    use std::time::Duration;
    pub fn poll_interval() -> HumanDuration {
        HumanDuration(Duration::from_secs(5))
    }
    pub fn lag_warning() -> HumanDuration {
        HumanDuration(Duration::from_secs(30))
    }
    pub fn rpo_budget() -> HumanDuration {
        HumanDuration(Duration::from_secs(300))
    }
    pub fn call_timeout() -> HumanDuration {
        HumanDuration(Duration::from_secs(5))
    }
    pub fn failback_settle() -> HumanDuration {
        HumanDuration(Duration::from_secs(30))
    }
    pub fn evaluate_interval() -> HumanDuration {
        HumanDuration(Duration::from_secs(30 * 60))
    }
}

impl Estate {
    pub fn region(&self, side: Side) -> &RegionConfig {
        match side {
            Side::Primary => &self.primary,
            Side::Standby => &self.standby,
        }
    }
    /// A side's account as read (`None`: not read yet), against the file's pin.
    pub fn account(&self, side: Side, read: Option<IdentityRead>) -> AccountCheck {
        let r = self.region(side);
        AccountCheck {
            side,
            region: r.region.to_string(),
            profile: r.profile.clone(),
            pinned: r.account_id.clone(),
            read,
        }
    }
    pub fn poll_interval(&self) -> Duration {
        self.poll_interval.0
    }
    /// The Aurora global cluster's name, when the database is one.
    pub fn global_cluster(&self) -> Option<&str> {
        self.database
            .as_ref()
            .and_then(|d| d.global_cluster.as_deref())
    }
    pub fn services(&self) -> &[EcsService] {
        self.ecs
            .as_ref()
            .map(|e| e.services.as_slice())
            .unwrap_or(&[])
    }
}

#[cfg(test)]
mod tests;

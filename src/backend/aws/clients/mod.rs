//! Two sets of SDK clients per region, built from `aws-config` with the region's profile and
//! endpoint, bounded timeouts, and a counter of every HTTP attempt: one set reads, with the
//! SDK's standard retries; the other makes changes, with a single attempt.
//!
//! Why two: a read can be repeated at will, and under throttling it needs several attempts
//! to get through. A change cannot: when its answer is lost (timeout, connection reset, a
//! server error) it may have been applied, and the SDK would send it again blind. The
//! runbook engine decides instead (src/runbook/reader.rs): it retries a change only after a
//! throttling error (AWS refused it, so nothing was applied), never an irreversible one, and
//! otherwise reads AWS again before anything is repeated.

mod build;
mod counter;
mod sdk;

pub use build::{finder_clients, global_clients, region_clients};
pub use counter::CallCounter;
pub use sdk::{conditional_write_retries, load_sdk_config};

use std::time::Duration;

use super::errors::Ctx;
use super::profile::CredentialsFix;

/// The clients of one region, and what error messages need to name it.
#[derive(Debug, Clone)]
pub struct RegionClients {
    /// `us-west-2 (standby)`.
    pub label: String,
    /// What fixes the region's credentials when they are missing or expired.
    pub credentials: CredentialsFix,
    pub call_timeout: Duration,
    /// Who the credentials are (`GetCallerIdentity`), and the account's alias (IAM is global:
    /// the SDK sends it to IAM's one endpoint whatever the region, or to `endpoint_url`).
    pub sts: aws_sdk_sts::Client,
    pub iam: aws_sdk_iam::Client,
    pub rds: aws_sdk_rds::Client,
    pub cloudwatch: aws_sdk_cloudwatch::Client,
    pub ecs: aws_sdk_ecs::Client,
    pub autoscaling: aws_sdk_autoscaling::Client,
    pub elb: aws_sdk_elasticloadbalancingv2::Client,
    pub ssm: aws_sdk_ssm::Client,
    pub secrets: aws_sdk_secretsmanager::Client,
    /// Synchronous invocations last as long as the function runs: bounded by Lambda's own
    /// limit, not the call timeout.
    pub lambda: aws_sdk_lambda::Client,
    pub s3: aws_sdk_s3::Client,
    pub ecr: aws_sdk_ecr::Client,
    pub backup: aws_sdk_backup::Client,
    pub quotas: aws_sdk_servicequotas::Client,
}

/// Route 53 is global; it is reached through the standby region's configuration.
#[derive(Debug, Clone)]
pub struct GlobalClients {
    pub label: String,
    pub credentials: CredentialsFix,
    pub call_timeout: Duration,
    pub route53: aws_sdk_route53::Client,
}

impl RegionClients {
    pub fn ctx(&self) -> Ctx<'_> {
        Ctx {
            label: &self.label,
            credentials: &self.credentials,
            timeout: self.call_timeout,
        }
    }
}

impl GlobalClients {
    pub fn ctx(&self) -> Ctx<'_> {
        Ctx {
            label: &self.label,
            credentials: &self.credentials,
            timeout: self.call_timeout,
        }
    }
}

/// The clients only `drconsole init` reads: the Resource Groups Tagging API and CloudFormation,
/// for one region.
#[derive(Debug, Clone)]
pub struct FinderClients {
    pub tagging: aws_sdk_resourcegroupstagging::Client,
    pub cloudformation: aws_sdk_cloudformation::Client,
}

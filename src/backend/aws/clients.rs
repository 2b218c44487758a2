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

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use aws_config::profile::ProfileFileCredentialsProvider;
use aws_config::retry::RetryConfig;
use aws_config::timeout::TimeoutConfig;
use aws_config::{BehaviorVersion, Region, SdkConfig};
use aws_smithy_runtime_api::box_error::BoxError;
use aws_smithy_runtime_api::client::interceptors::Intercept;
use aws_smithy_runtime_api::client::interceptors::context::BeforeTransmitInterceptorContextRef;
use aws_smithy_runtime_api::client::orchestrator::Metadata;
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
use aws_smithy_types::config_bag::ConfigBag;

use super::errors::Ctx;
use super::profile::{CredentialsFix, credentials_fix};
use crate::config::{Estate, RegionConfig};
use crate::model::Side;

/// Longest wait for a TCP/TLS connection, whatever the call timeout.
const MAX_CONNECT_TIMEOUT: Duration = Duration::from_secs(3);
/// Attempts of a read (throttling and transient errors are retried); all of them fit in the
/// call timeout, so a dead region is not retried past it.
pub const READ_ATTEMPTS: u32 = 5;
/// First backoff of a read retry; it doubles (with jitter) up to [`READ_MAX_BACKOFF`].
const READ_BACKOFF: Duration = Duration::from_millis(200);
const READ_MAX_BACKOFF: Duration = Duration::from_secs(2);

/// How reads are retried: standard mode, [`READ_ATTEMPTS`] attempts, short backoff.
pub fn read_retries() -> RetryConfig {
    RetryConfig::standard()
        .with_max_attempts(READ_ATTEMPTS)
        .with_initial_backoff(READ_BACKOFF)
        .with_max_backoff(READ_MAX_BACKOFF)
}

/// How changes are retried by the SDK: never (one attempt); the engine decides.
pub fn change_retries() -> RetryConfig {
    RetryConfig::disabled()
}

/// How the run lock's conditional writes (claim, renewal, release in the coordination table)
/// are retried by the SDK: never. A conditional write whose answer is lost may have been
/// applied; the SDK would send it again, and the copy would fail its own condition (the
/// version it expects is the one the first copy replaced), so the holder would take its own
/// renewal for a lost lease. The lock reads the item instead (src/runbook/lock/dynamo.rs):
/// holder and version show whether the write was applied.
pub fn conditional_write_retries() -> RetryConfig {
    RetryConfig::disabled()
}

/// Counts HTTP attempts (retries included) per operation, e.g. `ECS.DescribeServices`.
#[derive(Debug, Clone, Default)]
pub struct CallCounter {
    counts: Arc<Mutex<BTreeMap<String, u64>>>,
}

impl CallCounter {
    /// Calls by operation since the last reset.
    pub fn snapshot(&self) -> BTreeMap<String, u64> {
        self.counts.lock().map(|m| m.clone()).unwrap_or_default()
    }
    pub fn total(&self) -> u64 {
        self.snapshot().values().sum()
    }
    pub fn reset(&self) {
        if let Ok(mut m) = self.counts.lock() {
            m.clear();
        }
    }
    fn record(&self, operation: String) {
        if let Ok(mut m) = self.counts.lock() {
            *m.entry(operation).or_default() += 1;
        }
    }
}

#[derive(Debug)]
struct CountingInterceptor(CallCounter);

impl Intercept for CountingInterceptor {
    fn name(&self) -> &'static str {
        "drconsole::CallCounter"
    }

    fn read_before_transmit(
        &self,
        _context: &BeforeTransmitInterceptorContextRef<'_>,
        _runtime_components: &RuntimeComponents,
        cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        let op = cfg
            .load::<Metadata>()
            .map(|m| format!("{}.{}", m.service(), m.name()))
            .unwrap_or_else(|| "unknown".into());
        self.0.record(op);
        Ok(())
    }
}

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

pub fn timeouts(call_timeout: Duration) -> TimeoutConfig {
    TimeoutConfig::builder()
        .connect_timeout(call_timeout.min(MAX_CONNECT_TIMEOUT))
        .read_timeout(call_timeout)
        .operation_attempt_timeout(call_timeout)
        .operation_timeout(call_timeout)
        .build()
}

/// Shared configuration of one region: the standard credential chain (or the region's profile),
/// its endpoint, bounded timeouts, the retries of reads ([`read_retries`]).
pub async fn load_sdk_config(region: &RegionConfig, call_timeout: Duration) -> SdkConfig {
    let mut loader = aws_config::defaults(BehaviorVersion::latest())
        .region(Region::new(region.region.as_str().to_string()))
        .timeout_config(timeouts(call_timeout))
        .retry_config(read_retries());
    if let Some(profile) = &region.profile {
        // A profile named in the estate file wins over credentials in the environment (the
        // default chain would try AWS_ACCESS_KEY_ID first and silently ignore the profile).
        loader = loader.profile_name(profile).credentials_provider(
            ProfileFileCredentialsProvider::builder()
                .profile_name(profile)
                .build(),
        );
    }
    if let Some(url) = &region.endpoint_url {
        loader = loader.endpoint_url(url);
    }
    loader.load().await
}

/// Applies the counter and, when the estate names an endpoint for the region, pins every
/// service to it (service-specific `AWS_ENDPOINT_URL_<SERVICE>` variables would otherwise win).
macro_rules! client {
    ($krate:ident, $sdk:expr, $endpoint:expr, $counter:expr) => {{
        let mut b =
            $krate::config::Builder::from($sdk).interceptor(CountingInterceptor($counter.clone()));
        if let Some(url) = $endpoint {
            b = b.endpoint_url(url);
        }
        $krate::Client::from_conf(b.build())
    }};
}

pub fn label(estate: &Estate, side: Side) -> String {
    format!("{} ({side})", estate.region(side).region)
}

/// The configuration of the clients that make changes: the same credentials (and their cache),
/// endpoint and timeouts as reads, one attempt.
fn for_changes(sdk: &SdkConfig) -> SdkConfig {
    sdk.to_builder().retry_config(change_retries()).build()
}

/// A region's clients for reads, and for changes.
pub async fn region_clients(
    estate: &Estate,
    side: Side,
    counter: &CallCounter,
) -> (RegionClients, RegionClients) {
    let cfg = estate.region(side);
    let timeout = estate.call_timeout.0;
    let (sdk, fix) = futures::join!(
        load_sdk_config(cfg, timeout),
        credentials_fix(cfg.profile.as_deref())
    );
    let reads = clients_of(estate, side, &sdk, &fix, counter);
    let changes = clients_of(estate, side, &for_changes(&sdk), &fix, counter);
    (reads, changes)
}

fn clients_of(
    estate: &Estate,
    side: Side,
    sdk: &SdkConfig,
    fix: &CredentialsFix,
    counter: &CallCounter,
) -> RegionClients {
    let cfg = estate.region(side);
    let timeout = estate.call_timeout.0;
    let ep = cfg.endpoint_url.as_deref();
    RegionClients {
        label: label(estate, side),
        credentials: fix.clone(),
        call_timeout: timeout,
        sts: client!(aws_sdk_sts, sdk, ep, counter),
        iam: client!(aws_sdk_iam, sdk, ep, counter),
        rds: client!(aws_sdk_rds, sdk, ep, counter),
        cloudwatch: client!(aws_sdk_cloudwatch, sdk, ep, counter),
        ecs: client!(aws_sdk_ecs, sdk, ep, counter),
        autoscaling: client!(aws_sdk_autoscaling, sdk, ep, counter),
        elb: client!(aws_sdk_elasticloadbalancingv2, sdk, ep, counter),
        ssm: client!(aws_sdk_ssm, sdk, ep, counter),
        secrets: client!(aws_sdk_secretsmanager, sdk, ep, counter),
        lambda: client!(
            aws_sdk_lambda,
            &sdk.to_builder()
                .timeout_config(timeouts(crate::backend::action::LAMBDA_CALL_TIMEOUT))
                .build(),
            ep,
            counter
        ),
        s3: {
            // An emulator or a VPC endpoint serves buckets by path, not by host name.
            let mut b = aws_sdk_s3::config::Builder::from(sdk)
                .interceptor(CountingInterceptor(counter.clone()))
                .force_path_style(ep.is_some());
            if let Some(url) = ep {
                b = b.endpoint_url(url);
            }
            aws_sdk_s3::Client::from_conf(b.build())
        },
        ecr: client!(aws_sdk_ecr, sdk, ep, counter),
        backup: client!(aws_sdk_backup, sdk, ep, counter),
        quotas: client!(aws_sdk_servicequotas, sdk, ep, counter),
    }
}

/// Route 53's clients for reads, and for changes.
pub async fn global_clients(
    estate: &Estate,
    counter: &CallCounter,
) -> (GlobalClients, GlobalClients) {
    let cfg = estate.region(Side::Standby);
    let timeout = estate.call_timeout.0;
    let (sdk, fix) = futures::join!(
        load_sdk_config(cfg, timeout),
        credentials_fix(cfg.profile.as_deref())
    );
    let of = |sdk: &SdkConfig| GlobalClients {
        label: format!("route53 (via {})", label(estate, Side::Standby)),
        credentials: fix.clone(),
        call_timeout: timeout,
        route53: client!(aws_sdk_route53, sdk, cfg.endpoint_url.as_deref(), counter),
    };
    (of(&sdk), of(&for_changes(&sdk)))
}

/// The clients only `drconsole init` reads: the Resource Groups Tagging API and CloudFormation,
/// for one region.
#[derive(Debug, Clone)]
pub struct FinderClients {
    pub tagging: aws_sdk_resourcegroupstagging::Client,
    pub cloudformation: aws_sdk_cloudformation::Client,
}

pub async fn finder_clients(estate: &Estate, side: Side, counter: &CallCounter) -> FinderClients {
    let cfg = estate.region(side);
    let sdk = load_sdk_config(cfg, estate.call_timeout.0).await;
    let ep = cfg.endpoint_url.as_deref();
    FinderClients {
        tagging: client!(aws_sdk_resourcegroupstagging, &sdk, ep, counter),
        cloudformation: client!(aws_sdk_cloudformation, &sdk, ep, counter),
    }
}

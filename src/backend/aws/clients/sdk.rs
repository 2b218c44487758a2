//! The SDK configuration of one region: credentials, endpoint, bounded timeouts, and how reads,
//! changes and conditional writes are retried.

use std::time::Duration;

use aws_config::profile::ProfileFileCredentialsProvider;
use aws_config::retry::RetryConfig;
use aws_config::timeout::TimeoutConfig;
use aws_config::{BehaviorVersion, Region, SdkConfig};

use crate::config::RegionConfig;

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

/// The configuration of the clients that make changes: the same credentials (and their cache),
/// endpoint and timeouts as reads, one attempt.
pub(super) fn for_changes(sdk: &SdkConfig) -> SdkConfig {
    sdk.to_builder().retry_config(change_retries()).build()
}

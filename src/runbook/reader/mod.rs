//! Reads and calls through the backend with the estate's call timeout: a dark region's calls
//! may never return, so nothing here waits without a bound.
//!
//! Retries: a read that AWS throttles is retried (with backoff) up to [`THROTTLE_ATTEMPTS`]
//! times. A change is retried only when AWS answered that it was throttled, which is a
//! refusal (nothing was applied), and never when it is irreversible. Any other failure of a
//! change is returned at once, marked [`ActError::maybe_applied`] when AWS did not say it
//! refused (no answer in time, connection lost, a server error): the engine then reads AWS
//! again before anything is repeated.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use super::error::StepError;
use crate::backend::{Action, ActionOutcome, Backend, BackendError, EndpointStore, ErrorKind};
use crate::config::Estate;
use crate::model::{GlobalReading, RegionReading, Side};

/// How engine durations map to the clock tokio sleeps on: 1 in production; a simulator running
/// `speed` times faster than real time is driven with `scale = speed`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Pace {
    pub scale: f64,
}

impl Pace {
    pub const REAL: Pace = Pace { scale: 1.0 };
    /// The tokio duration of an estate-time duration.
    pub fn wall(&self, d: Duration) -> Duration {
        d.div_f64(self.scale.max(1e-6))
    }
    /// The estate-time duration of a tokio duration.
    pub fn estate(&self, d: Duration) -> Duration {
        d.mul_f64(self.scale.max(1e-6))
    }
}

#[derive(Clone)]
pub struct Reader {
    pub backend: Arc<dyn Backend>,
    pub estate: Arc<Estate>,
    pub pace: Pace,
}

/// Attempts of a throttled read, or of a throttled reversible change.
pub const THROTTLE_ATTEMPTS: u32 = 3;

/// Why a change failed, and whether it may have been applied all the same.
#[derive(Debug, Clone)]
pub struct ActError {
    pub error: StepError,
    /// AWS did not say it refused the call: it may have been applied.
    pub maybe_applied: bool,
}

/// Error codes of AWS's own failures (HTTP 5xx): the call may have been applied.
fn server_side(code: &str) -> bool {
    code.contains("Internal")
        || code.contains("Unavailable")
        || matches!(
            code,
            "ServerException" | "ServiceFailure" | "ServiceException" | "RequestTimeout"
        )
}

/// Whether a failed change may have been applied: true unless AWS answered with an error that
/// refuses the call (throttling, access, credentials, a missing resource, a client error
/// carrying its code).
pub fn may_have_applied(e: &BackendError) -> bool {
    match e.kind {
        ErrorKind::Throttled
        | ErrorKind::AccessDenied
        | ErrorKind::Credentials
        | ErrorKind::NotFound => false,
        ErrorKind::Unreachable => true,
        ErrorKind::Other => e.code.as_deref().is_none_or(server_side),
    }
}

impl Reader {
    fn call_timeout(&self) -> Duration {
        self.pace.wall(self.estate.call_timeout.0)
    }

    fn region_label(&self, side: Side) -> String {
        format!("{} ({side})", self.estate.region(side).region)
    }

    /// Runs one backend read with the timeout; throttling is retried with a short backoff.
    pub async fn call<T, F, Fut>(
        &self,
        side: Option<Side>,
        what: &str,
        f: F,
    ) -> Result<T, BackendError>
    where
        F: Fn() -> Fut,
        Fut: std::future::Future<Output = Result<T, BackendError>>,
    {
        self.call_with(side, what, THROTTLE_ATTEMPTS, f).await
    }

    /// Runs one backend call with the timeout, at most `attempts` times while it is throttled.
    async fn call_with<T, F, Fut>(
        &self,
        side: Option<Side>,
        what: &str,
        attempts: u32,
        f: F,
    ) -> Result<T, BackendError>
    where
        F: Fn() -> Fut,
        Fut: std::future::Future<Output = Result<T, BackendError>>,
    {
        let mut attempt = 0;
        loop {
            attempt += 1;
            let region = side
                .map(|s| self.region_label(s))
                .unwrap_or_else(|| "route53".into());
            let result = match tokio::time::timeout(self.call_timeout(), f()).await {
                Ok(r) => r,
                Err(_) => Err(BackendError::new(
                    ErrorKind::Unreachable,
                    &region,
                    what,
                    "",
                    format!(
                        "no answer within {}",
                        humantime::format_duration(self.estate.call_timeout.0)
                    ),
                )),
            };
            match result {
                Err(e) if e.kind == ErrorKind::Throttled && attempt < attempts => {
                    let backoff = Duration::from_millis(500 * 2u64.pow(attempt - 1));
                    tokio::time::sleep(self.pace.wall(backoff)).await;
                }
                other => return other,
            }
        }
    }

    pub async fn region(&self, side: Side) -> Result<RegionReading, StepError> {
        let b = self.backend.clone();
        self.call(Some(side), "describe", || {
            let b = b.clone();
            async move { b.read_region(side).await }
        })
        .await
        .map_err(|e| StepError::call(Some(side), e))
    }

    pub async fn global(&self) -> Result<GlobalReading, StepError> {
        let b = self.backend.clone();
        self.call(None, "route53:read", || {
            let b = b.clone();
            async move { b.read_global().await }
        })
        .await
        .map_err(|e| StepError::call(None, e))
    }

    pub async fn endpoint(
        &self,
        side: Side,
        store: &EndpointStore,
    ) -> Result<Option<String>, StepError> {
        let b = self.backend.clone();
        self.call(Some(side), "read endpoint", || {
            let b = b.clone();
            let store = store.clone();
            async move { b.read_endpoint(side, &store).await }
        })
        .await
        .map_err(|e| StepError::call(Some(side), e))
    }

    pub async fn dns_in_sync(&self, change_id: &str) -> Result<bool, StepError> {
        let b = self.backend.clone();
        self.call(None, "route53:GetChange", || {
            let b = b.clone();
            let id = change_id.to_string();
            async move { b.dns_change_in_sync(&id).await }
        })
        .await
        .map_err(|e| StepError::call(None, e))
    }

    /// The estate's posture now: both regions and Route 53 read at once, each bounded by the
    /// call timeout; what does not answer counts as unread.
    pub async fn posture(&self) -> crate::posture::Posture {
        let (p, s, g) = tokio::join!(
            self.region(Side::Primary),
            self.region(Side::Standby),
            self.global()
        );
        crate::posture::posture(
            &self.estate,
            p.ok().as_ref(),
            s.ok().as_ref(),
            g.ok().as_ref(),
        )
    }

    /// The PRIMARY deployment id of each named ECS service of `side`.
    pub async fn primary_deployments(
        &self,
        side: Side,
        services: &[String],
    ) -> Result<BTreeMap<String, String>, StepError> {
        let b = self.backend.clone();
        self.call(Some(side), "ecs:DescribeServices", || {
            let b = b.clone();
            async move { b.primary_deployments(side, services).await }
        })
        .await
        .map_err(|e| StepError::call(Some(side), e))
    }

    /// Makes one change. Retried only while AWS throttles it, and not at all when it is
    /// irreversible; a failure after which it may have been applied says so.
    pub async fn act(&self, action: &Action) -> Result<ActionOutcome, ActError> {
        let b = self.backend.clone();
        let side = action.side();
        let attempts = if action.irreversible() {
            1
        } else {
            THROTTLE_ATTEMPTS
        };
        self.call_with(side, action.api_call(), attempts, || {
            let b = b.clone();
            let a = action.clone();
            async move { b.act(&a).await }
        })
        .await
        .map_err(|e| {
            let maybe_applied = may_have_applied(&e);
            let mut e = e;
            if maybe_applied {
                e.message = format!(
                    "{}; the call may have been applied: AWS is read again before it is repeated",
                    e.message
                );
            }
            ActError {
                error: StepError::call(side, e),
                maybe_applied,
            }
        })
    }
}

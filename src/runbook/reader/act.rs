//! Changes sent through the backend: fenced by the run lock, retried only while AWS throttles
//! them (and never when irreversible), and never resent blind.

use std::time::Duration;

use super::{Reader, THROTTLE_PATIENCE, backoff};
use crate::backend::{Action, ActionOutcome, BackendError, ErrorKind};
use crate::runbook::error::StepError;

/// Why a change failed, and whether it may have been applied all the same.
#[derive(Debug, Clone)]
pub struct ActError {
    pub error: StepError,
    /// AWS did not say it refused the call: it may have been applied.
    pub maybe_applied: bool,
}

/// Whether a failed change may have been applied: true unless AWS answered with an error that
/// refuses the call (throttling, access, credentials, a missing resource, a client error
/// carrying its code). Decided on the error's kind and whether AWS gave a code, never on text.
pub fn may_have_applied(e: &BackendError) -> bool {
    match e.kind {
        ErrorKind::Throttled
        | ErrorKind::AccessDenied
        | ErrorKind::Credentials
        | ErrorKind::NotFound => false,
        ErrorKind::Unreachable | ErrorKind::ServerSide => true,
        ErrorKind::Other => e.code.is_none(),
    }
}

impl Reader {
    /// How long `action` may take through [`Reader::act`], on the clock tokio sleeps on.
    pub fn act_limit(&self, action: &Action) -> Duration {
        // A call that lasts as long as what it runs (a Lambda function) has its own bound.
        action
            .call_timeout()
            .map(|t| t.max(self.estate.call_timeout.0))
            .map_or(self.call_timeout(), |t| self.pace.wall(t))
    }

    /// Asks the run lock's fence whether a change that may last `limit` may be made now
    /// (waiting, briefly, for a longer lease when it needs one).
    pub async fn admit(&self, limit: Duration) -> Result<(), StepError> {
        match &self.fence {
            None => Ok(()),
            Some(f) => f.admit(limit).await.map_err(StepError::Fenced),
        }
    }

    /// Reads again, fresh, the parts `action` changes (a region the run does not call
    /// answers with what is known of it). `false` when it changes nothing drconsole reads
    /// (a function, a program): then nothing tells a resend from a blind one.
    async fn read_again(&self, action: &Action) -> Result<bool, StepError> {
        if let Action::WriteEndpoint { side, store, .. } = action {
            self.endpoint(*side, store).await?;
            return Ok(true);
        }
        let affects = action.affects();
        if affects.is_empty() {
            return Ok(false);
        }
        for (scope, parts) in affects {
            self.readings.changed(scope, parts);
            match scope {
                Some(side) => {
                    self.read(side, parts).await?;
                }
                None => {
                    self.global_parts(parts).await?;
                }
            }
        }
        Ok(true)
    }

    /// Makes one change. Retried only while AWS throttles it, and not at all when it is
    /// irreversible; never resent blind: what it changes is read again first. A failure after
    /// which it may have been applied says so. The run lock's fence is asked before the first
    /// sending and again before each resend.
    pub async fn act(&self, action: &Action) -> Result<ActionOutcome, ActError> {
        let b = self.backend.clone();
        let side = action.side();
        // A call that lasts as long as what it runs (a Lambda function) has its own bound.
        let limit = self.act_limit(action);
        let began = tokio::time::Instant::now();
        let mut attempt = 0;
        let result = loop {
            attempt += 1;
            // Asked before each sending: a resend after throttling as much as the first.
            self.admit(limit).await.map_err(|error| ActError {
                error,
                maybe_applied: false,
            })?;
            let sent = self
                .call_with(side, action.api_call(), false, limit, || {
                    let b = b.clone();
                    let a = action.clone();
                    async move { b.act(&a).await }
                })
                .await;
            match sent {
                Err(e)
                    if e.kind == ErrorKind::Throttled
                        && !action.irreversible()
                        && began.elapsed() < self.pace.wall(THROTTLE_PATIENCE) =>
                {
                    // Refused: nothing was applied. Back off, then read what it changes again
                    // (fresh, and patiently while that read is throttled too) before resending.
                    tokio::time::sleep(self.pace.wall(backoff(attempt))).await;
                    match self.read_again(action).await {
                        Ok(true) => {}
                        Ok(false) => break Err(e),
                        Err(error) => {
                            return Err(ActError {
                                error,
                                maybe_applied: false,
                            });
                        }
                    }
                }
                other => break other,
            }
        };
        // Answered or not, what was read of what it changes may be stale now.
        for (scope, parts) in action.affects() {
            self.readings.changed(scope, parts);
        }
        result.map_err(|e| {
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

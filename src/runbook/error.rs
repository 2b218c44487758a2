//! Why a step cannot go on, and why a runbook cannot be built: typed, so that the engine
//! decides on the kind (does the failure need the primary region?) and never on text.

use std::fmt;
use std::time::Duration;

use crate::backend::{BackendError, ErrorKind};
use crate::model::Side;

#[derive(Debug, Clone, PartialEq)]
pub enum StepError {
    /// A call to AWS failed. `side` is the region it was made in (`None`: Route 53).
    Call {
        side: Option<Side>,
        kind: ErrorKind,
        error: String,
    },
    /// What the step needs is missing or unreadable in AWS's answer.
    Missing(String),
    /// AWS shows a state in which the step must not (or cannot) act now.
    Refused(String),
    /// Verification did not see the target state in time.
    TimedOut {
        after: Duration,
        last_seen: String,
        needs_primary: bool,
    },
    /// The step's record could not be made durable, so it must not act.
    Journal(String),
    /// The run lock's fence refused the change (the lease is lost, ran out, or would end
    /// before the call could): nothing was sent, and the run stops, unfinished.
    Fenced(String),
    /// What the step ran answered that it failed: a program's exit status, a Lambda
    /// function's error, an HTTP answer other than the one expected.
    Failed(String),
}

impl StepError {
    pub fn call(side: Option<Side>, e: BackendError) -> StepError {
        StepError::Call {
            side,
            kind: e.kind,
            error: e.to_string(),
        }
    }
    pub fn missing(m: impl Into<String>) -> StepError {
        StepError::Missing(m.into())
    }
    pub fn refused(m: impl Into<String>) -> StepError {
        StepError::Refused(m.into())
    }
    /// The failure is the primary region not answering: the step needs it and may be skipped.
    pub fn needs_primary(&self) -> bool {
        match self {
            StepError::Call { side, kind, .. } => {
                *side == Some(Side::Primary) && *kind == ErrorKind::Unreachable
            }
            StepError::TimedOut { needs_primary, .. } => *needs_primary,
            _ => false,
        }
    }
}

impl fmt::Display for StepError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StepError::Call { error, .. } if self.needs_primary() => write!(
                f,
                "primary unreachable ({error}): this step needs the primary region; skip it to go on without it"
            ),
            StepError::Call { error, .. } => f.write_str(error),
            StepError::Missing(m) | StepError::Refused(m) => f.write_str(m),
            StepError::TimedOut {
                after, last_seen, ..
            } => write!(
                f,
                "timed out after {} waiting for the target state (last seen: {last_seen})",
                humantime::format_duration(*after)
            ),
            StepError::Journal(m) => write!(f, "the run's record cannot be written: {m}"),
            StepError::Fenced(m) => f.write_str(m),
            StepError::Failed(m) => f.write_str(m),
        }
    }
}

impl std::error::Error for StepError {}

/// Why a runbook as written cannot run on this estate.
#[derive(Debug, Clone, PartialEq)]
pub enum SpecError {
    /// Its shape: no steps, duplicate ids, nested groups.
    Shape(String),
    UnknownKind {
        step: String,
        kind: String,
        known: Vec<String>,
    },
    /// The kind's keys do not parse, or refer to what the estate does not have.
    Step {
        step: String,
        kind: String,
        message: String,
    },
}

impl fmt::Display for SpecError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SpecError::Shape(m) => f.write_str(m),
            SpecError::UnknownKind { step, kind, known } => write!(
                f,
                "step {step} ({kind}): unknown step kind {kind:?}, expected one of {}",
                known.join(", ")
            ),
            SpecError::Step {
                step,
                kind,
                message,
            } => write!(f, "step {step} ({kind}): {message}"),
        }
    }
}

impl std::error::Error for SpecError {}

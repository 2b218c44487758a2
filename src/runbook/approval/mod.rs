//! A second operator's approval (`[coordination] approval = "irreversible"`): a step whose
//! calls cannot be undone, or that discards acknowledged writes, waits after its own
//! operator's typed confirmation until another operator approves the same plan.
//!
//! The request is one item, keyed by estate, run and step, holding the plan as shown (calls,
//! current → target, data loss) and its SHA-256. An approval is a conditional write on that
//! item: still pending, the same request, the same plan hash, not past its deadline. The
//! waiting run closes the item as expired on the same condition, so of a late approval and
//! the timeout exactly one wins. Where it is stored: [`store`].
//!
//! Who is "another operator": another `user@host`, or the same `user@host` acting as another
//! AWS principal (both principals known and different). The run reads the approval back and
//! checks the rule again before it acts.

pub mod command;
mod file;
pub mod follow;
pub mod store;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::api::{ConfirmPrompt, PlannedCall};

pub use store::{Store, open};

/// Who asked or approved.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Operator {
    pub user: String,
    pub host: String,
    /// The AWS principal the standby side's credentials act as, when it could be read.
    #[serde(default)]
    pub principal: Option<String>,
}

impl Operator {
    /// This process's operator, as `user`.
    pub fn me(user: &str, principal: Option<String>) -> Operator {
        Operator {
            user: user.to_string(),
            host: super::lock::hostname(),
            principal,
        }
    }

    /// `alice@laptop`.
    pub fn who(&self) -> String {
        format!("{}@{}", self.user, self.host)
    }

    /// Whether `other` is not this operator: another `user@host`, or another AWS principal
    /// (both known). An unknown principal never makes a second operator.
    pub fn is_other(&self, other: &Operator) -> bool {
        if self.who() != other.who() {
            return true;
        }
        matches!((&self.principal, &other.principal), (Some(a), Some(b)) if a != b)
    }
}

/// The plan an approver is shown: what the requesting operator confirmed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Plan {
    pub title: String,
    pub calls: Vec<PlannedCall>,
    /// `title: current → target`, one per step.
    pub changes: Vec<String>,
    /// What confirming throws away (acknowledged writes), one per step.
    pub discards: Vec<String>,
    pub warnings: Vec<String>,
}

impl Plan {
    pub fn of(p: &ConfirmPrompt) -> Plan {
        Plan {
            title: p.title.clone(),
            calls: p.calls.clone(),
            changes: p.changes.clone(),
            discards: p.discards.clone(),
            warnings: p.warnings.clone(),
        }
    }

    /// SHA-256 of the run, the step and this plan: an approval of one plan is no approval of
    /// another, nor of the same plan in another run or step.
    pub fn sha256(&self, run_id: &str, step: &str) -> String {
        let bound = serde_json::json!({"run_id": run_id, "step": step, "plan": self});
        super::audit::sha256_hex(bound.to_string().as_bytes())
    }

    /// The plan as text, one line each: what `drconsole approve` prints and the console shows.
    pub fn lines(&self) -> Vec<String> {
        let mut out = Vec::new();
        for c in &self.calls {
            out.push(format!(
                "call: {}{}",
                c.describe,
                if c.irreversible {
                    " (IRREVERSIBLE)"
                } else {
                    ""
                }
            ));
        }
        out.extend(self.changes.iter().map(|c| format!("change: {c}")));
        out.extend(self.discards.iter().map(|d| format!("DATA LOSS: {d}")));
        out.extend(
            self.warnings
                .iter()
                .filter(|w| !w.contains("DATA LOSS:"))
                .map(|w| format!("warning: {w}")),
        );
        out
    }
}

/// Where a request stands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum Status {
    Pending,
    Approved {
        by: Operator,
        at: DateTime<Utc>,
    },
    /// Its deadline passed first: the waiting run stopped.
    Expired,
    /// The waiting run stopped waiting (aborted, suspended, or its lease lost).
    Withdrawn {
        reason: String,
    },
}

/// One step's request for approval.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Request {
    pub estate: String,
    pub run_id: String,
    pub runbook: String,
    pub step: String,
    /// New for every time the step asks: an approval names the request it approves.
    pub request_id: String,
    pub plan_sha256: String,
    pub plan: Plan,
    pub requested_by: Operator,
    pub requested_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    #[serde(flatten)]
    pub status: Status,
}

impl Request {
    /// `drconsole approve RUN STEP`: what another operator runs.
    pub fn command(&self) -> String {
        format!("drconsole approve {} {}", self.run_id, self.step)
    }

    /// What the screen and the log show of it; `store`: where it is kept.
    pub fn wait(&self, store: String) -> super::api::ApprovalWait {
        super::api::ApprovalWait {
            step: self.step.clone(),
            title: self.plan.title.clone(),
            run_id: self.run_id.clone(),
            command: self.command(),
            request_id: self.request_id.clone(),
            plan_sha256: self.plan_sha256.clone(),
            plan: self.plan.lines(),
            requested_by: self.requested_by.who(),
            expires_at: self.expires_at,
            store,
        }
    }
}

/// Why an approval was not recorded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refused {
    /// No request for that run and step.
    NoRequest,
    /// The approver is the operator who asked.
    OwnStep { who: String },
    /// The plan approved is not the plan waiting (`--plan`, or it changed meanwhile).
    PlanDiffers { expected: String, found: String },
    /// The deadline passed: the run stopped at the step.
    TimedOut { at: DateTime<Utc> },
    /// Already approved, or withdrawn.
    NotPending(String),
    /// The store could not be read or written.
    Unreachable(String),
}

impl std::fmt::Display for Refused {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Refused::NoRequest => f.write_str("no approval is requested for that run and step"),
            Refused::OwnStep { who } => write!(
                f,
                "refused: {who} asked for this approval; another operator (another user@host, \
                 or another AWS principal) must approve it"
            ),
            Refused::PlanDiffers { expected, found } => write!(
                f,
                "refused: the plan waiting has sha256 {found}, not {expected}: read it again \
                 (drconsole approve RUN STEP prints it) before approving"
            ),
            Refused::TimedOut { at } => write!(
                f,
                "refused: the request timed out at {} UTC and the run stopped at the step; \
                 resuming the run asks again",
                at.format("%H:%M:%S")
            ),
            Refused::NotPending(why) => write!(f, "not approved: the request is {why}"),
            Refused::Unreachable(why) => write!(f, "the approval store cannot be reached: {why}"),
        }
    }
}

/// Whether `by` may approve `r` (request `request_id`, plan `plan_sha256`) at `now`: the
/// rule every store's conditional write encodes, and what a refused write is explained by.
pub fn check(
    r: &Request,
    request_id: &str,
    plan_sha256: &str,
    by: &Operator,
    now: DateTime<Utc>,
) -> Result<(), Refused> {
    if !r.requested_by.is_other(by) {
        return Err(Refused::OwnStep {
            who: r.requested_by.who(),
        });
    }
    match &r.status {
        Status::Pending => {}
        Status::Expired => return Err(Refused::TimedOut { at: r.expires_at }),
        Status::Approved { by, .. } => {
            return Err(Refused::NotPending(format!(
                "already approved by {}",
                by.who()
            )));
        }
        Status::Withdrawn { reason } => {
            return Err(Refused::NotPending(format!("withdrawn: {reason}")));
        }
    }
    if r.request_id != request_id || r.plan_sha256 != plan_sha256 {
        return Err(Refused::PlanDiffers {
            expected: plan_sha256.to_string(),
            found: r.plan_sha256.clone(),
        });
    }
    if now >= r.expires_at {
        return Err(Refused::TimedOut { at: r.expires_at });
    }
    Ok(())
}

#[cfg(test)]
mod tests;

//! The run lock: one run per estate at a time, whoever starts it.
//!
//! - [`local`]: always. An advisory lock (`flock`) on a file in the state directory, so two
//!   consoles, or a console and `drconsole run`, on one machine cannot run at once. The
//!   operating system releases it when its process dies, so it never goes stale.
//! - [`dynamo`]: when the estate file has `[coordination]`. One item per estate in a DynamoDB
//!   table, claimed by a conditional write, kept by a lease the holder renews
//!   ([`lease`]), carrying the run's progress so that other operators can follow it.
//!
//! A live run claims both (local first) before its journal is written; a dry run calls
//! nothing and claims nothing. What a run that cannot claim the lock learns is a [`Refusal`]:
//! who holds it (user, host, pid, since when, which step), or that the table cannot be
//! reached.
//!
//! Fencing: every renewal is a conditional write on the lease version, and before each
//! mutating call the engine asks the [`Fence`], which is open only while the last successful
//! claim or renewal is younger than the lease minus a margin, and closed for good once a
//! renewal finds the lease taken over. Why this and not a read of the item before each call:
//! it costs no call on the run's path, and it holds when DynamoDB cannot be reached (the
//! holder stops by itself before anyone may take the lease over), which a read would not.

mod approval;
pub mod dynamo;
pub mod follow;
mod host;
pub mod lease;
pub mod local;

use std::time::Duration;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::api::{RunEvent, StepView};
use super::journal::StepStatus;

pub use host::{hostname, pid_alive};
pub use lease::Fence;

/// How long a DynamoDB lease lasts without renewal.
pub const LEASE: Duration = Duration::from_secs(60);
/// How often the holder renews it (and writes its progress, when nothing changed sooner).
pub const RENEW_EVERY: Duration = Duration::from_secs(10);
/// The fence closes this long before the lease expires, for clocks that drift a little.
pub const FENCE_MARGIN: Duration = Duration::from_secs(5);

/// What the caller of a run says about the lock.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct LockOptions {
    /// Run without the shared lock when its table cannot be reached (`--no-lock`, audited).
    /// The local lock is still taken.
    pub no_lock: bool,
    /// Take over an expired lease held by `user@host`, typed by the operator.
    pub take_over: Option<String>,
}

/// The run as its holder reports it, for those who follow it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Progress {
    pub steps: Vec<StepView>,
    /// The question the run is waiting on, one line.
    pub prompt: Option<String>,
    /// The last lines of its log.
    pub log: Vec<String>,
    /// Set once the run ended.
    pub outcome: Option<String>,
}

/// How many log lines the progress keeps.
const PROGRESS_LOG: usize = 12;

impl Progress {
    /// Folds one run event in. Returns whether anything a follower sees changed.
    pub fn apply(&mut self, e: &RunEvent) -> bool {
        match e {
            RunEvent::Started { steps, .. } => self.steps = steps.clone(),
            RunEvent::Step(v) => match self.steps.iter_mut().find(|s| s.id == v.id) {
                Some(s) if s == v => return false,
                Some(s) => {
                    if matches!(
                        s.status,
                        StepStatus::AwaitingConfirmation
                            | StepStatus::AwaitingApproval
                            | StepStatus::Failed { .. }
                    ) {
                        self.prompt = None;
                    }
                    *s = v.clone()
                }
                None => self.steps.push(v.clone()),
            },
            RunEvent::AwaitingConfirmation(p) => {
                self.prompt = Some(format!("{} {}: awaiting confirmation", p.step, p.title))
            }
            RunEvent::AwaitingApproval(w) => {
                self.prompt = Some(format!(
                    "{} {}: waiting for approval by another operator: {} (until {} UTC)",
                    w.step,
                    w.title,
                    w.command,
                    w.expires_at.format("%H:%M:%S")
                ))
            }
            RunEvent::AwaitingDecision { step, error, .. } => {
                self.prompt = Some(format!("{step} failed: {error}"))
            }
            RunEvent::Log(l) => {
                self.log.push(l.to_string());
                let extra = self.log.len().saturating_sub(PROGRESS_LOG);
                self.log.drain(..extra);
            }
            RunEvent::Finished(s) => {
                self.prompt = None;
                self.outcome = Some(match &s.outcome {
                    super::RunOutcome::Completed => "completed".into(),
                    super::RunOutcome::Aborted { reason } => format!("aborted: {reason}"),
                })
            }
            RunEvent::Crashed { reason } => {
                self.prompt = None;
                self.outcome = Some(format!("stopped: {reason}"))
            }
            RunEvent::Locked(_) | RunEvent::Followed(_) => return false,
        }
        true
    }

    /// `5/10`: the top-level step being worked on (or the last one) of all of them.
    pub fn position(&self) -> Option<(usize, usize)> {
        let top: Vec<&StepView> = self.steps.iter().filter(|s| s.parent.is_none()).collect();
        if top.is_empty() {
            return None;
        }
        let at = top
            .iter()
            .position(|s| !s.status.is_final())
            .map(|i| i + 1)
            .unwrap_or(top.len());
        Some((at, top.len()))
    }
}

/// Who holds an estate's run lock, and how far the run is.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Holder {
    pub user: String,
    pub host: String,
    pub pid: u32,
    pub runbook: String,
    pub run_id: String,
    pub since: DateTime<Utc>,
    /// Bumped by every claim and renewal (the DynamoDB lease; 0 for the local lock).
    #[serde(default)]
    pub lease_version: u64,
    /// When the lease expires unless renewed (the DynamoDB lease only).
    #[serde(default)]
    pub expires_at: Option<DateTime<Utc>>,
    #[serde(default)]
    pub progress: Progress,
}

impl Holder {
    /// This process, about to run `runbook` as `user`.
    pub fn me(user: &str, runbook: &str, run_id: &str) -> Holder {
        Holder {
            user: user.to_string(),
            host: hostname(),
            pid: std::process::id(),
            runbook: runbook.to_string(),
            run_id: run_id.to_string(),
            since: Utc::now(),
            lease_version: 0,
            expires_at: None,
            progress: Progress::default(),
        }
    }

    /// `alice@laptop`: what an operator types to take an expired lease over.
    pub fn who(&self) -> String {
        format!("{}@{}", self.user, self.host)
    }

    pub fn expired(&self, now: DateTime<Utc>) -> bool {
        self.expires_at.is_some_and(|e| e < now)
    }

    /// Whether this holder is a process of this machine that no longer runs (a crashed
    /// console or run, whose lock its resumed run may claim again).
    pub fn is_dead_here(&self) -> bool {
        self.host == hostname() && self.pid != std::process::id() && !pid_alive(self.pid)
    }

    /// `failover running by alice@laptop (pid 4242) since 13:02 UTC, step 5/10`.
    pub fn describe(&self) -> String {
        let mut s = format!(
            "{} running by {} (pid {}) since {} UTC",
            self.runbook,
            self.who(),
            self.pid,
            self.since.format("%H:%M")
        );
        if let Some((at, of)) = self.progress.position() {
            s.push_str(&format!(", step {at}/{of}"));
        }
        if let Some(o) = &self.progress.outcome {
            s.push_str(&format!(" ({o})"));
        }
        s
    }
}

/// Why a run did not start.
#[derive(Debug, Clone, PartialEq)]
pub enum Refusal {
    /// Another run holds the estate. `expired`: its lease ran out (it may be taken over with
    /// a typed confirmation); `shared`: the DynamoDB lock (else this machine's).
    Held {
        holder: Box<Holder>,
        expired: bool,
        shared: bool,
    },
    /// The shared lock's table cannot be reached (and no `--no-lock`).
    Unreachable(String),
}

impl std::fmt::Display for Refusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Refusal::Held {
                holder, expired, ..
            } if *expired => write!(
                f,
                "the run lock is held by an expired lease: {}; its last renewal ran out at {} \
                 UTC. Take it over only if that run is dead (type {})",
                holder.describe(),
                holder
                    .expires_at
                    .map(|e| e.format("%H:%M:%S").to_string())
                    .unwrap_or_default(),
                holder.who()
            ),
            Refusal::Held { holder, .. } => {
                write!(f, "the run lock is held: {}", holder.describe())
            }
            Refusal::Unreachable(why) => write!(
                f,
                "the run lock cannot be claimed: {why}; nothing was called (--no-lock runs \
                 without it, audited)"
            ),
        }
    }
}

#[cfg(test)]
mod tests;

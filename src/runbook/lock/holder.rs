//! Who holds an estate's run lock, as the lock records it and an operator reads it, and why a
//! run that could not claim the lock did not start.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::{Progress, hostname, pid_alive};

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

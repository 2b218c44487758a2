//! `drconsole approve RUN_ID STEP`: prints the plan waiting for approval (calls, current →
//! target, data loss, its SHA-256), then approves it when the operator types the step's id
//! (on a terminal) or names the plan's hash (`--plan SHA256`, for a script). Every approval
//! and every refusal is an audit line of the run it is about.

use std::io::Write;
use std::path::PathBuf;
use std::sync::Arc;

use serde_json::json;

use super::{Operator, Refused, Request, Store};
use crate::runbook::audit::AuditLog;

/// Exit codes of `approve`.
pub const APPROVED: i32 = 0;
/// No request is pending for that run and step: none, timed out, approved or withdrawn.
pub const NOT_PENDING: i32 = 1;
/// The plan was printed and nothing approved (the step id not typed, or no terminal and no
/// `--plan`).
pub const PLAN_ONLY: i32 = 2;
/// Refused: the approver asked for it, or the plan is not the one named by `--plan`.
pub const REFUSED: i32 = 3;

pub struct Approve {
    pub run_id: String,
    pub step: String,
    /// `--plan SHA256`: approve only this plan.
    pub plan: Option<String>,
    pub me: Operator,
    pub audit_path: PathBuf,
}

/// The exit code for a refusal.
pub fn code_of(r: &Refused) -> i32 {
    match r {
        Refused::OwnStep { .. } | Refused::PlanDiffers { .. } => REFUSED,
        Refused::NoRequest | Refused::TimedOut { .. } | Refused::NotPending(_) => NOT_PENDING,
        Refused::Unreachable(_) => crate::exit::AWS_UNAVAILABLE,
    }
}

/// The request as printed for the approver.
pub fn describe(r: &Request) -> String {
    let mut out = format!(
        "run {} ({}, estate {}) step {}: {}\n  asked by {}{} at {} UTC; waits until {} UTC\n  \
         plan sha256 {}\n",
        r.run_id,
        r.runbook,
        r.estate,
        r.step,
        r.plan.title,
        r.requested_by.who(),
        r.requested_by
            .principal
            .as_ref()
            .map(|p| format!(" ({p})"))
            .unwrap_or_default(),
        r.requested_at.format("%Y-%m-%d %H:%M:%S"),
        r.expires_at.format("%H:%M:%S"),
        r.plan_sha256
    );
    for l in r.plan.lines() {
        out.push_str(&format!("  {l}\n"));
    }
    out
}

impl Approve {
    fn audit(&self, event: &str, r: Option<&Request>, reason: Option<String>) {
        let fields = json!({"user": self.me.user, "host": self.me.host,
            "principal": self.me.principal, "from": "command",
            "request_id": r.map(|r| r.request_id.clone()),
            "plan_sha256": r.map(|r| r.plan_sha256.clone()).or(self.plan.clone()),
            "requested_by": r.map(|r| r.requested_by.who()), "reason": reason});
        let _ = AuditLog::open(&self.audit_path)
            .and_then(|log| log.write(&self.run_id, Some(&self.step), event, fields));
    }

    fn refuse(&self, out: &mut dyn Write, r: Option<&Request>, why: Refused) -> i32 {
        self.audit("approval_refused", r, Some(why.to_string()));
        let _ = writeln!(out, "{why}");
        code_of(&why)
    }

    /// Runs the command against `store`. `typed`: what the operator typed when asked, called
    /// only on a terminal without `--plan` (`None`: not a terminal).
    pub async fn run(
        &self,
        store: &Arc<dyn Store>,
        out: &mut dyn Write,
        typed: &mut dyn FnMut(&str) -> Option<String>,
    ) -> i32 {
        let r = match store.get(&self.run_id, &self.step).await {
            Err(e) => return self.refuse(out, None, Refused::Unreachable(e)),
            Ok(None) => return self.refuse(out, None, Refused::NoRequest),
            Ok(Some(r)) => r,
        };
        let _ = write!(out, "{}", describe(&r));
        if let Err(why) = super::check(
            &r,
            &r.request_id,
            &r.plan_sha256,
            &self.me,
            chrono::Utc::now(),
        ) {
            return self.refuse(out, Some(&r), why);
        }
        let hash = match &self.plan {
            Some(h) if h.trim() != r.plan_sha256 => {
                let why = Refused::PlanDiffers {
                    expected: h.trim().to_string(),
                    found: r.plan_sha256.clone(),
                };
                return self.refuse(out, Some(&r), why);
            }
            Some(h) => h.trim().to_string(),
            None => match typed(&format!("type {} to approve this plan: ", r.step)) {
                Some(t) if t.trim() == r.step => r.plan_sha256.clone(),
                Some(_) => {
                    let _ = writeln!(out, "not approved: {} was not typed", r.step);
                    return PLAN_ONLY;
                }
                None => {
                    let _ = writeln!(
                        out,
                        "plan printed, nothing approved: approve it with --plan {}",
                        r.plan_sha256
                    );
                    return PLAN_ONLY;
                }
            },
        };
        match store
            .approve(&self.run_id, &self.step, &r.request_id, &hash, &self.me)
            .await
        {
            Ok(done) => {
                self.audit("approval_given", Some(&done), None);
                let _ = writeln!(
                    out,
                    "approved by {}: run {} goes on with step {}",
                    self.me.who(),
                    self.run_id,
                    self.step
                );
                APPROVED
            }
            Err(why) => self.refuse(out, Some(&r), why),
        }
    }
}

//! A runbook's evaluation, read-only and repeated: may the principals make its calls, does the
//! standby region's quota cover production, what would its dry run do now, and does AWS still
//! match the estate file. Plain data, shared by the console, `status` and the metrics.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::Side;

/// A runbook's result, or one check's.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    Passed,
    /// Could not be checked (the caller may not simulate, a quota could not be read): never
    /// counted as passed.
    NotEvaluated,
    ActionRequired,
}

impl Outcome {
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Passed => "passed",
            Outcome::NotEvaluated => "not evaluated",
            Outcome::ActionRequired => "action required",
        }
    }
}

impl std::fmt::Display for Outcome {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Which part of the evaluation a finding comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Aspect {
    Permissions,
    Quotas,
    Plan,
    Drift,
}

impl Aspect {
    pub const ALL: [Aspect; 4] = [
        Aspect::Permissions,
        Aspect::Quotas,
        Aspect::Plan,
        Aspect::Drift,
    ];
    pub fn as_str(self) -> &'static str {
        match self {
            Aspect::Permissions => "permissions",
            Aspect::Quotas => "quotas",
            Aspect::Plan => "plan",
            Aspect::Drift => "drift",
        }
    }
}

/// One thing found: what is wrong (or could not be checked), and where.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Finding {
    pub aspect: Aspect,
    pub outcome: Outcome,
    /// The runbook step it concerns (`database`, `scale-up`), when one.
    pub step: Option<String>,
    /// `rds:PromoteReadReplica denied`, `standby ASG orders-web max 2 < production 4`.
    pub text: String,
}

impl Finding {
    /// `database: rds:PromoteReadReplica denied`, or the text alone without a step.
    pub fn line(&self) -> String {
        match &self.step {
            Some(s) => format!("{s}: {}", self.text),
            None => self.text.clone(),
        }
    }
}

/// What one aspect came to, with a line saying why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AspectResult {
    pub aspect: Aspect,
    pub outcome: Outcome,
    /// `12 calls allowed for 2 principals`, `caller may not simulate: AccessDenied ...`.
    pub summary: String,
}

/// One runbook's evaluation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Evaluation {
    pub runbook: String,
    pub outcome: Outcome,
    pub evaluated_at: DateTime<Utc>,
    pub aspects: Vec<AspectResult>,
    /// Action required first, then not evaluated.
    pub findings: Vec<Finding>,
}

impl Evaluation {
    /// Builds the evaluation's outcome from its aspects: any action required makes the whole
    /// action required, else any not evaluated makes it not evaluated.
    pub fn new(
        runbook: &str,
        evaluated_at: DateTime<Utc>,
        aspects: Vec<AspectResult>,
        mut findings: Vec<Finding>,
    ) -> Evaluation {
        let outcome = aspects
            .iter()
            .map(|a| a.outcome)
            .chain(findings.iter().map(|f| f.outcome))
            .max()
            .unwrap_or(Outcome::NotEvaluated);
        findings.sort_by_key(|f| std::cmp::Reverse(f.outcome));
        Evaluation {
            runbook: runbook.to_string(),
            outcome,
            evaluated_at,
            aspects,
            findings,
        }
    }

    /// The one line shown per runbook: `action required: database: rds:PromoteReadReplica
    /// denied (+2 more)`, `not evaluated: permissions: ...`, `passed`.
    pub fn headline(&self) -> String {
        match self.outcome {
            Outcome::Passed => "passed".into(),
            outcome => {
                let worst: Vec<&Finding> = self
                    .findings
                    .iter()
                    .filter(|f| f.outcome == outcome)
                    .collect();
                let first = match worst.first() {
                    Some(f) => f.line(),
                    None => self
                        .aspects
                        .iter()
                        .find(|a| a.outcome == outcome)
                        .map(|a| format!("{}: {}", a.aspect.as_str(), a.summary))
                        .unwrap_or_default(),
                };
                let more = worst.len().saturating_sub(1);
                if more > 0 {
                    format!("{outcome}: {first} (+{more} more)")
                } else {
                    format!("{outcome}: {first}")
                }
            }
        }
    }

    pub fn aspect(&self, aspect: Aspect) -> Option<&AspectResult> {
        self.aspects.iter().find(|a| a.aspect == aspect)
    }
}

/// What IAM's policy simulation decided for one call on one resource.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Permission {
    /// `rds:PromoteReadReplica`.
    pub action: String,
    pub resource: String,
    pub decision: Decision,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Decision {
    Allowed,
    /// A statement denies it.
    ExplicitDeny,
    /// Nothing allows it.
    ImplicitDeny,
}

/// A capacity the failover scales up, counted against a Service Quotas quota.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum QuotaKind {
    /// Fargate On-Demand vCPU (`fargate` L-3032A538).
    FargateVcpu,
    /// Running On-Demand Standard instances' vCPUs (`ec2` L-1216C47A).
    Ec2OnDemandVcpu,
    /// DB instances (`rds` L-7B6409FD).
    RdsInstances,
}

impl QuotaKind {
    pub const ALL: [QuotaKind; 3] = [
        QuotaKind::FargateVcpu,
        QuotaKind::Ec2OnDemandVcpu,
        QuotaKind::RdsInstances,
    ];
    /// Service Quotas' service code and quota code.
    pub fn codes(self) -> (&'static str, &'static str) {
        match self {
            QuotaKind::FargateVcpu => ("fargate", "L-3032A538"),
            QuotaKind::Ec2OnDemandVcpu => ("ec2", "L-1216C47A"),
            QuotaKind::RdsInstances => ("rds", "L-7B6409FD"),
        }
    }
    pub fn label(self) -> &'static str {
        match self {
            QuotaKind::FargateVcpu => "Fargate vCPU",
            QuotaKind::Ec2OnDemandVcpu => "EC2 on-demand vCPU",
            QuotaKind::RdsInstances => "RDS instances",
        }
    }
}

/// A quota's applied value in one region (`None`: the region has no value for it).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct QuotaReading {
    pub kind: QuotaKind,
    pub side: Side,
    pub value: Option<f64>,
}

/// The size of one ECS task definition, as far as quotas count it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TaskSize {
    /// The task definition as the service names it (ARN or family:revision).
    pub task_definition: String,
    /// Whether it runs on Fargate (`requiresCompatibilities` has `FARGATE`).
    pub fargate: bool,
    /// Its task-level vCPU (`cpu` / 1024); `None` when the definition sets none.
    pub vcpu: Option<f64>,
}

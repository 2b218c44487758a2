//! The target region's quotas judged: each against what production needs and against the
//! other region's, with what could not be compared said as not evaluated.

use super::Need;
use crate::config::Estate;
use crate::model::{Aspect, AspectResult, Finding, Outcome, QuotaKind, QuotaReading, Side};

fn finding(outcome: Outcome, text: String) -> Finding {
    Finding {
        aspect: Aspect::Quotas,
        outcome,
        step: None,
        text,
    }
}

fn value(readings: &[QuotaReading], kind: QuotaKind) -> Option<f64> {
    readings
        .iter()
        .find(|q| q.kind == kind)
        .and_then(|q| q.value)
}

/// Judges the target's quotas against `need` and the other region's quotas.
pub fn judge(
    estate: &Estate,
    target: Side,
    need: &Need,
    target_quotas: &[QuotaReading],
    other_quotas: Option<&[QuotaReading]>,
) -> (AspectResult, Vec<Finding>) {
    let region = estate.region(target).region.to_string();
    let other = estate.region(target.other()).region.to_string();
    let mut out = Vec::new();
    let mut fine = Vec::new();
    for kind in QuotaKind::ALL {
        let needed = match kind {
            QuotaKind::FargateVcpu => need.fargate_vcpu,
            QuotaKind::RdsInstances => need.db_instances,
            QuotaKind::Ec2OnDemandVcpu => None,
        };
        let theirs = other_quotas.and_then(|q| value(q, kind));
        let Some(ours) = value(target_quotas, kind) else {
            if needed.is_some() {
                out.push(finding(
                    Outcome::NotEvaluated,
                    format!("{}: {region} has no applied value to compare", kind.label()),
                ));
            }
            continue;
        };
        let mut ok = true;
        if let Some(n) = needed
            && ours < n
        {
            ok = false;
            out.push(finding(
                Outcome::ActionRequired,
                format!(
                    "{}: {region} quota {} < production needs {}{}",
                    kind.label(),
                    num(ours),
                    num(n),
                    theirs.map_or(String::new(), |t| format!(" ({other}: {})", num(t))),
                ),
            ));
        }
        if let Some(t) = theirs
            && ours < t
            && ok
        {
            ok = false;
            out.push(finding(
                Outcome::ActionRequired,
                format!(
                    "{}: {region} quota {} < {other}'s {}{}",
                    kind.label(),
                    num(ours),
                    num(t),
                    needed.map_or(String::new(), |n| format!(" (production needs {})", num(n))),
                ),
            ));
        }
        if ok {
            fine.push(match needed {
                Some(n) => format!("{} {} ≥ {}", kind.label(), num(ours), num(n)),
                None => format!("{} {}", kind.label(), num(ours)),
            });
        }
    }
    for why in &need.not_sized {
        out.push(finding(
            Outcome::NotEvaluated,
            format!("Fargate vCPU need of {why}"),
        ));
    }
    if other_quotas.is_none() {
        out.push(finding(
            Outcome::NotEvaluated,
            format!("{other}'s quotas not read: no parity check"),
        ));
    }
    if fine.is_empty() && out.is_empty() {
        out.push(finding(
            Outcome::NotEvaluated,
            format!("{region} has no applied value for any quota"),
        ));
    }
    let worst = out
        .iter()
        .map(|f| f.outcome)
        .max()
        .unwrap_or(Outcome::Passed);
    let summary = match worst {
        Outcome::Passed => format!("{region}: {}", fine.join(", ")),
        _ => format!("{} finding(s)", out.len()),
    };
    (
        AspectResult {
            aspect: Aspect::Quotas,
            outcome: worst,
            summary,
        },
        out,
    )
}

fn num(v: f64) -> String {
    if v.fract() == 0.0 {
        format!("{v:.0}")
    } else {
        format!("{v:.1}")
    }
}

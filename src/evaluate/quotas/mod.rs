//! Will the region a move goes to let production run there? Its applied Service Quotas for
//! what a failover scales up, against what production needs (Fargate vCPU: each service's
//! production count × its task's vCPU; DB instances: the one a restore from backup creates)
//! and against the other region's quota (a region whose quota was never raised like the
//! primary's is found now, not when the scale-up is refused). Only reads.
//!
//! Quotas are the account's in the region: other workloads there count against them too, and
//! drconsole does not see them. The need is a floor, said as such.

use crate::backend::Backend;
use crate::config::{DatabaseKind, Estate};
use crate::model::{
    Aspect, AspectResult, Finding, Outcome, QuotaKind, QuotaReading, RegionReading, Side, TaskSize,
};

fn finding(outcome: Outcome, text: String) -> Finding {
    Finding {
        aspect: Aspect::Quotas,
        outcome,
        step: None,
        text,
    }
}

/// What production needs of each quota in the target region, where drconsole can count it,
/// and the services it could not size (with why).
#[derive(Debug, Default, PartialEq)]
pub struct Need {
    pub fargate_vcpu: Option<f64>,
    pub db_instances: Option<f64>,
    pub not_sized: Vec<String>,
}

/// Counts the need from the estate, the target's reading (the task definition each service
/// runs there) and the sizes read of those definitions.
pub fn need(estate: &Estate, reading: Option<&RegionReading>, sizes: &[TaskSize]) -> Need {
    let mut need = Need::default();
    let services = reading.and_then(|r| r.services.as_ref().ok());
    let mut vcpu = 0.0;
    let mut counted = false;
    for cfg in estate.services().iter().filter(|s| s.production > 0) {
        let td = services
            .and_then(|all| all.iter().find(|s| s.name == cfg.name))
            .and_then(|s| s.task_definition.as_deref());
        let size = td.and_then(|td| sizes.iter().find(|s| s.task_definition == td));
        match size {
            Some(TaskSize {
                fargate: true,
                vcpu: Some(v),
                ..
            }) => {
                vcpu += f64::from(cfg.production) * v;
                counted = true;
            }
            // Not a Fargate task: it counts against the instances it is placed on.
            Some(TaskSize { fargate: false, .. }) => {}
            Some(TaskSize { vcpu: None, .. }) => need
                .not_sized
                .push(format!("{}: its task definition sets no cpu", cfg.name)),
            None => need
                .not_sized
                .push(format!("{}: its task definition was not read", cfg.name)),
        }
    }
    if counted {
        need.fargate_vcpu = Some(vcpu);
    }
    if estate
        .database
        .as_ref()
        .is_some_and(|d| d.kind == DatabaseKind::BackupRestore)
    {
        need.db_instances = Some(1.0);
    }
    need
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

/// Reads the quotas of both regions and the task sizes in `target`, then judges them.
pub async fn check(
    estate: &Estate,
    backend: &dyn Backend,
    target: Side,
    reading: Option<&RegionReading>,
) -> (AspectResult, Vec<Finding>) {
    let (ours, theirs) = tokio::join!(
        backend.quotas(target, &QuotaKind::ALL),
        backend.quotas(target.other(), &QuotaKind::ALL),
    );
    let ours = match ours {
        Ok(q) => q,
        Err(e) => {
            return (
                AspectResult {
                    aspect: Aspect::Quotas,
                    outcome: Outcome::NotEvaluated,
                    summary: format!("{target}'s quotas not read: {e}"),
                },
                Vec::new(),
            );
        }
    };
    let mut defs: Vec<String> = reading
        .and_then(|r| r.services.as_ref().ok())
        .into_iter()
        .flatten()
        .filter(|s| {
            estate
                .services()
                .iter()
                .any(|c| c.name == s.name && c.production > 0)
        })
        .filter_map(|s| s.task_definition.clone())
        .collect();
    defs.sort();
    defs.dedup();
    let sizes = if defs.is_empty() {
        Vec::new()
    } else {
        backend.task_sizes(target, &defs).await.unwrap_or_default()
    };
    let need = need(estate, reading, &sizes);
    judge(estate, target, &need, &ours, theirs.ok().as_deref())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::backend::sim::built_in_estate;

    fn quotas(side: Side, fargate: Option<f64>, ec2: f64, rds: f64) -> Vec<QuotaReading> {
        [
            (QuotaKind::FargateVcpu, fargate),
            (QuotaKind::Ec2OnDemandVcpu, Some(ec2)),
            (QuotaKind::RdsInstances, Some(rds)),
        ]
        .into_iter()
        .map(|(kind, value)| QuotaReading { kind, side, value })
        .collect()
    }

    fn need(fargate: Option<f64>) -> Need {
        Need {
            fargate_vcpu: fargate,
            ..Need::default()
        }
    }

    #[test]
    fn a_quota_below_the_need_is_action_required_with_both_numbers() {
        let e = built_in_estate();
        let ours = quotas(Side::Standby, Some(8.0), 1152.0, 40.0);
        let theirs = quotas(Side::Primary, Some(400.0), 1152.0, 40.0);
        let (a, f) = judge(&e, Side::Standby, &need(Some(12.0)), &ours, Some(&theirs));
        assert_eq!(a.outcome, Outcome::ActionRequired);
        assert_eq!(f.len(), 1, "{f:?}");
        assert_eq!(
            f[0].text,
            "Fargate vCPU: us-west-2 quota 8 < production needs 12 (us-east-1: 400)"
        );
    }

    #[test]
    fn a_quota_below_the_other_regions_is_action_required_even_above_the_need() {
        let e = built_in_estate();
        let ours = quotas(Side::Standby, Some(400.0), 64.0, 40.0);
        let theirs = quotas(Side::Primary, Some(400.0), 1152.0, 40.0);
        let (a, f) = judge(&e, Side::Standby, &need(Some(12.0)), &ours, Some(&theirs));
        assert_eq!(a.outcome, Outcome::ActionRequired);
        assert_eq!(
            f.iter().map(|f| f.text.as_str()).collect::<Vec<_>>(),
            ["EC2 on-demand vCPU: us-west-2 quota 64 < us-east-1's 1152"]
        );
    }

    #[test]
    fn enough_everywhere_passes_and_says_the_numbers() {
        let e = built_in_estate();
        let ours = quotas(Side::Standby, Some(400.0), 1152.0, 40.0);
        let theirs = quotas(Side::Primary, Some(400.0), 1152.0, 40.0);
        let (a, f) = judge(&e, Side::Standby, &need(Some(12.5)), &ours, Some(&theirs));
        assert_eq!(a.outcome, Outcome::Passed, "{f:?}");
        assert_eq!(
            a.summary,
            "us-west-2: Fargate vCPU 400 ≥ 12.5, EC2 on-demand vCPU 1152, RDS instances 40"
        );
    }

    #[test]
    fn what_cannot_be_compared_is_not_evaluated_never_passed() {
        let e = built_in_estate();
        let ours = quotas(Side::Standby, None, 1152.0, 40.0);
        let (a, f) = judge(&e, Side::Standby, &need(Some(4.0)), &ours, None);
        assert_eq!(a.outcome, Outcome::NotEvaluated, "{f:?}");
        let texts: Vec<_> = f.iter().map(|f| f.text.as_str()).collect();
        assert!(
            texts.contains(&"Fargate vCPU: us-west-2 has no applied value to compare"),
            "{texts:?}"
        );
        assert!(
            texts.contains(&"us-east-1's quotas not read: no parity check"),
            "{texts:?}"
        );
    }

    #[test]
    fn the_need_counts_production_fargate_tasks_only() {
        let mut e = built_in_estate();
        let services = &mut e.ecs.as_mut().expect("ecs").services;
        services.truncate(3);
        for (s, production) in services.iter_mut().zip([4, 2, 0]) {
            s.production = production;
        }
        let names: Vec<String> = services.iter().map(|s| s.name.clone()).collect();
        let reading = RegionReading {
            database: None,
            services: Ok(names
                .iter()
                .map(|n| {
                    let mut s = crate::model::ServiceReading::missing(n);
                    s.task_definition = Some(format!("{n}:1"));
                    s
                })
                .collect()),
            asgs: Ok(Vec::new()),
            target_groups: Ok(Vec::new()),
            alarms: Ok(Vec::new()),
            replicated: None,
        };
        let sizes = vec![TaskSize {
            task_definition: format!("{}:1", names[0]),
            fargate: true,
            vcpu: Some(0.5),
        }];
        let n = super::need(&e, Some(&reading), &sizes);
        assert_eq!(n.fargate_vcpu, Some(2.0));
        assert_eq!(
            n.not_sized,
            [format!("{}: its task definition was not read", names[1])]
        );
        assert_eq!(n.db_instances, None);
    }
}

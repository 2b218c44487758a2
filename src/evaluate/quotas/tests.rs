//! Tests of the quotas' judgement and of the need counted from the estate.

use super::*;
use crate::backend::sim::built_in_estate;
use crate::model::QuotaReading;

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

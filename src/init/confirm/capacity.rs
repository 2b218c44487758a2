//! What runs in each region now: each service's desired count, each group's capacity, and
//! whether each target group exists.

use super::super::draft::*;
use super::{Reader, fatal};
use crate::backend::BackendError;
use crate::model::Side;

pub(super) async fn ecs(d: &mut Draft, aws: &dyn Reader) -> Result<(), BackendError> {
    let (pr, sr) = (d.primary_region.clone(), d.standby_region.clone());
    let Some(e) = d.ecs.as_mut() else {
        return Ok(());
    };
    let names: Vec<String> = e.services.iter().map(|s| s.name.clone()).collect();
    for (side, cluster, region) in [
        (Side::Primary, e.primary_cluster.clone(), &pr),
        (Side::Standby, e.standby_cluster.clone(), &sr),
    ] {
        let counts = match aws.service_counts(side, &cluster, &names).await {
            Ok(x) => x,
            Err(err) => fatal(err).map(|()| Vec::new())?,
        };
        for s in e.services.iter_mut() {
            match counts.iter().find(|(n, _)| *n == s.name) {
                Some((_, c)) => {
                    s.notes
                        .push(Note::Aws(format!("desired {c} in {cluster}, {region}")));
                    match side {
                        Side::Primary => s.production = Some(*c),
                        Side::Standby => s.standby = Some(*c),
                    }
                }
                None => d.missing.push(Missing {
                    what: format!("ECS service {} in cluster {cluster} ({region})", s.name),
                    looked: format!("ecs:DescribeServices on {cluster} in {region}"),
                }),
            }
        }
    }
    for s in e.services.iter_mut() {
        if s.production == Some(0) {
            s.notes.push(Note::Check(format!(
                "{} runs 0 tasks in {pr} now: production = 0 scales it to nothing on failover",
                s.name
            )));
        }
    }
    Ok(())
}

pub(super) async fn asgs(d: &mut Draft, aws: &dyn Reader) -> Result<(), BackendError> {
    let (pr, sr) = (d.primary_region.clone(), d.standby_region.clone());
    for (side, region) in [(Side::Primary, &pr), (Side::Standby, &sr)] {
        let names: Vec<String> = d
            .asgs
            .iter()
            .map(|g| match side {
                Side::Primary => g.primary_name.clone(),
                Side::Standby => g.standby_name.clone(),
            })
            .collect();
        if names.is_empty() {
            continue;
        }
        let found = match aws.asg_capacities(side, &names).await {
            Ok(x) => x,
            Err(e) => fatal(e).map(|()| Vec::new())?,
        };
        for (g, name) in d.asgs.iter_mut().zip(&names) {
            match found.iter().find(|(n, _)| n == name) {
                Some((_, c)) => {
                    g.notes.push(Note::Aws(format!(
                        "{name}: min {} max {} desired {} in {region}",
                        c.min, c.max, c.desired
                    )));
                    match side {
                        Side::Primary => g.production = Some(*c),
                        Side::Standby => g.standby = Some(*c),
                    }
                }
                None => d.missing.push(Missing {
                    what: format!("Auto Scaling group {name} in {region}"),
                    looked: format!("autoscaling:DescribeAutoScalingGroups in {region}"),
                }),
            }
        }
    }
    Ok(())
}

pub(super) async fn target_groups(d: &mut Draft, aws: &dyn Reader) -> Result<(), BackendError> {
    let (pr, sr) = (d.primary_region.clone(), d.standby_region.clone());
    for (side, region) in [(Side::Primary, &pr), (Side::Standby, &sr)] {
        let arns: Vec<String> = d
            .target_groups
            .iter()
            .map(|t| match side {
                Side::Primary => t.primary_arn.clone(),
                Side::Standby => t.standby_arn.clone(),
            })
            .collect();
        if arns.is_empty() {
            continue;
        }
        let found = match aws.target_groups(side, &arns).await {
            Ok(x) => x,
            Err(e) => fatal(e).map(|()| Vec::new())?,
        };
        for (t, arn) in d.target_groups.iter_mut().zip(&arns) {
            if found.contains(arn) {
                t.notes
                    .push(Note::Aws(format!("{} exists in {region}", t.name)));
            } else {
                d.missing.push(Missing {
                    what: format!("target group {arn}"),
                    looked: format!("elasticloadbalancing:DescribeTargetGroups in {region}"),
                });
            }
        }
    }
    Ok(())
}

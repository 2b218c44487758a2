//! Checks of the sections that carry capacity and traffic: ECS services, Auto Scaling groups
//! and target groups.

use super::{Estate, Failure, fail, non_empty, unique};

pub(super) fn ecs(e: &Estate) -> Result<(), Failure> {
    let Some(ecs) = &e.ecs else {
        return Ok(());
    };
    non_empty("ecs.primary_cluster", &ecs.primary_cluster, "cluster name")?;
    non_empty("ecs.standby_cluster", &ecs.standby_cluster, "cluster name")?;
    for (i, s) in ecs.services.iter().enumerate() {
        non_empty(format!("ecs.services[{i}].name"), &s.name, "service name")?;
    }
    unique(
        "service name",
        ecs.services
            .iter()
            .enumerate()
            .map(|(i, s)| (format!("ecs.services[{i}].name"), s.name.as_str())),
    )
}

pub(super) fn asgs(e: &Estate) -> Result<(), Failure> {
    let label_key = |i: usize| {
        let a = &e.asgs[i];
        if a.name.is_some() || a.primary_name.is_none() {
            format!("asgs[{i}].name")
        } else {
            format!("asgs[{i}].primary_name")
        }
    };
    for (i, a) in e.asgs.iter().enumerate() {
        let fields = [
            ("name", &a.name),
            ("primary_name", &a.primary_name),
            ("standby_name", &a.standby_name),
        ];
        for (key, value) in fields {
            if let Some(v) = value {
                non_empty(format!("asgs[{i}].{key}"), v, "Auto Scaling group name")?;
            }
        }
    }
    unique(
        "Auto Scaling group",
        e.asgs
            .iter()
            .enumerate()
            .filter(|(_, a)| !a.label().is_empty())
            .map(|(i, a)| (label_key(i), a.label())),
    )
}

pub(super) fn target_groups(e: &Estate) -> Result<(), Failure> {
    for (i, tg) in e.target_groups.iter().enumerate() {
        non_empty(
            format!("target_groups[{i}].name"),
            &tg.name,
            "target group name",
        )?;
        for (key, arn) in [
            ("primary_arn", &tg.primary_arn),
            ("standby_arn", &tg.standby_arn),
        ] {
            if !(arn.starts_with("arn:") && arn.contains(":targetgroup/")) {
                return fail(
                    format!("target_groups[{i}].{key}"),
                    format!(
                        "expected a target group ARN such as \
                         \"arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/web/0123456789abcdef\", \
                         found {arn:?}"
                    ),
                );
            }
        }
        if tg.port == Some(0) {
            return fail(
                format!("target_groups[{i}].port"),
                "expected a port from 1 to 65535, found 0",
            );
        }
    }
    unique(
        "target group name",
        e.target_groups
            .iter()
            .enumerate()
            .map(|(i, tg)| (format!("target_groups[{i}].name"), tg.name.as_str())),
    )
}

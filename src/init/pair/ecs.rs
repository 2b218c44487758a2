//! The ECS cluster of each region (the one holding services, else the only one) and the
//! services either cluster runs, paired by name.

use super::super::draft::*;
use super::super::terraform::TfResource;
use super::{Resources, arn_name, side};
use crate::model::Side;

pub(super) fn ecs(res: &Resources, d: &mut Draft) {
    let clusters: Vec<&TfResource> = res.of(&["aws_ecs_cluster"]).collect();
    let services: Vec<&TfResource> = res.of(&["aws_ecs_service"]).collect();
    if clusters.is_empty() && services.is_empty() {
        return;
    }
    let cluster_of = |s: &TfResource| s.str("cluster").map(|c| arn_name(c).to_string());
    // Each region's cluster: the one holding services, else the only one.
    let pick = |sd: Side| -> Option<&TfResource> {
        let here: Vec<&TfResource> = clusters
            .iter()
            .copied()
            .filter(|c| side(d, c) == Some(sd))
            .collect();
        here.iter()
            .copied()
            .find(|c| {
                services
                    .iter()
                    .any(|s| cluster_of(s).as_deref() == c.str("name"))
            })
            .or(here.first().copied())
    };
    let (Some(pc), Some(sc)) = (pick(Side::Primary), pick(Side::Standby)) else {
        for (sd, c) in [
            (Side::Primary, pick(Side::Primary)),
            (Side::Standby, pick(Side::Standby)),
        ] {
            if c.is_none() {
                d.missing.push(Missing {
                    what: format!("the {sd} ECS cluster (in {})", d.region(sd)),
                    looked: format!("aws_ecs_cluster in {} ({})", d.region(sd), res.files()),
                });
            }
        }
        return;
    };
    let pname = pc.str("name").unwrap_or_default().to_string();
    let sname = sc.str("name").unwrap_or_default().to_string();
    let mut e = EcsDraft {
        primary_cluster: pname.clone(),
        standby_cluster: sname.clone(),
        notes: vec![res.note(pc), res.note(sc)],
        ..EcsDraft::default()
    };
    let in_cluster = |s: &TfResource, name: &str, sd: Side| {
        cluster_of(s).as_deref() == Some(name) && side(d, s).is_none_or(|x| x == sd)
    };
    let mut names: Vec<String> = Vec::new();
    for s in &services {
        let Some(n) = s.str("name") else { continue };
        if (in_cluster(s, &pname, Side::Primary) || in_cluster(s, &sname, Side::Standby))
            && !names.iter().any(|x| x == n)
        {
            names.push(n.to_string());
        }
    }
    for n in names {
        let mut notes = Vec::new();
        for s in services
            .iter()
            .filter(|s| s.str("name") == Some(n.as_str()))
        {
            notes.push(res.note(s));
        }
        e.services.push(ServiceDraft {
            name: n,
            production: None,
            standby: None,
            notes,
        });
    }
    d.ecs = Some(e);
}

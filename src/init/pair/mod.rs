//! From the resources of the state files to a draft estate: which database replicates to which,
//! which cluster, group, target group, record and check belongs to which region, paired by
//! what Terraform recorded (`replicate_source_db`, `global_cluster_identifier`, names,
//! attachments, what a record points at). AWS confirms it afterwards (`confirm`).

mod checks;
mod database;
mod dns;
mod ecs;
mod groups;
mod names;
mod restore;

pub use names::{arn_name, same_host};

use checks::{alarms, extras, health_checks};
use database::database;
use dns::dns;
use ecs::ecs;
use groups::{asgs, target_groups};

use std::collections::BTreeSet;

use super::draft::*;
use super::terraform::{Origin, TfResource};
use crate::model::Side;

/// The resources of every state given, and how a note names one of them.
pub struct Resources {
    pub all: Vec<TfResource>,
    pub several_files: bool,
}

impl Resources {
    fn of<'a>(&'a self, kinds: &'a [&'a str]) -> impl Iterator<Item = &'a TfResource> + 'a {
        self.all
            .iter()
            .filter(move |r| kinds.contains(&r.kind.as_str()))
    }
    pub fn note(&self, r: &TfResource) -> Note {
        if r.origin == Origin::Aws {
            Note::From(format!("{}: {}", r.file, r.address))
        } else if self.several_files {
            Note::Terraform(format!("{} in {}", r.address, r.file))
        } else {
            Note::Terraform(r.address.clone())
        }
    }
    /// What one attribute of a Terraform resource said; nothing for one read from AWS (what
    /// AWS says is noted when it is confirmed).
    fn attr_note(&self, r: &TfResource, attr: String) -> Option<Note> {
        (r.origin == Origin::Terraform).then(|| Note::Terraform(format!("{}.{attr}", r.address)))
    }
    fn files(&self) -> String {
        let files: BTreeSet<&str> = self.all.iter().map(|r| r.file.as_str()).collect();
        if files.is_empty() {
            "the state files given".into()
        } else {
            files.into_iter().collect::<Vec<_>>().join(", ")
        }
    }
}

/// Pairs what the state files hold into a draft estate for `primary` → `standby`.
pub fn pair(res: &Resources, primary: &str, standby: &str) -> Draft {
    let mut d = Draft {
        primary_region: primary.to_string(),
        standby_region: standby.to_string(),
        ..Draft::default()
    };
    let regions: BTreeSet<&str> = res.all.iter().filter_map(|r| r.region.as_deref()).collect();
    let other: Vec<&str> = regions
        .iter()
        .copied()
        .filter(|r| *r != primary && *r != standby)
        .collect();
    if !other.is_empty() {
        d.notes.push(Note::Check(format!(
            "the state also holds resources in {}: not part of this estate",
            other.join(", ")
        )));
    }
    database(res, &mut d);
    ecs(res, &mut d);
    asgs(res, &mut d);
    target_groups(res, &mut d);
    dns(res, &mut d);
    health_checks(res, &mut d);
    alarms(res, &mut d);
    extras(res, &mut d);
    d
}

fn side(d: &Draft, r: &TfResource) -> Option<Side> {
    d.side_of(r.region.as_deref())
}

/// A load balancer of a region: its DNS name and hosted zone.
struct Lb<'a> {
    r: &'a TfResource,
    dns_name: String,
    zone_id: String,
}

fn lbs<'a>(res: &'a Resources, d: &Draft, s: Side) -> Vec<Lb<'a>> {
    res.of(&["aws_lb", "aws_alb", "aws_elb"])
        .filter(|r| side(d, r) == Some(s))
        .filter_map(|r| {
            Some(Lb {
                r,
                dns_name: r.str("dns_name")?.to_string(),
                zone_id: r.str("zone_id").unwrap_or_default().to_string(),
            })
        })
        .collect()
}

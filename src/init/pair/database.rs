//! The database of the estate, by what Terraform recorded: a replica in the standby region
//! (`replicate_source_db`), else a global cluster (`global_cluster_identifier`), else a backup
//! vault in the standby region to restore the primary from (`restore`); and the parameters and
//! secrets of the standby region that may hold the writer's address.

use super::super::draft::*;
use super::super::terraform::TfResource;
use super::{Resources, arn_name, restore, side};
use crate::model::Side;

pub(super) fn database(res: &Resources, d: &mut Draft) {
    let instances: Vec<&TfResource> = res.of(&["aws_db_instance"]).collect();
    let looked = format!(
        "aws_db_instance with replicate_source_db in {}, aws_rds_global_cluster, \
         aws_backup_vault in {} ({})",
        d.standby_region,
        d.standby_region,
        res.files()
    );
    // A replica in the standby region whose source is in the primary region.
    let replicas: Vec<&TfResource> = instances
        .iter()
        .copied()
        .filter(|r| r.str("replicate_source_db").is_some() && side(d, r) == Some(Side::Standby))
        .collect();
    if let Some(rep) = replicas.first() {
        let db = replica(res, d, rep, &instances, &replicas);
        d.database = Some(db);
    } else if let Some(g) = res.of(&["aws_rds_global_cluster"]).next() {
        let db = global(res, d, g);
        d.database = Some(db);
    } else if let Some(p) = instances
        .iter()
        .copied()
        .find(|r| side(d, r) == Some(Side::Primary))
    {
        let db = restore::from_backup(res, d, p, looked);
        d.database = Some(db);
    } else {
        d.notes.push(Note::Check(format!(
            "no database found ({looked}); the runbooks move no database"
        )));
    }
    store_candidates(res, d);
}

/// A replica in the standby region and the primary it replicates from.
fn replica(
    res: &Resources,
    d: &Draft,
    rep: &TfResource,
    instances: &[&TfResource],
    replicas: &[&TfResource],
) -> DbDraft {
    let source = rep.str("replicate_source_db").unwrap_or_default();
    let source_id = arn_name(source).to_string();
    let mut db = DbDraft {
        kind: Some(DbKind::RdsReplica),
        primary: source_id.clone(),
        standby: rep.str("identifier").unwrap_or_default().to_string(),
        ..DbDraft::default()
    };
    if let Some(p) = instances.iter().find(|r| {
        r.str("identifier") == Some(source_id.as_str()) && side(d, r) == Some(Side::Primary)
    }) {
        db.notes.push(res.note(p));
        db.primary_address = p.str("address").map(str::to_string);
    }
    db.notes.push(res.note(rep));
    db.notes
        .extend(res.attr_note(rep, format!("replicate_source_db = {source}")));
    if replicas.len() > 1 {
        let others: Vec<&str> = replicas[1..]
            .iter()
            .filter_map(|r| r.str("identifier"))
            .collect();
        db.notes.push(Note::Check(format!(
            "other replicas in {} not in this estate (one database per estate): {}",
            d.standby_region,
            others.join(", ")
        )));
    }
    db
}

/// A global cluster and its member cluster in each region.
fn global(res: &Resources, d: &mut Draft, g: &TfResource) -> DbDraft {
    let gid = g
        .str("global_cluster_identifier")
        .or(g.str("id"))
        .unwrap_or_default()
        .to_string();
    let clusters: Vec<&TfResource> = res
        .of(&["aws_rds_cluster"])
        .filter(|c| c.str("global_cluster_identifier") == Some(gid.as_str()))
        .collect();
    let found: Vec<(Side, Option<&TfResource>)> = [Side::Primary, Side::Standby]
        .into_iter()
        .map(|s| (s, clusters.iter().copied().find(|c| side(d, c) == Some(s))))
        .collect();
    let mut db = DbDraft {
        kind: Some(DbKind::AuroraGlobal),
        global_cluster: Some(gid.clone()),
        notes: vec![res.note(g)],
        ..DbDraft::default()
    };
    for (s, c) in found {
        match c {
            Some(c) => {
                let id = c.str("cluster_identifier").unwrap_or_default().to_string();
                if s == Side::Primary {
                    db.primary = id;
                    db.primary_address = c.str("endpoint").map(str::to_string);
                } else {
                    db.standby = id;
                }
                db.notes.push(res.note(c));
            }
            None => d.missing.push(Missing {
                what: format!(
                    "the {s} cluster of global database {gid} (in {})",
                    d.region(s)
                ),
                looked: format!(
                    "aws_rds_cluster with global_cluster_identifier = {gid} ({})",
                    res.files()
                ),
            }),
        }
    }
    db
}

/// The parameters and secrets of the standby region: where the writer's address may be kept.
fn store_candidates(res: &Resources, d: &mut Draft) {
    if let Some(db) = d.database.as_mut() {
        for r in res.all.iter().filter(|r| {
            side_of(&d.primary_region, &d.standby_region, r) == Some(Side::Standby)
                && matches!(
                    r.kind.as_str(),
                    "aws_ssm_parameter" | "aws_secretsmanager_secret"
                )
        }) {
            if let Some(name) = r.str("name") {
                let kind = if r.kind == "aws_ssm_parameter" {
                    "parameter"
                } else {
                    "secret"
                };
                db.store_candidates
                    .push((kind.into(), name.into(), res.note(r)));
            }
        }
    }
}

fn side_of(primary: &str, standby: &str, r: &TfResource) -> Option<Side> {
    match r.region.as_deref() {
        Some(x) if x == primary => Some(Side::Primary),
        Some(x) if x == standby => Some(Side::Standby),
        _ => None,
    }
}

//! A database without a standby copy in the state: restored from a backup vault of the
//! standby region when there is one, else missing.

use super::super::draft::*;
use super::super::terraform::TfResource;
use super::{Resources, side};
use crate::model::Side;

/// The primary instance and what restoring it in the standby region takes.
pub(super) fn from_backup(
    res: &Resources,
    d: &mut Draft,
    p: &TfResource,
    looked: String,
) -> DbDraft {
    let primary = p.str("identifier").unwrap_or_default().to_string();
    let mut db = DbDraft {
        primary: primary.clone(),
        primary_address: p.str("address").map(str::to_string),
        notes: vec![res.note(p)],
        ..DbDraft::default()
    };
    let vault = res
        .of(&["aws_backup_vault"])
        .find(|v| side(d, v) == Some(Side::Standby));
    if let Some(v) = vault {
        db.kind = Some(DbKind::BackupRestore);
        db.backup_vault = v.str("name").map(str::to_string);
        db.standby = format!("{primary}-dr");
        db.notes.push(res.note(v));
        db.notes.push(Note::Check(format!(
            "standby is the name the restore gives the new instance; \"{primary}-dr\" is a \
             guess"
        )));
        db.instance_class = p.str("instance_class").map(str::to_string);
        if db.instance_class.is_some() {
            db.notes.push(Note::Check(
                "instance_class is the primary's; a smaller class restores cheaper and \
                 serves less"
                    .into(),
            ));
        }
        let groups: Vec<&TfResource> = res
            .of(&["aws_db_subnet_group"])
            .filter(|g| side(d, g) == Some(Side::Standby))
            .collect();
        if let [g] = groups.as_slice() {
            db.subnet_group = g.str("name").map(str::to_string);
            db.notes.push(res.note(g));
        }
        let sgs: Vec<&TfResource> = res
            .of(&["aws_security_group"])
            .filter(|g| {
                side(d, g) == Some(Side::Standby)
                    && g.str("name")
                        .is_some_and(|n| n.contains("db") || n.contains("rds"))
            })
            .collect();
        for g in sgs {
            if let Some(id) = g.str("id") {
                db.security_groups.push(id.to_string());
                db.notes.push(res.note(g));
            }
        }
    } else {
        d.missing.push(Missing {
            what: format!(
                "the standby database: a replica of {primary} in {} (or a global cluster, \
                 or a backup vault to restore from)",
                d.standby_region
            ),
            looked,
        });
    }
    db
}

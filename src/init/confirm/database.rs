//! The database as AWS has it: each instance or cluster exists, the replica replicates from
//! the primary, the backup vault is there; a replica the state files do not hold is found
//! through the primary. The endpoint store is then chosen by the primary's address
//! (`endpoint`).

use super::super::draft::*;
use super::{DbInstanceInfo, Reader, endpoint, fatal};
use crate::backend::BackendError;
use crate::init::pair::arn_name;
use crate::init::terraform::arn_region;
use crate::model::Side;

async fn instance(
    aws: &dyn Reader,
    side: Side,
    id: &str,
) -> Result<Option<DbInstanceInfo>, BackendError> {
    match aws.db_instance(side, id).await {
        Ok(x) => Ok(x),
        Err(e) => fatal(e).map(|()| None),
    }
}

pub(super) async fn database(d: &mut Draft, aws: &dyn Reader) -> Result<(), BackendError> {
    let (pr, sr) = (d.primary_region.clone(), d.standby_region.clone());
    let Some(db) = d.database.as_mut() else {
        return Ok(());
    };
    let reg = |s: Side| match s {
        Side::Primary => pr.as_str(),
        Side::Standby => sr.as_str(),
    };
    let mut missing = Vec::new();
    let mut address = db.primary_address.clone();
    match db.kind {
        Some(DbKind::AuroraGlobal) => {
            for (side, id) in [(Side::Primary, &db.primary), (Side::Standby, &db.standby)] {
                if id.is_empty() {
                    continue;
                }
                let found = match aws.db_cluster(side, id).await {
                    Ok(x) => x,
                    Err(e) => fatal(e).map(|()| None)?,
                };
                match found {
                    Some(c) => {
                        db.notes
                            .push(Note::Aws(format!("cluster {id} exists in {}", reg(side))));
                        if side == Side::Primary {
                            address = c.endpoint.or(address);
                        }
                    }
                    None => missing.push(Missing {
                        what: format!("DB cluster {id} in {}", reg(side)),
                        looked: format!("rds:DescribeDBClusters in {}", reg(side)),
                    }),
                }
            }
        }
        _ => {
            let primary = instance(aws, Side::Primary, &db.primary).await?;
            match &primary {
                Some(p) => {
                    address = p.address.clone().or(address);
                    db.notes
                        .push(Note::Aws(format!("{} exists in {pr}", db.primary)));
                }
                None => missing.push(Missing {
                    what: format!("the primary database {} in {pr}", db.primary),
                    looked: format!("rds:DescribeDBInstances in {pr}"),
                }),
            }
            match db.kind {
                Some(DbKind::RdsReplica) => {
                    let standby = instance(aws, Side::Standby, &db.standby).await?;
                    match standby {
                        Some(s) => {
                            let source = s.source.clone().unwrap_or_default();
                            let matches = arn_name(&source) == db.primary
                                || primary.as_ref().is_some_and(|p| p.arn == source);
                            if matches {
                                db.notes.push(Note::Aws(format!(
                                    "{} in {sr} replicates from {}",
                                    db.standby, db.primary
                                )));
                            } else {
                                missing.push(Missing {
                                    what: format!(
                                        "a replica of {} in {sr}: {} {}",
                                        db.primary,
                                        db.standby,
                                        if source.is_empty() {
                                            "is not a replica (promoted already?)".to_string()
                                        } else {
                                            format!("replicates from {source}")
                                        }
                                    ),
                                    looked: format!("rds:DescribeDBInstances in {sr}"),
                                });
                            }
                        }
                        None => missing.push(Missing {
                            what: format!("the replica {} in {sr}", db.standby),
                            looked: format!("rds:DescribeDBInstances in {sr}"),
                        }),
                    }
                }
                Some(DbKind::BackupRestore) => {
                    let vault = db.backup_vault.clone().unwrap_or_default();
                    let exists = match aws.backup_vault_exists(Side::Standby, &vault).await {
                        Ok(x) => x,
                        Err(e) => fatal(e).map(|()| false)?,
                    };
                    if exists {
                        db.notes
                            .push(Note::Aws(format!("backup vault {vault} exists in {sr}")));
                    } else {
                        missing.push(Missing {
                            what: format!("backup vault {vault} in {sr}"),
                            looked: format!("backup:DescribeBackupVault in {sr}"),
                        });
                    }
                }
                _ => {
                    // The state has no standby: a cross-region replica AWS knows of.
                    let listed = primary.as_ref().and_then(|p| {
                        p.replicas
                            .iter()
                            .find(|r| arn_region(r) == Some(sr.as_str()))
                            .cloned()
                    });
                    // Listed is not enough: the replica must exist and replicate from it.
                    let mut found = None;
                    if let Some(r) = listed {
                        let here = instance(aws, Side::Standby, arn_name(&r)).await?;
                        if here.is_some_and(|s| {
                            s.source
                                .as_deref()
                                .is_some_and(|x| arn_name(x) == db.primary)
                        }) {
                            found = Some(r);
                        }
                    }
                    if let Some(r) = found {
                        db.kind = Some(DbKind::RdsReplica);
                        db.standby = arn_name(&r).to_string();
                        db.notes.push(Note::Aws(format!(
                            "{} lists the replica {r} (not in the state files)",
                            db.primary
                        )));
                        d.missing
                            .retain(|m| !m.what.starts_with("the standby database"));
                    } else if let Some(m) = d
                        .missing
                        .iter_mut()
                        .find(|m| m.what.starts_with("the standby database"))
                    {
                        m.looked.push_str(&format!(
                            "; rds:DescribeDBInstances {} in {pr} (ReadReplicaDBInstanceIdentifiers)",
                            db.primary
                        ));
                    }
                }
            }
        }
    }
    endpoint::choose(db, address, &sr, aws).await?;
    d.missing.extend(missing);
    Ok(())
}

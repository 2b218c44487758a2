//! Checks of the `[database]` section: identifiers present wherever they are given, and each
//! kind's own keys only on that kind.

use super::{Estate, Failure, fail, non_empty};
use crate::config::DatabaseKind;

pub(super) fn database(e: &Estate) -> Result<(), Failure> {
    let Some(db) = &e.database else {
        return Ok(());
    };
    let what = match db.kind {
        DatabaseKind::RdsReplica | DatabaseKind::BackupRestore => "DB instance identifier",
        DatabaseKind::AuroraGlobal => "DB cluster identifier",
    };
    let restore_keys = [
        ("backup_vault", db.backup_vault.is_some()),
        ("subnet_group", db.subnet_group.is_some()),
        ("security_groups", db.security_groups.is_some()),
        ("instance_class", db.instance_class.is_some()),
    ];
    if db.kind == DatabaseKind::BackupRestore {
        if db.backup_vault.is_none() {
            return fail(
                "database.backup_vault",
                "expected a backup_vault name when kind = \"backup-restore\" (the AWS Backup vault in the standby region)",
            );
        }
        for (key, given) in [
            ("global_cluster", db.global_cluster.is_some()),
            ("replica_class", db.replica_class.is_some()),
        ] {
            if given {
                return fail(
                    format!("database.{key}"),
                    format!(
                        "{key} does not apply to kind = \"backup-restore\" (no replica, no global cluster)"
                    ),
                );
            }
        }
    } else if let Some((key, _)) = restore_keys.iter().find(|(_, given)| *given) {
        return fail(
            format!("database.{key}"),
            format!(
                "{key} applies only to kind = \"backup-restore\", found kind = \"{}\"",
                db.kind
            ),
        );
    }
    non_empty("database.primary", &db.primary, what)?;
    non_empty("database.standby", &db.standby, what)?;
    let optional = [
        (
            "global_cluster",
            &db.global_cluster,
            "global cluster identifier",
        ),
        (
            "endpoint_parameter",
            &db.endpoint_parameter,
            "parameter name",
        ),
        ("endpoint_secret", &db.endpoint_secret, "secret name"),
        ("endpoint_secret_key", &db.endpoint_secret_key, "JSON key"),
        ("replica_class", &db.replica_class, "instance class"),
        ("backup_vault", &db.backup_vault, "backup vault name"),
        ("subnet_group", &db.subnet_group, "DB subnet group name"),
        ("instance_class", &db.instance_class, "instance class"),
    ];
    for (key, value, what) in optional {
        if let Some(v) = value {
            non_empty(format!("database.{key}"), v, what)?;
        }
    }
    if db.endpoint_secret_key.is_some() && db.endpoint_secret.is_none() {
        return fail(
            "database.endpoint_secret_key",
            "endpoint_secret_key names the key of a JSON endpoint_secret: expected endpoint_secret too",
        );
    }
    for (i, sg) in db.security_groups.iter().flatten().enumerate() {
        non_empty(
            format!("database.security_groups[{i}]"),
            sg,
            "security group id",
        )?;
    }
    Ok(())
}

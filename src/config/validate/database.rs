//! Checks of the `[database]` section: identifiers present wherever they are given.

use super::{Estate, Failure, non_empty};
use crate::config::DatabaseKind;

pub(super) fn database(e: &Estate) -> Result<(), Failure> {
    let Some(db) = &e.database else {
        return Ok(());
    };
    let what = match db.kind {
        DatabaseKind::RdsReplica => "DB instance identifier",
        DatabaseKind::AuroraGlobal => "DB cluster identifier",
    };
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
        ("replica_class", &db.replica_class, "instance class"),
    ];
    for (key, value, what) in optional {
        if let Some(v) = value {
            non_empty(format!("database.{key}"), v, what)?;
        }
    }
    Ok(())
}

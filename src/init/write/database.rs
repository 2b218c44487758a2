//! The `[database]` table: the pair, how the standby is made, and where the applications read
//! the writer's address (a JSON secret's key only where the checker knows it).

use std::fmt::Write as _;

use super::super::draft::*;
use super::{Style, notes, q};

/// The database's table.
pub(super) fn section(o: &mut String, db: &DbDraft, style: &Style) {
    o.push_str("\n[database]\n");
    notes(o, &db.notes);
    let _ = writeln!(
        o,
        "kind = {}",
        q(db.kind.map(DbKind::as_str).unwrap_or("rds-replica"))
    );
    let _ = writeln!(o, "primary = {}", q(&db.primary));
    if db.standby.is_empty() {
        o.push_str("standby = \"\"  # CHECK: MISSING, see the top of the file\n");
    } else {
        let _ = writeln!(o, "standby = {}", q(&db.standby));
    }
    if let Some(g) = &db.global_cluster {
        let _ = writeln!(o, "global_cluster = {}", q(g));
    }
    if let Some(v) = &db.backup_vault {
        let _ = writeln!(o, "backup_vault = {}", q(v));
    }
    if let Some(v) = &db.subnet_group {
        let _ = writeln!(o, "subnet_group = {}", q(v));
    }
    if !db.security_groups.is_empty() {
        let list: Vec<String> = db.security_groups.iter().map(|s| q(s)).collect();
        let _ = writeln!(o, "security_groups = [{}]", list.join(", "));
    }
    if let Some(v) = &db.instance_class {
        let _ = writeln!(o, "instance_class = {}", q(v));
    }
    match &db.endpoint {
        Some(EndpointStore::Parameter(p)) => {
            let _ = writeln!(o, "endpoint_parameter = {}", q(p));
        }
        Some(EndpointStore::Secret(s)) => {
            let _ = writeln!(o, "endpoint_secret = {}", q(s));
        }
        Some(EndpointStore::SecretKey(s, k)) if style.secret_key_supported => {
            let _ = writeln!(o, "endpoint_secret = {}", q(s));
            let _ = writeln!(o, "endpoint_secret_key = {}", q(k));
        }
        Some(EndpointStore::SecretKey(s, k)) => {
            o.push_str(
                "# CHECK: the secret is JSON and this drconsole writes a secret whole (its \
                 other keys would be lost); left out until `endpoint_secret_key` is \
                 supported\n",
            );
            let _ = writeln!(o, "# endpoint_secret = {}", q(s));
            let _ = writeln!(o, "# endpoint_secret_key = {}", q(k));
        }
        None => {
            if !db.store_candidates.is_empty() {
                o.push_str(
                    "# CHECK: no parameter or secret in the standby region holds the \
                     primary's address; the endpoint is not written on failover\n",
                );
            }
        }
    }
}

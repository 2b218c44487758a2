//! Setting up the databases of a new world: the writer, its replica or backup, and the
//! endpoint where the application finds the writer.

use super::SimDb;
use super::endpoint_of;
use crate::backend::sim::world::World;
use crate::config::DatabaseKind;
use crate::model::{DbRole, Side};

/// The simulated secret: JSON credentials shaped like the ones RDS keeps, the endpoint under
/// the estate's `endpoint_secret_key`. It holds no password: the simulated world is saved in
/// the run journal, where no secret may be.
fn sim_secret(db: &crate::config::Database, endpoint: &str) -> String {
    let key = db.endpoint_secret_key.as_deref().unwrap_or("host");
    let mut v = serde_json::json!({
        "username": "app",
        "engine": "postgres",
        "port": 5432,
        "dbname": db.primary,
    });
    v[key] = serde_json::Value::String(endpoint.to_string());
    v.to_string()
}

impl World {
    /// The writer in the primary region, its replica in the standby, and where the
    /// application finds the writer.
    pub(in crate::backend::sim::world) fn seed_database(&mut self) {
        let Some(db) = self.estate.database.clone() else {
            return;
        };
        let (writer_role, replica_role) = match db.kind {
            DatabaseKind::RdsReplica => (
                DbRole::Writer,
                DbRole::Replica {
                    source: self.db_arn(Side::Primary, &db.primary),
                },
            ),
            DatabaseKind::AuroraGlobal => (
                DbRole::Writer,
                DbRole::Replica {
                    source: db.global_cluster.clone().unwrap_or_default(),
                },
            ),
            // No database runs in the standby: it is restored from the vault on failover.
            DatabaseKind::BackupRestore => (DbRole::Writer, DbRole::Backup),
        };
        self.primary.db = Some(SimDb::new(&db.primary, writer_role));
        self.standby.db =
            (replica_role != DbRole::Backup).then(|| SimDb::new(&db.standby, replica_role));
        let endpoint = endpoint_of(Side::Primary, &db.primary, &self.estate);
        if let Some(p) = &db.endpoint_parameter {
            self.primary.parameters.insert(p.clone(), endpoint.clone());
            self.standby.parameters.insert(p.clone(), endpoint.clone());
        }
        if let Some(s) = &db.endpoint_secret {
            let value = sim_secret(&db, &endpoint);
            self.primary.secrets.insert(s.clone(), value.clone());
            self.standby.secrets.insert(s.clone(), value);
        }
    }
}

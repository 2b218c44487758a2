//! RDS: each region's database (instance or Aurora cluster), its role changes and the
//! replica lag model.

use serde::{Deserialize, Serialize};

use super::World;
use super::data::TxnSet;
use crate::config::{DatabaseKind, Estate};
use crate::model::{DbReading, DbRole, ErrorKind, Lag, Section, SectionError, Side};

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SimDb {
    pub id: String,
    pub role: DbRole,
    pub status: String,
    /// When a status change in progress (promotion, creation) completes.
    pub busy_until: Option<f64>,
    /// The role it will have when `busy_until` passes.
    pub next_role: Option<DbRole>,
    /// When replication started; lag is unknown for a while after creation.
    pub replicating_since: f64,
    pub instance_class: String,
    /// The transactions it holds: written to it, or applied from its source.
    pub held: TxnSet,
    /// A global switchover is completing here: the new writer receives all the old one held.
    pub switchover: bool,
}

impl SimDb {
    pub fn new(id: &str, role: DbRole) -> SimDb {
        SimDb {
            id: id.to_string(),
            role,
            status: "available".into(),
            busy_until: None,
            next_role: None,
            replicating_since: -3600.0,
            instance_class: "db.r6g.large".into(),
            held: TxnSet::default(),
            switchover: false,
        }
    }
}

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

pub fn endpoint_of(side: Side, id: &str, estate: &Estate) -> String {
    format!(
        "{id}.c9akciq32.{}.rds.amazonaws.com",
        estate.region(side).region
    )
}

impl World {
    /// The writer in the primary region, its replica in the standby, and where the
    /// application finds the writer.
    pub(super) fn seed_database(&mut self) {
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

    /// Replica lag: a random walk around a few seconds with rare spikes.
    pub(super) fn wander_lag(&mut self) {
        self.lag_base = (self.lag_base + self.rng.range(-0.6, 0.6)).clamp(1.0, 15.0);
        self.lag_spike *= 0.985;
        if self.rng.chance(1.0 / 900.0) {
            self.lag_spike = self.rng.range(40.0, 420.0);
        }
    }

    /// Completes the status changes (promotion, creation, failover) whose time has come.
    pub(super) fn settle_databases(&mut self) {
        let now = self.now;
        for side in Side::BOTH {
            if let Some(db) = self.region_mut(side).db.as_mut()
                && db.busy_until.is_some_and(|u| u <= now)
            {
                db.busy_until = None;
                db.status = "available".into();
                if let Some(role) = db.next_role.take() {
                    db.role = role;
                }
                db.replicating_since = now;
                if std::mem::take(&mut db.switchover) {
                    self.receive_all_from(side);
                }
            }
        }
    }

    pub fn db_arn(&self, side: Side, id: &str) -> String {
        format!(
            "arn:aws:rds:{}:123456789012:db:{id}",
            self.estate.region(side).region
        )
    }

    pub fn lag(&self, side: Side) -> Lag {
        let Some(db) = &self.region(side).db else {
            return Lag::NoData;
        };
        if !matches!(db.role, DbRole::Replica { .. }) {
            return Lag::NoData;
        }
        if db.status != "available" && db.status != "modifying" {
            return Lag::NoData;
        }
        if self.now - db.replicating_since < 60.0 {
            return Lag::NoData;
        }
        if self.faults.replication_stopped {
            return Lag::Stopped;
        }
        if self.caught_up(side) {
            return Lag::Known(0);
        }
        let lag = match self.writes.acknowledged_at(db.held.last()) {
            Some(at) => (self.now - at).max(0.0),
            None => self.lag_seconds(),
        };
        Lag::Known(lag.round() as u64)
    }

    /// The lag model's figure, in seconds: a replica applies what was acknowledged this long
    /// ago. It wanders and spikes; the lag a replica reads follows from what it applied.
    pub(super) fn lag_seconds(&self) -> f64 {
        let mut lag = self.lag_base + self.lag_spike;
        if let Some(since) = self.dark_since {
            lag += self.now - since;
        }
        lag
    }

    /// An Aurora global database as `DescribeGlobalClusters` would show it: each region's
    /// cluster a member, the writer flagged, a move under way while a cluster fails over.
    fn global_detail(&self) -> crate::model::DbDetail {
        let cfg = self.estate.database.as_ref();
        let members = Side::BOTH
            .iter()
            .filter_map(|side| {
                let db = self.region(*side).db.as_ref()?;
                let writer = db.role == DbRole::Writer;
                Some(crate::model::GlobalMember {
                    cluster_arn: self.db_arn(*side, &db.id).replace(":db:", ":cluster:"),
                    writer,
                    sync: (!writer).then(|| "connected".to_string()),
                })
            })
            .collect();
        let moving = Side::BOTH.iter().find_map(|side| {
            let db = self.region(*side).db.as_ref()?;
            (db.status == "failing-over" && db.next_role == Some(DbRole::Writer)).then(|| {
                crate::model::GlobalMove {
                    status: if db.switchover {
                        "switching-over".into()
                    } else {
                        "failing-over".into()
                    },
                    to_arn: Some(self.db_arn(*side, &db.id).replace(":db:", ":cluster:")),
                    data_loss: !db.switchover,
                }
            })
        });
        crate::model::DbDetail::Global(crate::model::GlobalClusterReading {
            id: cfg
                .and_then(|d| d.global_cluster.clone())
                .unwrap_or_default(),
            status: moving
                .as_ref()
                .map(|m| m.status.clone())
                .unwrap_or_else(|| "available".into()),
            members,
            moving,
        })
    }

    /// The database section of a region's reading: the configured database, or not found.
    pub(super) fn read_database(&self, side: Side) -> Option<Section<DbReading>> {
        let cfg = self.estate.database.as_ref()?;
        let id = match side {
            Side::Primary => &cfg.primary,
            Side::Standby => &cfg.standby,
        };
        Some(match &self.region(side).db {
            Some(db) if &db.id == id => Ok(DbReading {
                id: db.id.clone(),
                role: db.role.clone(),
                status: db.status.clone(),
                lag: self.lag(side),
                endpoint: Some(endpoint_of(side, &db.id, &self.estate)),
                engine: Some("postgres".into()),
                instance_class: Some(db.instance_class.clone()),
                arn: Some(self.db_arn(side, &db.id)),
                applied_txn: Some(db.held.last()),
                pending_resync: false,
                detail: match cfg.kind {
                    DatabaseKind::AuroraGlobal => Some(self.global_detail()),
                    _ => (side == Side::Standby)
                        .then(|| self.read_vault())
                        .flatten()
                        .map(crate::model::DbDetail::Backup),
                },
            }),
            _ if side == Side::Standby && self.vault.is_some() => {
                self.backup_reading(id).ok_or_else(|| {
                    SectionError::new(ErrorKind::NotFound, "no backup vault".to_string())
                })
            }
            _ => Err(SectionError::new(
                ErrorKind::NotFound,
                format!("DBInstanceNotFound: DBInstance {id} not found"),
            )),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::backend::Action;

    fn aurora() -> Estate {
        let mut e = crate::backend::sim::built_in_estate();
        if let Some(db) = e.database.as_mut() {
            db.kind = DatabaseKind::AuroraGlobal;
            db.global_cluster = Some("orders-global".into());
        }
        e
    }

    fn writer_region(w: &World, side: Side) -> Option<String> {
        let db = w.read_region(side).database?.ok()?;
        let g = db.global()?;
        assert_eq!(g.members.len(), 2);
        g.writer().and_then(|m| m.region()).map(str::to_string)
    }

    #[test]
    fn a_global_database_shows_its_members_and_the_writer_moving() {
        let mut w = World::new(aurora(), 5);
        assert_eq!(
            writer_region(&w, Side::Standby).as_deref(),
            Some("us-east-1")
        );
        let arn = w.db_arn(Side::Standby, "orders-db-replica");
        w.apply(&Action::GlobalFailover {
            global_cluster: "orders-global".into(),
            target_cluster_arn: arn,
            side: Side::Standby,
        })
        .expect("failover");
        let db = w
            .read_region(Side::Standby)
            .database
            .expect("db")
            .expect("read");
        let moving = db
            .global()
            .and_then(|g| g.moving.clone())
            .expect("under way");
        assert!(moving.data_loss);
        assert_eq!(moving.status, "failing-over");
        w.advance_to(200.0);
        assert_eq!(
            writer_region(&w, Side::Standby).as_deref(),
            Some("us-west-2")
        );
        let db = w
            .read_region(Side::Standby)
            .database
            .expect("db")
            .expect("read");
        assert!(db.global().is_some_and(|g| g.moving.is_none()));
    }
}

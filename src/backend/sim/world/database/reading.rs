//! The database section of a region's reading, and an Aurora global database as AWS shows it.

use super::endpoint_of;
use crate::backend::sim::world::World;
use crate::config::DatabaseKind;
use crate::model::{DbReading, DbRole, ErrorKind, Section, SectionError, Side};

impl World {
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
    pub(in crate::backend::sim::world) fn read_database(
        &self,
        side: Side,
    ) -> Option<Section<DbReading>> {
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

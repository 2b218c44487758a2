//! RDS's predictions: a promoted replica is a writer, a global cluster's move swaps writer and
//! replica, a replica created is being created.

use crate::backend::Action;
use crate::config::Estate;
use crate::model::{DbRole, Lag, RegionReading, Side};

/// Applies an RDS `action` to the database of `side`'s reading, when it changes it.
pub fn region(estate: &Estate, action: &Action, side: Side, r: &mut RegionReading) {
    match action {
        Action::PromoteReplica { side: s, .. } if *s == side => {
            if let Some(Ok(db)) = &mut r.database {
                db.role = DbRole::Writer;
                db.status = "available".into();
                db.lag = Lag::NoData;
            }
        }
        Action::GlobalFailover { side: to, .. } | Action::GlobalSwitchover { side: to, .. } => {
            if let Some(Ok(db)) = &mut r.database {
                if *to == side {
                    db.role = DbRole::Writer;
                    db.lag = Lag::NoData;
                } else {
                    db.role = DbRole::Replica {
                        source: estate.global_cluster().unwrap_or_default().to_string(),
                    };
                }
                db.status = "available".into();
            }
        }
        Action::CreateReplica {
            side: s,
            replica,
            source_arn,
            ..
        } if *s == side => {
            if let Some(Ok(db)) = &mut r.database {
                db.id = replica.clone();
                db.role = DbRole::Replica {
                    source: source_arn.clone(),
                };
                db.status = "creating".into();
                db.lag = Lag::NoData;
            }
        }
        _ => {}
    }
}

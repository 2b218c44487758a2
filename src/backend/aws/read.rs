//! Reading a region: the database with its lag, and the rule that a region is unreachable only
//! when every call failed to connect.

use super::cloudwatch::{self, MetricQuery};
use super::{AwsBackend, backup, rds};
use crate::backend::{BackendError, ErrorKind};
use crate::config::DatabaseKind;
use crate::model::{DbDetail, DbReading, DbRole, Lag, Section, SectionError, Side};

/// Outcome of one section for the "is the whole region down?" decision.
pub(super) fn kind_of<T>(r: &Result<T, BackendError>) -> Option<ErrorKind> {
    r.as_ref().err().map(|e| e.kind)
}

pub(super) fn section<T>(r: Result<T, BackendError>) -> Section<T> {
    r.map_err(SectionError::from)
}

/// The error to report when every call of a scope failed to reach AWS.
pub(super) fn all_unreachable(outcomes: &[Option<ErrorKind>]) -> bool {
    !outcomes.is_empty() && outcomes.iter().all(|o| *o == Some(ErrorKind::Unreachable))
}

impl AwsBackend {
    /// The database of `side` from one describe call, with its lag (one `GetMetricData`)
    /// when `lag` is asked for; without, the lag is left as no data.
    pub(super) async fn read_database(
        &self,
        side: Side,
        lag: bool,
    ) -> Option<Result<DbReading, BackendError>> {
        self.read_database_sharing(side, lag, None).await
    }

    /// [`Self::read_database`], with an Aurora cluster's global databases already read
    /// (`globals`: a region group's, once for all of its estates).
    pub(super) async fn read_database_sharing(
        &self,
        side: Side,
        lag: bool,
        globals: Option<&rds::Globals>,
    ) -> Option<Result<DbReading, BackendError>> {
        let db = self.estate.database.as_ref()?;
        let c = self.clients(side);
        let id = match side {
            Side::Primary => db.primary.as_str(),
            Side::Standby => db.standby.as_str(),
        };
        let result = match db.kind {
            DatabaseKind::RdsReplica => {
                let queries = [MetricQuery::replica_lag(id)];
                let (reading, lag) =
                    futures::join!(rds::read_instance(c, id), lag_of(c, &queries, lag));
                reading.map(|r| with_lag(r, lag))
            }
            DatabaseKind::AuroraGlobal => {
                let global = db.global_cluster.as_deref().unwrap_or_default();
                let queries = [MetricQuery::aurora_global_lag(id)];
                let cluster = async {
                    match globals {
                        Some(g) => rds::read_cluster_sharing(c, id, global, g).await,
                        None => rds::read_cluster(c, id, global).await,
                    }
                };
                let (reading, lag) = futures::join!(cluster, lag_of(c, &queries, lag));
                reading.map(|r| with_lag(r, lag))
            }
            DatabaseKind::BackupRestore if side == Side::Standby => {
                let vault = db.backup_vault.as_deref().unwrap_or_default();
                let (instance, points) = futures::join!(
                    rds::read_instance(c, id),
                    backup::read(c, vault, &db.primary)
                );
                restorable(id, instance, points)
            }
            // The primary of a backup-restore estate holds, once re-protected, a cross-region
            // replica of the restored writer: its lag is read as any replica's.
            DatabaseKind::BackupRestore => {
                let queries = [MetricQuery::replica_lag(id)];
                let (reading, lag) =
                    futures::join!(rds::read_instance(c, id), lag_of(c, &queries, lag));
                reading.map(|r| with_lag(r, lag))
            }
        };
        Some(result)
    }
}

/// The lag metric, when asked for.
async fn lag_of(
    c: &super::clients::RegionClients,
    queries: &[MetricQuery],
    wanted: bool,
) -> Option<Result<Vec<Option<f64>>, BackendError>> {
    if wanted {
        Some(cloudwatch::latest_values(c, queries).await)
    } else {
        None
    }
}

/// The standby of `backup-restore`: the restored instance when there is one, else the
/// recovery point it would be restored from (role `backup`, its age as the lag: the writes a
/// restore now would not have). The vault's reading rides along either way.
fn restorable(
    id: &str,
    instance: Result<DbReading, BackendError>,
    points: Result<crate::model::BackupReading, BackendError>,
) -> Result<DbReading, BackendError> {
    match instance {
        Ok(mut r) => {
            r.detail = points.ok().map(DbDetail::Backup);
            Ok(r)
        }
        Err(e) if e.kind == ErrorKind::NotFound => Ok(DbReading::restorable(id, points?)),
        Err(e) => Err(e),
    }
}

/// Lag belongs to a replica; a writer has none. A failed metric read is shown as no data
/// (the database panel itself is still right).
fn with_lag(mut r: DbReading, lag: Option<Result<Vec<Option<f64>>, BackendError>>) -> DbReading {
    r.lag = match (&r.role, lag) {
        (DbRole::Writer, _) | (_, None) => Lag::NoData,
        (_, Some(Ok(values))) => Lag::from_metric(values.first().copied().flatten()),
        (_, Some(Err(_))) => Lag::NoData,
    };
    r
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unreachable_only_when_every_call_failed_to_connect() {
        let u = Some(ErrorKind::Unreachable);
        assert!(all_unreachable(&[u, u]));
        assert!(!all_unreachable(&[u, None]));
        assert!(!all_unreachable(&[u, Some(ErrorKind::NotFound)]));
        assert!(!all_unreachable(&[]));
    }
}

//! AWS Backup for `backup-restore`: the standby's vault, which receives a copy of the primary
//! database every hour while the primary region is up (each copy holds what the writer held
//! then), and restore jobs that create the standby database after a simulated while.

use serde::{Deserialize, Serialize};

use super::World;
use super::data::TxnSet;
use super::database::SimDb;
use crate::backend::{BackendError, ErrorKind};
use crate::config::DatabaseKind;
use crate::model::{BackupReading, DbReading, DbRole, RecoveryPoint, RestoreJob, Side};

/// A copy of the primary lands in the vault this often.
pub const BACKUP_EVERY: f64 = 3600.0;
/// The first copy, when the simulation starts, is this old.
const FIRST_AGE: f64 = 1500.0;
/// An RDS restore from a snapshot: 10 to 20 minutes.
pub const RESTORE: (f64, f64) = (600.0, 1200.0);

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SimPoint {
    pub arn: String,
    pub created: f64,
    pub held: TxnSet,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SimJob {
    pub id: String,
    pub point: String,
    pub db: String,
    pub instance_class: Option<String>,
    pub done_at: f64,
    pub status: String,
    /// The idempotency token it was started with.
    #[serde(default)]
    pub token: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SimVault {
    pub name: String,
    pub points: Vec<SimPoint>,
    pub jobs: Vec<SimJob>,
    pub next_backup: f64,
}

impl World {
    fn restores(&self) -> bool {
        self.estate
            .database
            .as_ref()
            .is_some_and(|d| d.kind == DatabaseKind::BackupRestore)
    }

    /// The vault with one copy `FIRST_AGE` old; no database in the standby.
    pub(super) fn seed_vault(&mut self) {
        let Some(db) = self.estate.database.as_ref().filter(|_| self.restores()) else {
            return;
        };
        let name = db.backup_vault.clone().unwrap_or_default();
        self.standby.db = None;
        self.vault = Some(SimVault {
            name,
            points: Vec::new(),
            jobs: Vec::new(),
            next_backup: BACKUP_EVERY - FIRST_AGE,
        });
        self.take_backup(-FIRST_AGE);
    }

    fn take_backup(&mut self, at: f64) {
        let held = match &self.primary.db {
            Some(d) if d.role == DbRole::Writer => d.held.clone(),
            _ => return,
        };
        let region = self.estate.standby.region.as_str().to_string();
        if let Some(v) = self.vault.as_mut() {
            let n = v.points.len() + 1;
            v.points.push(SimPoint {
                arn: format!("arn:aws:backup:{region}:123456789012:recovery-point:sim-{n:04}"),
                created: at,
                held,
            });
        }
    }

    /// Hourly copies while the primary is up; restores that have run their time.
    pub(super) fn tick_vault(&mut self) {
        let now = self.now;
        let Some(v) = self.vault.as_ref() else {
            return;
        };
        if now >= v.next_backup {
            if let Some(v) = self.vault.as_mut() {
                v.next_backup = now + BACKUP_EVERY;
            }
            if !self.is_dark(Side::Primary) {
                self.take_backup(now);
            }
        }
        let done: Vec<SimJob> = self
            .vault
            .as_ref()
            .map(|v| {
                v.jobs
                    .iter()
                    .filter(|j| j.status == "RUNNING" && j.done_at <= now)
                    .cloned()
                    .collect()
            })
            .unwrap_or_default();
        for job in done {
            let held = self
                .vault
                .as_ref()
                .and_then(|v| v.points.iter().find(|p| p.arn == job.point))
                .map(|p| p.held.clone())
                .unwrap_or_default();
            let mut db = SimDb::new(&job.db, DbRole::Writer);
            db.held = held;
            if let Some(c) = &job.instance_class {
                db.instance_class = c.clone();
            }
            db.replicating_since = now;
            self.standby.db = Some(db);
            if let Some(j) = self
                .vault
                .as_mut()
                .and_then(|v| v.jobs.iter_mut().find(|j| j.id == job.id))
            {
                j.status = "COMPLETED".into();
            }
        }
    }

    /// `StartRestoreJob`: a token seen before answers its job and starts nothing, as AWS
    /// Backup does (an empty token is none).
    pub fn start_restore(
        &mut self,
        point: &str,
        db: &str,
        instance_class: Option<&str>,
        token: &str,
    ) -> Result<String, BackendError> {
        let duration = self.draw(RESTORE);
        let now = self.now;
        let region = format!("{} (standby)", self.estate.standby.region);
        let not_found = |msg: String| {
            BackendError::new(
                ErrorKind::NotFound,
                &region,
                "backup:StartRestoreJob",
                point,
                msg,
            )
            .with_code("ResourceNotFoundException")
        };
        let Some(v) = self.vault.as_mut() else {
            return Err(not_found("no backup vault".into()));
        };
        if !v.points.iter().any(|p| p.arn == point) {
            return Err(not_found(format!("recovery point {point} not found")));
        }
        if let Some(j) = v
            .jobs
            .iter()
            .find(|j| !token.is_empty() && j.token == token)
        {
            return Ok(format!("{db}: restore job {} already started", j.id));
        }
        let id = format!("sim-restore-{:04}", v.jobs.len() + 1);
        v.jobs.push(SimJob {
            id: id.clone(),
            point: point.to_string(),
            db: db.to_string(),
            instance_class: instance_class.map(str::to_string),
            done_at: now + duration,
            status: "RUNNING".into(),
            token: token.to_string(),
        });
        Ok(format!("{db}: restore job {id} started"))
    }

    /// What the vault shows: the newest copy, with its age, and the newest job restoring it.
    pub(super) fn read_vault(&self) -> Option<BackupReading> {
        let v = self.vault.as_ref()?;
        let newest = v
            .points
            .iter()
            .max_by(|a, b| a.created.total_cmp(&b.created));
        let job = newest.and_then(|p| v.jobs.iter().rev().find(|j| j.point == p.arn));
        Some(BackupReading {
            vault: v.name.clone(),
            recovery_point: newest.map(|p| RecoveryPoint {
                arn: p.arn.clone(),
                created: sim_time(p.created),
                age_secs: (self.now - p.created).max(0.0).round() as u64,
            }),
            restore_job: job.map(|j| RestoreJob {
                id: j.id.clone(),
                recovery_point_arn: j.point.clone(),
                status: j.status.clone(),
                created_resource_arn: (j.status == "COMPLETED")
                    .then(|| self.db_arn(Side::Standby, &j.db)),
            }),
        })
    }

    /// The standby of `backup-restore` while no database runs there: the vault's reading.
    pub(super) fn backup_reading(&self, id: &str) -> Option<DbReading> {
        Some(DbReading::restorable(id, self.read_vault()?))
    }
}

/// A sim time as a timestamp: the simulation starts at 2026-01-01T00:00:00Z.
fn sim_time(t: f64) -> String {
    let start = chrono::DateTime::from_timestamp(1_767_225_600, 0).unwrap_or_default();
    (start + chrono::Duration::seconds(t.round() as i64))
        .to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Estate;
    use crate::model::Lag;

    fn estate() -> Estate {
        let mut e = crate::backend::sim::built_in_estate();
        if let Some(db) = e.database.as_mut() {
            db.kind = DatabaseKind::BackupRestore;
            db.standby = "orders-db-dr".into();
            db.backup_vault = Some("orders-dr-vault".into());
        }
        e
    }

    fn standby(w: &World) -> DbReading {
        w.read_region(Side::Standby)
            .database
            .expect("database")
            .expect("read")
    }

    #[test]
    fn the_vault_ages_takes_hourly_copies_and_a_restore_takes_its_while() {
        let mut w = World::new(estate(), 7);
        let db = standby(&w);
        assert_eq!(db.role, DbRole::Backup);
        assert_eq!(db.status, "not restored");
        assert_eq!(db.lag, Lag::Known(FIRST_AGE as u64));
        // The copy ages with the clock, until the next hourly one lands.
        w.advance_to(600.0);
        assert_eq!(standby(&w).lag, Lag::Known(FIRST_AGE as u64 + 600));
        w.advance_to(BACKUP_EVERY - FIRST_AGE + 1.0);
        assert_eq!(standby(&w).lag, Lag::Known(1));

        let point = standby(&w)
            .backup()
            .and_then(|b| b.recovery_point.clone())
            .expect("a point");
        w.start_restore(&point.arn, "orders-db-dr", None, "token-1")
            .expect("restore");
        // The same token again starts nothing.
        let again = w
            .start_restore(&point.arn, "orders-db-dr", None, "token-1")
            .expect("again");
        assert!(again.contains("already started"), "{again}");
        assert_eq!(w.vault.as_ref().map(|v| v.jobs.len()), Some(1));
        let start = w.now;
        w.advance_to(start + RESTORE.0 - 1.0);
        let during = standby(&w);
        assert_eq!(during.role, DbRole::Backup);
        assert_eq!(during.status, "restoring");
        w.advance_to(start + RESTORE.1 + 1.0);
        let after = standby(&w);
        assert_eq!(after.role, DbRole::Writer);
        assert_eq!(after.status, "available");
        assert_eq!(
            after
                .backup()
                .and_then(|b| b.restore_job.as_ref())
                .map(|j| j.status.as_str()),
            Some("COMPLETED")
        );
    }

    #[test]
    fn no_copy_lands_while_the_primary_is_dark() {
        let mut w = World::new(estate(), 7);
        w.faults.primary_dark = true;
        w.advance_to(BACKUP_EVERY * 2.0);
        assert_eq!(w.vault.as_ref().map(|v| v.points.len()), Some(1));
    }
}

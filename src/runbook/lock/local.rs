//! The lock of one machine: `locks/ESTATE.lock` in the state directory, held with an advisory
//! file lock for the whole run, and `locks/ESTATE.holder.json` beside it, rewritten by the
//! holder (temp file + rename) with its progress, which a follower reads.
//!
//! The operating system drops the file lock when its process ends, however it ends, so a
//! crashed run never leaves a lock behind: the resumed run simply claims it again.

use std::fs::{File, OpenOptions, TryLockError};
use std::path::{Path, PathBuf};

use super::{Holder, Refusal};

/// The files of one estate's lock.
#[derive(Debug, Clone)]
pub struct LocalLock {
    pub lock_path: PathBuf,
    pub holder_path: PathBuf,
}

/// Held while it lives.
#[derive(Debug)]
pub struct LocalGuard {
    file: File,
    pub lock: LocalLock,
}

impl LocalLock {
    pub fn new(state_dir: &Path, estate: &str) -> LocalLock {
        let name: String = estate
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                    c
                } else {
                    '_'
                }
            })
            .collect();
        let dir = state_dir.join("locks");
        LocalLock {
            lock_path: dir.join(format!("{name}.lock")),
            holder_path: dir.join(format!("{name}.holder.json")),
        }
    }

    /// Claims the lock for `me`, or says who holds it. Blocking IO: call on the blocking pool.
    pub fn claim(&self, me: &Holder) -> Result<Result<LocalGuard, Refusal>, std::io::Error> {
        if let Some(dir) = self.lock_path.parent() {
            std::fs::create_dir_all(dir)?;
        }
        let file = OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&self.lock_path)?;
        match file.try_lock() {
            Ok(()) => {
                let guard = LocalGuard {
                    file,
                    lock: self.clone(),
                };
                guard.write(me)?;
                Ok(Ok(guard))
            }
            Err(TryLockError::WouldBlock) => {
                let holder = self.holder().unwrap_or_else(|| Holder {
                    user: "unknown".into(),
                    host: super::hostname(),
                    pid: 0,
                    runbook: "a run".into(),
                    run_id: String::new(),
                    since: chrono::Utc::now(),
                    lease_version: 0,
                    expires_at: None,
                    progress: Default::default(),
                });
                Ok(Err(Refusal::Held {
                    holder: Box::new(holder),
                    expired: false,
                    shared: false,
                }))
            }
            Err(TryLockError::Error(e)) => Err(e),
        }
    }

    /// The holder as it last wrote itself (also after its run ended).
    pub fn holder(&self) -> Option<Holder> {
        let text = std::fs::read(&self.holder_path).ok()?;
        serde_json::from_slice(&text).ok()
    }

    /// Whether the lock is held now, by a live process.
    pub fn is_held(&self) -> bool {
        let Ok(file) = OpenOptions::new().write(true).open(&self.lock_path) else {
            return false;
        };
        matches!(file.try_lock(), Err(TryLockError::WouldBlock))
    }
}

impl LocalGuard {
    /// Rewrites the holder file (temp file + rename: a reader never sees half of it).
    pub fn write(&self, h: &Holder) -> std::io::Result<()> {
        let bytes = serde_json::to_vec_pretty(h).map_err(std::io::Error::other)?;
        let tmp = self.lock.holder_path.with_extension("json.tmp");
        std::fs::write(&tmp, bytes)?;
        std::fs::rename(&tmp, &self.lock.holder_path)
    }

    /// Lets the lock go (dropping the guard does the same).
    pub fn release(self) {
        let _ = self.file.unlock();
    }
}

//! Approvals of a simulated estate: one JSON file per run and step under the state
//! directory's `approvals/`, each change made under an exclusive lock on the directory's lock
//! file (the same condition the DynamoDB store writes, checked in the lock).

use std::fs::File;
use std::path::{Path, PathBuf};

use async_trait::async_trait;
use chrono::Utc;

use super::store::{Store, explain};
use super::{Operator, Refused, Request, Status};

pub struct FileStore {
    dir: PathBuf,
    estate: String,
}

impl FileStore {
    pub fn new(state_dir: &Path, estate: &str) -> FileStore {
        FileStore {
            dir: state_dir.join("approvals"),
            estate: estate.to_string(),
        }
    }

    fn path(&self, run_id: &str, step: &str) -> PathBuf {
        let safe = |s: &str| -> String {
            s.chars()
                .map(|c| {
                    if c.is_ascii_alphanumeric() || "-_.".contains(c) {
                        c
                    } else {
                        '_'
                    }
                })
                .collect()
        };
        self.dir.join(format!(
            "{}--{}--{}.json",
            safe(&self.estate),
            safe(run_id),
            safe(step)
        ))
    }

    /// Runs `f` on the request file under the lock, on the blocking pool.
    async fn locked<T: Send + 'static>(
        &self,
        run_id: &str,
        step: &str,
        f: impl FnOnce(&Path) -> Result<T, String> + Send + 'static,
    ) -> Result<T, String> {
        let (dir, path) = (self.dir.clone(), self.path(run_id, step));
        tokio::task::spawn_blocking(move || {
            std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
            let lock = File::create(dir.join(".lock")).map_err(|e| e.to_string())?;
            lock.lock().map_err(|e| e.to_string())?;
            f(&path)
        })
        .await
        .map_err(|e| e.to_string())?
    }
}

fn read(path: &Path) -> Result<Option<Request>, String> {
    match std::fs::read(path) {
        Ok(b) => serde_json::from_slice(&b)
            .map(Some)
            .map_err(|e| format!("{}: {e}", path.display())),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(format!("{}: {e}", path.display())),
    }
}

fn write(path: &Path, r: &Request) -> Result<(), String> {
    let tmp = path.with_extension("tmp");
    let text = serde_json::to_vec_pretty(r).map_err(|e| e.to_string())?;
    std::fs::write(&tmp, text).map_err(|e| format!("{}: {e}", tmp.display()))?;
    std::fs::rename(&tmp, path).map_err(|e| format!("{}: {e}", path.display()))
}

#[async_trait]
impl Store for FileStore {
    fn label(&self) -> String {
        format!("{} (simulation)", self.dir.display())
    }

    async fn put(&self, r: &Request) -> Result<(), String> {
        let r = r.clone();
        self.locked(&r.run_id.clone(), &r.step.clone(), move |p| write(p, &r))
            .await
    }

    async fn get(&self, run_id: &str, step: &str) -> Result<Option<Request>, String> {
        self.locked(run_id, step, read).await
    }

    async fn approve(
        &self,
        run_id: &str,
        step: &str,
        request_id: &str,
        plan_sha256: &str,
        by: &Operator,
    ) -> Result<Request, Refused> {
        let (rid, hash, by) = (request_id.to_string(), plan_sha256.to_string(), by.clone());
        self.locked(run_id, step, move |p| {
            let found = read(p)?;
            let Some(mut r) = found.clone() else {
                return Ok(Err(Refused::NoRequest));
            };
            if super::check(&r, &rid, &hash, &by, Utc::now()).is_err() {
                return Ok(Err(explain(found.as_ref(), &rid, &hash, &by)));
            }
            r.status = Status::Approved {
                by: by.clone(),
                at: Utc::now(),
            };
            write(p, &r)?;
            Ok(Ok(r))
        })
        .await
        .map_err(Refused::Unreachable)?
    }

    async fn close(
        &self,
        run_id: &str,
        step: &str,
        request_id: &str,
        status: Status,
    ) -> Result<Option<Request>, String> {
        let rid = request_id.to_string();
        self.locked(run_id, step, move |p| {
            let Some(mut r) = read(p)? else {
                return Ok(None);
            };
            if r.request_id == rid && r.status == Status::Pending {
                r.status = status;
                write(p, &r)?;
            }
            Ok(Some(r))
        })
        .await
    }
}

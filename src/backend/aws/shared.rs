//! What several estates read once between them. Every [`AwsBackend`](super::AwsBackend) of a
//! fleet holds the same [`SharedReads`]; a backend on its own holds its own.
//!
//! - **Who the credentials are** (`sts:GetCallerIdentity`, `iam:ListAccountAliases`): once per
//!   credential set, [`CredentialSet`] = (profile, region, endpoint), until a call made with
//!   them fails on its credentials. Estates that share a set share the answer; a second
//!   estate asking while the first read is under way waits for it instead of calling again.
//! - **Which hosted zones are too big to list whole** (Route 53 reads, see `route53_read`):
//!   learnt once, kept.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex, MutexGuard};

use crate::config::Estate;
use crate::model::{Identity, Side};

/// What makes two regions' credentials the same: the profile, the region and the endpoint.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct CredentialSet {
    pub profile: Option<String>,
    pub region: String,
    pub endpoint: Option<String>,
}

impl CredentialSet {
    pub fn of(estate: &Estate, side: Side) -> CredentialSet {
        let r = estate.region(side);
        CredentialSet {
            profile: r.profile.clone(),
            region: r.region.to_string(),
            endpoint: r.endpoint_url.clone(),
        }
    }
}

type Slot = Arc<tokio::sync::Mutex<Option<Identity>>>;

#[derive(Default)]
pub struct SharedReads {
    identities: Mutex<HashMap<CredentialSet, Slot>>,
    big_zones: Mutex<HashSet<String>>,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

impl SharedReads {
    pub fn new() -> Arc<SharedReads> {
        Arc::new(SharedReads::default())
    }

    fn slot(&self, key: &CredentialSet) -> Slot {
        lock(&self.identities)
            .entry(key.clone())
            .or_default()
            .clone()
    }

    /// The identity of `key`: the one known, or `read`'s (kept when `read` says it is
    /// settled). Callers of the same key wait for one another: one read at a time.
    pub async fn identity<F>(
        &self,
        key: &CredentialSet,
        read: F,
    ) -> Result<Identity, crate::backend::BackendError>
    where
        F: std::future::Future<Output = Result<(Identity, bool), crate::backend::BackendError>>,
    {
        let slot = self.slot(key);
        let mut known = slot.lock().await;
        if let Some(i) = known.clone() {
            return Ok(i);
        }
        let (identity, settled) = read.await?;
        if settled {
            *known = Some(identity.clone());
        }
        Ok(identity)
    }

    /// A call made with `key`'s credentials failed on them: they may be renewed or another's
    /// by the next read, so every estate using them reads the identity again.
    pub fn forget(&self, key: &CredentialSet) {
        let slot = self.slot(key);
        // A read under way keeps what it read; the next one starts from nothing.
        if let Ok(mut known) = slot.try_lock() {
            *known = None;
        } else {
            lock(&self.identities).remove(key);
        }
    }

    pub fn zone_is_big(&self, zone: &str) -> bool {
        lock(&self.big_zones).contains(zone)
    }

    /// `zone` holds more records than one page lists: read its records one name at a time.
    pub fn zone_big(&self, zone: &str) {
        lock(&self.big_zones).insert(zone.to_string());
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicU32, Ordering};

    fn key(region: &str) -> CredentialSet {
        CredentialSet {
            profile: Some("prod".into()),
            region: region.into(),
            endpoint: None,
        }
    }

    fn who(account: &str) -> Identity {
        Identity {
            account_id: account.into(),
            arn: format!("arn:aws:iam::{account}:role/ops"),
            alias: None,
        }
    }

    #[tokio::test]
    async fn one_read_per_credential_set_until_its_credentials_fail() {
        let shared = SharedReads::new();
        let reads = AtomicU32::new(0);
        let read = |account: &'static str, settled: bool| {
            let reads = &reads;
            async move {
                reads.fetch_add(1, Ordering::SeqCst);
                Ok((who(account), settled))
            }
        };
        let east = key("us-east-1");
        let (a, b) = tokio::join!(
            shared.identity(&east, read("111111111111", true)),
            shared.identity(&east, read("222222222222", true)),
        );
        // The second caller waited for the first and got its answer.
        assert_eq!(a.unwrap().account_id, "111111111111");
        assert_eq!(b.unwrap().account_id, "111111111111");
        assert_eq!(reads.load(Ordering::SeqCst), 1);
        // Another region is another set.
        let west_key = key("us-west-2");
        let west = shared.identity(&west_key, read("333333333333", true));
        assert_eq!(west.await.unwrap().account_id, "333333333333");
        assert_eq!(reads.load(Ordering::SeqCst), 2);
        // Credentials failed: read again, and the new answer is everyone's.
        shared.forget(&east);
        let again = shared.identity(&east, read("444444444444", true)).await;
        assert_eq!(again.unwrap().account_id, "444444444444");
        let kept = shared.identity(&east, read("555555555555", true)).await;
        assert_eq!(kept.unwrap().account_id, "444444444444");
        assert_eq!(reads.load(Ordering::SeqCst), 3);
        // An unsettled answer (the alias could not be read) is not kept.
        let other = key("eu-west-1");
        shared
            .identity(&other, read("666666666666", false))
            .await
            .unwrap();
        shared
            .identity(&other, read("666666666666", true))
            .await
            .unwrap();
        assert_eq!(reads.load(Ordering::SeqCst), 5);
    }
}

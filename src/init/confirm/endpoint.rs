//! The endpoint store: the candidate parameter or secret of the standby region whose value (or
//! a JSON key of it) is the primary's address. The value itself never leaves the backend.

use super::super::draft::*;
use super::{Reader, StoreMatch, fatal};
use crate::backend::BackendError;
use crate::model::Side;

/// Chooses the first candidate holding `address`; a second one is a check.
pub(super) async fn choose(
    db: &mut DbDraft,
    address: Option<String>,
    sr: &str,
    aws: &dyn Reader,
) -> Result<(), BackendError> {
    if let Some(addr) = address.filter(|a| !a.is_empty()) {
        let candidates = db.store_candidates.clone();
        for (kind, name, found_in) in candidates {
            let found = if kind == "parameter" {
                aws.parameter_matches(Side::Standby, &name, &addr).await
            } else {
                aws.secret_matches(Side::Standby, &name, &addr).await
            };
            let found = match found {
                Ok(x) => x,
                Err(e) => fatal(e).map(|()| StoreMatch::Absent)?,
            };
            let store = match (&found, kind.as_str()) {
                (StoreMatch::Whole, "parameter") => Some(EndpointStore::Parameter(name.clone())),
                (StoreMatch::Whole, _) => Some(EndpointStore::Secret(name.clone())),
                (StoreMatch::JsonKey(k), "secret") => {
                    Some(EndpointStore::SecretKey(name.clone(), k.clone()))
                }
                _ => None,
            };
            if let Some(store) = store {
                if db.endpoint.is_none() {
                    db.notes.push(found_in);
                    db.notes.push(Note::Aws(format!(
                        "{kind} {name} in {sr} holds the primary's address{}",
                        match &store {
                            EndpointStore::SecretKey(_, k) => format!(" (JSON key {k:?})"),
                            _ => String::new(),
                        }
                    )));
                    db.endpoint = Some(store);
                } else {
                    db.notes.push(Note::Check(format!(
                        "{kind} {name} in {sr} also holds the primary's address: only one is \
                         written on failover"
                    )));
                }
            }
        }
    } else if !db.store_candidates.is_empty() {
        db.notes.push(Note::Check(
            "the primary's address is unknown: no endpoint parameter or secret chosen".into(),
        ));
    }
    Ok(())
}

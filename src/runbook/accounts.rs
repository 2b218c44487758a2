//! The accounts a run acts in: read before it starts, the run refused while a pinned one
//! differs or cannot be read, and recorded in its audit log (`run_started`, `run_refused`)
//! and its report.

use serde_json::{Map, Value, json};

use super::reader::Reader;
use crate::model::{AccountCheck, IdentityError, Side};

/// The identities of `sides`, read at once, each bounded by the call timeout (throttling is
/// retried), against the estate's pins; a side not asked for is left unread (a run that
/// does not call the failed primary does not wait for its identity either).
pub async fn read(reader: &Reader, sides: &[Side]) -> Vec<AccountCheck> {
    let one = |side: Side| {
        let b = reader.backend.clone();
        async move {
            let read = reader
                .call(Some(side), "sts:GetCallerIdentity", || {
                    let b = b.clone();
                    async move { b.identity(side).await }
                })
                .await;
            reader
                .estate
                .account(side, Some(read.map_err(IdentityError::from)))
        }
    };
    let read_if = |side: Side| {
        let wanted = sides.contains(&side);
        async move {
            if wanted {
                one(side).await
            } else {
                reader.estate.account(side, None)
            }
        }
    };
    let (p, s) = tokio::join!(read_if(Side::Primary), read_if(Side::Standby));
    vec![p, s]
}

/// `{"primary": {"account_id", "alias", "principal", "pinned", "profile", "error"}, ...}`.
pub fn audit_fields(accounts: &[AccountCheck]) -> Value {
    let mut out = Map::new();
    for a in accounts {
        let i = a.identity();
        out.insert(
            a.side.to_string(),
            json!({
                "account_id": i.map(|i| &i.account_id),
                "alias": i.and_then(|i| i.alias.as_ref()),
                "principal": i.map(|i| &i.arn),
                "pinned": a.pinned,
                "profile": a.profile,
                "error": a.error().map(|e| &e.message),
            }),
        );
    }
    Value::Object(out)
}

/// One line per side for the report: `123456789012 (shop-prod) as arn:...`.
pub fn report_line(a: &AccountCheck) -> String {
    match (a.identity(), a.error()) {
        (Some(i), _) => format!("{} as {}", i.label(), i.arn),
        (None, Some(e)) => format!("not read: {}", e.message),
        (None, None) => "not read".into(),
    }
}

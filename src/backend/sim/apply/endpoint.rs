//! The new endpoint written to SSM or Secrets Manager (a JSON secret keeps every other key).

use super::super::world::World;
use super::region;
use crate::backend::{Action, ActionOutcome, BackendError, EndpointStore, ErrorKind};

/// Performs `action` when it is this service's; `Ok(None)` otherwise.
pub(super) fn apply(w: &mut World, action: &Action) -> Result<Option<ActionOutcome>, BackendError> {
    let summary = match action {
        Action::WriteEndpoint { side, store, value } => {
            let key = crate::backend::EndpointKey::of(&w.estate);
            let label = region(w, *side);
            let region = w.region_mut(*side);
            match store {
                EndpointStore::SsmParameter(n) => {
                    let before = region.parameters.insert(n.clone(), value.clone());
                    format!(
                        "parameter {n}: {} → {value}",
                        before.unwrap_or_else(|| "(unset)".into())
                    )
                }
                // As on AWS: a secret is edited, never created, and a JSON secret keeps
                // every key but the endpoint's.
                EndpointStore::Secret(n) => {
                    let refused = |kind, why: String| {
                        Err(BackendError::new(kind, &label, action.api_call(), n, why)
                            .with_code(crate::backend::endpoint_value::NOT_EDITABLE))
                    };
                    let Some(current) = region.secrets.get(n) else {
                        return refused(
                            ErrorKind::NotFound,
                            "the secret does not exist (drconsole edits a secret, it never creates one)".into(),
                        );
                    };
                    let current = crate::model::SecretString::from(current.as_str());
                    let located = crate::backend::endpoint_value::locate_in_secret(&current, &key);
                    let edited =
                        match crate::backend::endpoint_value::edit_secret(&current, &key, value) {
                            Ok(v) => v,
                            Err(why) => return refused(ErrorKind::Other, why),
                        };
                    region.secrets.insert(n.clone(), edited.into_exposed());
                    match located.key {
                        Some(k) => {
                            format!("secret {n}: key {k} = {value}, every other key kept")
                        }
                        None => format!("secret {n}: value = {value}"),
                    }
                }
            }
        }
        _ => return Ok(None),
    };
    Ok(Some(ActionOutcome {
        summary,
        change_id: None,
    }))
}

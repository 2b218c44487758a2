//! The database endpoint applications read: an SSM parameter or a Secrets Manager secret.
//!
//! A parameter keeps its type: a `SecureString` is written back as one, under the same KMS
//! key (`DescribeParameters` gives both; `PutParameter` takes `Type`, `KeyId`, `Overwrite`). A
//! secret is read, edited and written back (`GetSecretValue`, then `PutSecretValue`) by the
//! rules of [`crate::backend::endpoint_value`]: a JSON secret changes one key. Values read here
//! stay in [`SecretString`] and are never part of a summary or an error.

use aws_sdk_ssm::types::{ParameterStringFilter, ParameterType};

use super::act::Acting;
use super::clients::RegionClients;
use super::errors::sdk_error;
use crate::backend::Action;
use crate::backend::endpoint_value::{EndpointKey, NOT_EDITABLE, edit_secret, locate_in_secret};
use crate::backend::{ActionOutcome, BackendError, EndpointStore, ErrorKind, StoredEndpoint};
use crate::model::SecretString;

/// How a parameter is stored: its type and, for a `SecureString`, its KMS key.
struct ParamKind {
    kind: ParameterType,
    key_id: Option<String>,
}

/// `None` when the parameter does not exist.
async fn param_kind(c: &RegionClients, name: &str) -> Result<Option<ParamKind>, BackendError> {
    let op = "ssm:DescribeParameters";
    let filter = ParameterStringFilter::builder()
        .key("Name")
        .option("Equals")
        .values(name)
        .build()
        .map_err(|e| super::errors::invalid(c.ctx(), op, name, e))?;
    let out = c
        .ssm
        .describe_parameters()
        .parameter_filters(filter)
        .send()
        .await
        .map_err(|e| sdk_error(c.ctx(), op, name, e))?;
    Ok(out
        .parameters()
        .iter()
        .find(|p| p.name() == Some(name))
        .map(|p| ParamKind {
            kind: p.r#type().cloned().unwrap_or(ParameterType::String),
            key_id: p.key_id().map(str::to_string),
        }))
}

const BINARY: &str =
    "the secret holds binary data (SecretBinary), not text an endpoint can be written into";

/// The parameter's value and whether it is a `SecureString`: `None` when the parameter does
/// not exist, `Some(None)` when it has no value.
pub(super) async fn parameter_value(
    c: &RegionClients,
    name: &str,
) -> Result<Option<Option<(SecretString, bool)>>, BackendError> {
    let out = c
        .ssm
        .get_parameter()
        .name(name)
        .with_decryption(true)
        .send()
        .await
        .map_err(|e| sdk_error(c.ctx(), "ssm:GetParameter", name, e));
    match out {
        Err(e) if e.kind == ErrorKind::NotFound => Ok(None),
        Err(e) => Err(e),
        Ok(o) => Ok(Some(o.parameter().and_then(|p| {
            let secure = p.r#type() == Some(&ParameterType::SecureString);
            p.value().map(|v| (SecretString::from(v), secure))
        }))),
    }
}

/// The secret's value: `None` when the secret does not exist, `Some(None)` when it holds
/// binary data.
pub(super) async fn secret_value(
    c: &RegionClients,
    name: &str,
) -> Result<Option<Option<SecretString>>, BackendError> {
    let out = c
        .secrets
        .get_secret_value()
        .secret_id(name)
        .send()
        .await
        .map_err(|e| sdk_error(c.ctx(), "secretsmanager:GetSecretValue", name, e));
    match out {
        Err(e) if e.kind == ErrorKind::NotFound => Ok(None),
        Err(e) => Err(e),
        Ok(o) => Ok(Some(o.secret_string().map(SecretString::from))),
    }
}

pub async fn write(
    c: &RegionClients,
    store: &EndpointStore,
    key: &EndpointKey,
    value: &str,
) -> Result<ActionOutcome, BackendError> {
    match store {
        EndpointStore::SsmParameter(name) => {
            let kind = param_kind(c, name).await?;
            let (ptype, key_id) = match kind {
                Some(k) => (k.kind, k.key_id),
                None => (ParameterType::String, None),
            };
            let mut put = c
                .ssm
                .put_parameter()
                .name(name)
                .value(value)
                .r#type(ptype.clone())
                .overwrite(true);
            if ptype == ParameterType::SecureString
                && let Some(k) = &key_id
            {
                put = put.key_id(k);
            }
            let out = put
                .send()
                .await
                .map_err(|e| sdk_error(c.ctx(), "ssm:PutParameter", name, e))?;
            let how = match (&ptype, &key_id) {
                (ParameterType::SecureString, Some(k)) => format!("SecureString, key {k}"),
                (t, _) => t.as_str().to_string(),
            };
            Ok(ActionOutcome {
                summary: format!(
                    "parameter {name} in {} = {value} ({how}, version {})",
                    c.label,
                    out.version()
                ),
                change_id: Some(out.version().to_string()),
            })
        }
        EndpointStore::Secret(name) => {
            let op = "secretsmanager:PutSecretValue";
            let refused = |kind, why: &str| {
                BackendError::new(kind, c.ctx().label, op, name, why).with_code(NOT_EDITABLE)
            };
            let current = match secret_value(c, name).await? {
                None => {
                    return Err(refused(
                        ErrorKind::NotFound,
                        "the secret does not exist (drconsole edits a secret, it never creates one)",
                    ));
                }
                Some(None) => return Err(refused(ErrorKind::Other, BINARY)),
                Some(Some(v)) => v,
            };
            let located = locate_in_secret(&current, key);
            let edited =
                edit_secret(&current, key, value).map_err(|why| refused(ErrorKind::Other, &why))?;
            let out = c
                .secrets
                .put_secret_value()
                .secret_id(name)
                .secret_string(edited.expose())
                .send()
                .await
                .map_err(|e| sdk_error(c.ctx(), op, name, e))?;
            let what = match &located.key {
                Some(k) => format!("key {k} = {value}, every other key kept"),
                None => format!("value = {value}"),
            };
            Ok(ActionOutcome {
                summary: format!("secret {name} in {}: {what}", c.label),
                change_id: out.version_id().map(str::to_string),
            })
        }
    }
}

/// Reads the stored endpoint back; `None` when the parameter or secret does not exist.
pub async fn read(
    c: &RegionClients,
    store: &EndpointStore,
    key: &EndpointKey,
) -> Result<Option<StoredEndpoint>, BackendError> {
    match store {
        EndpointStore::SsmParameter(name) => Ok(parameter_value(c, name)
            .await?
            .flatten()
            .map(|(v, secure)| StoredEndpoint::parameter(v.expose().clone(), secure))),
        EndpointStore::Secret(name) => Ok(secret_value(c, name).await?.map(|v| match v {
            Some(v) => locate_in_secret(&v, key),
            None => StoredEndpoint {
                key: None,
                endpoint: Err(BINARY.into()),
                showable: false,
            },
        })),
    }
}

/// Writing the new endpoint (SSM or Secrets Manager), through `b`'s clients that make one
/// attempt.
pub(super) fn act<'a>(b: &'a super::AwsBackend, action: &'a Action) -> Option<Acting<'a>> {
    match action {
        Action::WriteEndpoint { side, store, value } => Some(Box::pin(async move {
            let key = EndpointKey::of(&b.estate);
            write(b.changes(*side), store, &key, value).await
        })),
        _ => None,
    }
}

//! The database endpoint applications read: an SSM parameter or a Secrets Manager secret.

use aws_sdk_ssm::types::ParameterType;

use super::clients::RegionClients;
use super::errors::sdk_error;
use crate::backend::{ActionOutcome, BackendError, EndpointStore, ErrorKind};

pub async fn write(
    c: &RegionClients,
    store: &EndpointStore,
    value: &str,
) -> Result<ActionOutcome, BackendError> {
    match store {
        EndpointStore::SsmParameter(name) => {
            let out = c
                .ssm
                .put_parameter()
                .name(name)
                .value(value)
                .r#type(ParameterType::String)
                .overwrite(true)
                .send()
                .await
                .map_err(|e| sdk_error(c.ctx(), "ssm:PutParameter", name, e))?;
            Ok(ActionOutcome {
                summary: format!(
                    "parameter {name} in {} = {value} (version {})",
                    c.label,
                    out.version()
                ),
                change_id: Some(out.version().to_string()),
            })
        }
        EndpointStore::Secret(name) => {
            let out = c
                .secrets
                .put_secret_value()
                .secret_id(name)
                .secret_string(value)
                .send()
                .await
                .map_err(|e| sdk_error(c.ctx(), "secretsmanager:PutSecretValue", name, e))?;
            Ok(ActionOutcome {
                summary: format!("secret {name} in {}: new value written", c.label),
                change_id: out.version_id().map(str::to_string),
            })
        }
    }
}

/// Reads the stored endpoint back; `None` when the parameter or secret does not exist.
pub async fn read(
    c: &RegionClients,
    store: &EndpointStore,
) -> Result<Option<String>, BackendError> {
    let result = match store {
        EndpointStore::SsmParameter(name) => c
            .ssm
            .get_parameter()
            .name(name)
            .send()
            .await
            .map(|o| o.parameter().and_then(|p| p.value()).map(str::to_string))
            .map_err(|e| sdk_error(c.ctx(), "ssm:GetParameter", name, e)),
        EndpointStore::Secret(name) => c
            .secrets
            .get_secret_value()
            .secret_id(name)
            .send()
            .await
            .map(|o| o.secret_string().map(str::to_string))
            .map_err(|e| sdk_error(c.ctx(), "secretsmanager:GetSecretValue", name, e)),
    };
    match result {
        Err(e) if e.kind == ErrorKind::NotFound => Ok(None),
        other => other,
    }
}

//! Who a region's credentials are: `sts:GetCallerIdentity` (which no IAM policy can deny),
//! and the account's alias (`iam:ListAccountAliases`), an extra: a refusal or any other
//! failure of that call means no alias, never an error.

use aws_smithy_types::error::metadata::ProvideErrorMetadata;

use super::clients::RegionClients;
use super::errors::{kind_of_code, malformed, sdk_error};
use crate::backend::{BackendError, ErrorKind};
use crate::model::Identity;

const OPERATION: &str = "sts:GetCallerIdentity";

/// The identity, and whether its alias is settled: read, or refused for good (AccessDenied).
/// An alias that failed otherwise (throttled, no answer) is worth reading again.
pub async fn read_identity(c: &RegionClients) -> Result<(Identity, bool), BackendError> {
    let ctx = c.ctx();
    let (who, aliases) = futures::join!(
        c.sts.get_caller_identity().send(),
        c.iam.list_account_aliases().send()
    );
    let who = who.map_err(|e| sdk_error(ctx, OPERATION, "", e))?;
    let account_id = who
        .account()
        .ok_or_else(|| malformed(ctx, OPERATION, "", "no Account"))?;
    let arn = who
        .arn()
        .ok_or_else(|| malformed(ctx, OPERATION, "", "no Arn"))?;
    let (alias, settled) = match aliases {
        Ok(a) => (a.account_aliases().first().cloned(), true),
        Err(e) => (
            None,
            e.code()
                .is_some_and(|c| kind_of_code(c) == ErrorKind::AccessDenied),
        ),
    };
    Ok((
        Identity {
            account_id: account_id.to_string(),
            arn: arn.to_string(),
            alias,
        },
        settled,
    ))
}

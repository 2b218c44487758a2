//! Turns SDK errors into errors a person can act on: which region, which call, which resource,
//! the AWS error code, and what to do about it.

use std::error::Error as StdError;
use std::time::Duration;

use aws_credential_types::provider::error::CredentialsError;
use aws_smithy_runtime_api::client::orchestrator::HttpResponse;
use aws_smithy_runtime_api::client::result::SdkError;
use aws_smithy_types::error::display::DisplayErrorContext;
use aws_smithy_types::error::metadata::ProvideErrorMetadata;

use super::profile::CredentialsFix;
use crate::backend::{BackendError, ErrorKind};

/// Where a call went: names the region in error messages, and what fixes its credentials.
#[derive(Debug, Clone, Copy)]
pub struct Ctx<'a> {
    pub label: &'a str,
    pub credentials: &'a CredentialsFix,
    pub timeout: Duration,
}

const ACCESS_DENIED: &[&str] = &[
    "AccessDenied",
    "AccessDeniedException",
    "UnauthorizedOperation",
    "UnauthorizedException",
    "AuthorizationError",
    "NotAuthorized",
];

const BAD_CREDENTIALS: &[&str] = &[
    "ExpiredToken",
    "ExpiredTokenException",
    "InvalidClientTokenId",
    "UnrecognizedClientException",
    "InvalidSignatureException",
    "SignatureDoesNotMatch",
    "IncompleteSignature",
    "MissingAuthenticationToken",
    "InvalidAccessKeyId",
    "RequestExpired",
];

const THROTTLED: &[&str] = &[
    "Throttling",
    "ThrottlingException",
    "ThrottledException",
    "TooManyRequestsException",
    "RequestLimitExceeded",
    "RequestThrottled",
    "RequestThrottledException",
    "PriorRequestNotComplete",
    "SlowDown",
    "ProvisionedThroughputExceededException",
];

/// Classifies an AWS error code.
pub fn kind_of_code(code: &str) -> ErrorKind {
    if ACCESS_DENIED.contains(&code) {
        ErrorKind::AccessDenied
    } else if BAD_CREDENTIALS.contains(&code) {
        ErrorKind::Credentials
    } else if THROTTLED.contains(&code) {
        ErrorKind::Throttled
    } else if code.contains("NotFound") || code.starts_with("NoSuch") {
        ErrorKind::NotFound
    } else {
        ErrorKind::Other
    }
}

/// Classifies an answer that carried no readable error code.
pub fn kind_of_status(status: u16) -> ErrorKind {
    match status {
        401 | 403 => ErrorKind::AccessDenied,
        404 => ErrorKind::NotFound,
        429 => ErrorKind::Throttled,
        _ => ErrorKind::Other,
    }
}

/// An answer no other kind explains, with an HTTP status of AWS's own failure (5xx, or 408:
/// the request timed out inside AWS): the call may have been applied.
pub fn server_side(kind: ErrorKind, status: Option<u16>) -> ErrorKind {
    match (kind, status) {
        (ErrorKind::Other, Some(s)) if s >= 500 || s == 408 => ErrorKind::ServerSide,
        (k, _) => k,
    }
}

fn has_credentials_error(err: &(dyn StdError + 'static)) -> bool {
    let mut cur: Option<&(dyn StdError + 'static)> = Some(err);
    while let Some(e) = cur {
        if e.downcast_ref::<CredentialsError>().is_some() {
            return true;
        }
        cur = e.source();
    }
    false
}

/// Maps one failed SDK call.
pub fn sdk_error<E>(
    ctx: Ctx<'_>,
    operation: &str,
    resource: &str,
    err: SdkError<E, HttpResponse>,
) -> BackendError
where
    E: ProvideErrorMetadata + StdError + Send + Sync + 'static,
{
    let code = err.code().map(str::to_string);
    let aws_message = err.message().map(str::to_string);
    let detail = DisplayErrorContext(&err).to_string();
    let credentials = has_credentials_error(&err);
    let secs = ctx.timeout.as_secs_f64();

    let (kind, message) = match &err {
        _ if credentials => (ErrorKind::Credentials, ctx.credentials.sentence()),
        SdkError::TimeoutError(_) => (
            ErrorKind::Unreachable,
            format!("no answer within {secs}s (region unreachable or hanging)"),
        ),
        SdkError::DispatchFailure(d) if d.is_timeout() => (
            ErrorKind::Unreachable,
            format!("no answer within {secs}s (region unreachable or hanging)"),
        ),
        SdkError::DispatchFailure(d) if d.is_io() || d.is_other() => (
            ErrorKind::Unreachable,
            format!("cannot reach the endpoint: {detail}"),
        ),
        _ => {
            let status = err.raw_response().map(|r| r.status().as_u16());
            let kind = match (code.as_deref(), status) {
                (Some(c), _) => kind_of_code(c),
                (None, Some(s)) => kind_of_status(s),
                (None, None) => ErrorKind::Other,
            };
            let kind = server_side(kind, status);
            // Without an error code the detail would dump the raw answer: say less.
            let text = match (&aws_message, &code, status) {
                (Some(m), _, _) => m.clone(),
                (None, None, Some(s @ (401 | 403))) => format!(
                    "AWS refused the call (HTTP {s}): the IAM permission {operation} is \
                     missing, or the credentials are not valid"
                ),
                (None, None, Some(s)) => format!("AWS answered HTTP {s} without a readable error"),
                _ => detail.clone(),
            };
            let message = match kind {
                ErrorKind::AccessDenied if code.is_some() => {
                    format!("missing IAM permission {operation} on {resource}: {text}")
                }
                ErrorKind::Credentials => {
                    format!("{}: {text}", ctx.credentials.sentence())
                }
                ErrorKind::Throttled => format!("throttled by AWS, will retry next poll: {text}"),
                _ => text,
            };
            (kind, message)
        }
    };
    let mut e = BackendError::new(kind, ctx.label, operation, resource, message);
    if kind == ErrorKind::Credentials {
        // Never the credentials themselves: what to run to get new ones.
        e = e.with_fix(ctx.credentials.fix.clone());
    }
    if let Some(c) = code {
        e = e.with_code(c);
    }
    e
}

/// An answer that lacks something AWS always sends.
pub fn malformed(ctx: Ctx<'_>, operation: &str, resource: &str, what: &str) -> BackendError {
    BackendError::new(
        ErrorKind::Other,
        ctx.label,
        operation,
        resource,
        format!("unexpected answer: {what}"),
    )
}

/// A request that could not be built (a bad value in the estate file or the action).
pub fn invalid(
    ctx: Ctx<'_>,
    operation: &str,
    resource: &str,
    err: impl std::fmt::Display,
) -> BackendError {
    BackendError::new(
        ErrorKind::Other,
        ctx.label,
        operation,
        resource,
        format!("invalid request: {err}"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_classified() {
        assert_eq!(
            kind_of_code("AccessDeniedException"),
            ErrorKind::AccessDenied
        );
        assert_eq!(kind_of_code("ExpiredToken"), ErrorKind::Credentials);
        assert_eq!(kind_of_code("Throttling"), ErrorKind::Throttled);
        assert_eq!(
            kind_of_code("ClusterNotFoundException"),
            ErrorKind::NotFound
        );
        assert_eq!(kind_of_code("DBInstanceNotFound"), ErrorKind::NotFound);
        assert_eq!(kind_of_code("NoSuchHealthCheck"), ErrorKind::NotFound);
        assert_eq!(kind_of_code("InvalidParameterValue"), ErrorKind::Other);
    }

    #[test]
    fn aws_own_failures_are_server_side_by_status() {
        let k = |c: &str, s| server_side(kind_of_code(c), Some(s));
        assert_eq!(k("InternalFailure", 500), ErrorKind::ServerSide);
        assert_eq!(k("ServiceUnavailable", 503), ErrorKind::ServerSide);
        assert_eq!(k("RequestTimeout", 408), ErrorKind::ServerSide);
        assert_eq!(k("InvalidParameterValue", 400), ErrorKind::Other);
        // A throttled answer stays throttled whatever its status.
        assert_eq!(k("ThrottlingException", 503), ErrorKind::Throttled);
        assert_eq!(server_side(ErrorKind::Other, None), ErrorKind::Other);
    }
}
